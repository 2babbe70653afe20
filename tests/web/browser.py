"""Real headless Chromium for the page tests: Debian's ``chromium`` driven by
Playwright (``executable_path``; Playwright's own browser download does not work on
these machines), against a real ``punchcard serve`` process over HTTP.

``.ci/run`` installs ``chromium`` (and ``zbar-tools``, whose ``zbarimg`` reads the
portal's QR code from a screenshot) with apt when they are missing; without them these
tests fail with that message rather than skipping quietly.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.e2e.conftest import Server, start_server
from tests.factories import PASSWORD, unique

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# What the machine's closed network needs (no background connections), as root.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    found = os.environ.get("PUNCHCARD_CHROMIUM") or shutil.which("chromium")
    if not found:
        pytest.fail("Debian's chromium is not installed (apt-get install chromium; .ci/run does)")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Per module, not per session: Playwright's sync API keeps an event loop running
    # in the thread while it is open, and a later test's asyncio.run() would refuse to
    # start beside it.
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real server of the suite's database (its mail as ``.eml`` files in
    ``<tmp>/mail``: ``live.log.parent / "mail"``)."""
    tmp = tmp_path_factory.mktemp("web")
    server = start_server(tmp, name="web")
    yield server
    server.stop()


def mail_dir(server: Server) -> Path:
    return server.log.parent / "mail"


@pytest.fixture(params=["desktop", "phone"])
def viewport(request: pytest.FixtureRequest) -> dict[str, int]:
    return DESKTOP if request.param == "desktop" else PHONE


@pytest.fixture
def page(browser: Browser, viewport: dict[str, int]) -> Iterator[Page]:
    # bypass_csp: only so that axe-core (an inline script of the test) can be added to
    # the page; the pages' own scripts come from /static under the real policy.
    context: BrowserContext = browser.new_context(viewport=viewport, bypass_csp=True)  # type: ignore[arg-type]
    p = context.new_page()
    yield p
    context.close()


def register_team(server: Server) -> dict[str, Any]:
    """A new tenant and its owner over the API: ``email``, ``password``, ``token`` (a
    user session), ``partner_id``, ``api_key`` (every scope)."""
    email = f"{unique('owner')}@example.com"
    with httpx.Client(base_url=server.url + "/api/v2") as c:
        who = {"email": email, "password": PASSWORD, "name": "Owner", "teamName": "Acme Coffee"}
        r = c.post("/auth/register", json=who)
        assert r.status_code == 201, r.text
        body = r.json()
        token = body["token"]
        key = c.post(
            "/api-keys",
            json={"name": "web tests", "preset": "write"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert key.status_code == 201, key.text
    return {
        "email": email,
        "password": PASSWORD,
        "token": token,
        "partner_id": body["team"]["partnerId"],
        "api_key": key.json()["key"],
    }


def log_in(page: Page, server: Server, email: str, password: str) -> None:
    page.goto(server.url + "/dashboard/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None
    assert width <= viewport["width"], f"{page.url}: {width}px wide at {viewport['width']}px"


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => JSON.stringify((await axe.run(document)).violations)")
    return [v for v in json.loads(result) if v.get("impact") in ("serious", "critical")]


def assert_accessible(page: Page) -> None:
    found = axe_violations(page)
    assert not found, json.dumps(
        [{"id": v["id"], "help": v["help"], "nodes": [n["html"] for n in v["nodes"][:3]]}
         for v in found], indent=1)  # fmt: skip


def decode_qr(png: Path) -> str:
    """The text of the one QR code in a screenshot (``zbarimg``)."""
    zbarimg = shutil.which("zbarimg")
    if not zbarimg:
        pytest.fail("zbarimg is not installed (apt-get install zbar-tools; .ci/run does)")
    out = subprocess.run(
        [zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()
