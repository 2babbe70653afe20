"""In-process helpers for the dashboard's page tests: a browser-like client of its own
(cookies apart from the session-wide ``client``), logging in, the CSRF field, mail."""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from punchcard.config import Settings


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


class Browser:
    """One user's TestClient: its own cookies; ``post`` adds the page's CSRF token."""

    def __init__(self, app: Any) -> None:
        self.http = TestClient(app)
        self.csrf = ""

    def get(self, path: str, **kw: Any) -> Any:
        r = self.http.get(path, **kw)
        found = re.search(r'name="csrf" value="([^"]+)"', r.text)
        if found:
            self.csrf = found.group(1)
        return r

    def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        if not self.csrf:
            self.get("/dashboard/login")
        kw.setdefault("follow_redirects", False)
        return self.http.post(path, data={"csrf": self.csrf, **(data or {})}, **kw)

    def log_in(self, email: str, password: str) -> Any:
        self.get("/dashboard/login")
        r = self.post("/dashboard/login", {"email": email, "password": password})
        assert r.status_code == 303, r.text
        return r


def mails_to(settings: Settings, address: str) -> list[EmailMessage]:
    found = []
    for path in sorted(Path(settings.mail_dir).glob("*.eml")):
        msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        assert isinstance(msg, EmailMessage)
        if msg["To"] == address:
            found.append(msg)
    return found


def text_of(msg: EmailMessage) -> str:
    body = msg.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def link_in(settings: Settings, address: str, pattern: str) -> str:
    """The last mail to ``address``'s first match of ``pattern`` (its group 1)."""
    mails = mails_to(settings, address)
    assert mails, f"no mail to {address}"
    found = re.search(pattern, text_of(mails[-1]))
    assert found, text_of(mails[-1])
    return found.group(1)
