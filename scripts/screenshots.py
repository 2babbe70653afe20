"""Screenshots of the main pages for docs/screenshots/ (the README shows two).

    .venv/bin/python scripts/screenshots.py [--members 300]

Loads a demo tenant into a new SQLite database (``punchcard demo``'s loader), starts a
real ``punchcard serve`` on it, and drives Debian's chromium through the pages: the
overview, the members search, a member page, the programs index (desktop), and the
portal's home with its check-in QR code and its rewards (phone width).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=300)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="punchcard-shots-"))
    url_db = f"sqlite:///{tmp}/demo.db"
    os.environ["PUNCHCARD_DATABASE_URL"] = url_db
    env = {**os.environ, "PUNCHCARD_DEMO_ON_FIRST_START": "false",
           "PUNCHCARD_MAIL_DIR": str(tmp / "mail"), "PUNCHCARD_LOG_LEVEL": "warning"}  # fmt: skip
    subprocess.run([sys.executable, "-m", "punchcard.cli.main", "migrate"], env=env, check=True)

    from punchcard.cli.demo import DAYS, load
    from punchcard.db.uow import Database
    from punchcard.identity import member_sessions
    from punchcard.kit.clock import FrozenClock
    from punchcard.models import Member, PointsEntry

    end = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    clock = FrozenClock(end - timedelta(days=DAYS))
    db = Database(url_db, clock=clock)
    made = load(db, clock, members=args.members, seed=7)
    db.dispose()
    db = Database(url_db)
    with db.transaction() as s:
        busiest = s.scalars(
            select(Member).join(PointsEntry, PointsEntry.member_id == Member.id)
            .where(Member.email.is_not(None)).order_by(Member.points_balance.desc()).limit(1)
        ).one()  # fmt: skip
        member_id = busiest.id
        token = member_sessions.open_session(s, busiest, kind="portal", ttl_seconds=3600).token
    db.dispose()

    port = 8765
    server = subprocess.Popen(
        [sys.executable, "-m", "punchcard.cli.main", "serve", "--port", str(port), "--no-worker"],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            desk = browser.new_context(viewport={"width": 1280, "height": 900})
            page = desk.new_page()
            page.goto(base + "/dashboard/login")
            page.get_by_label("Email").fill(str(made["email"]))
            page.get_by_label("Password").fill(str(made["password"]))
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url("**/dashboard/")
            page.screenshot(path=OUT / "dashboard-overview.png", full_page=True)
            page.goto(base + "/dashboard/members")
            page.screenshot(path=OUT / "dashboard-members.png")
            page.goto(f"{base}/dashboard/members/mem_{member_id.hex}")
            page.screenshot(path=OUT / "dashboard-member.png", full_page=True)
            page.goto(base + "/dashboard/programs")
            page.screenshot(path=OUT / "dashboard-programs.png")
            phone = browser.new_context(viewport={"width": 390, "height": 844},
                                        device_scale_factor=2)  # fmt: skip
            phone.add_cookies([{"name": member_sessions.PORTAL_COOKIE, "value": token,
                                "url": base}])  # fmt: skip
            mpage = phone.new_page()
            mpage.goto(f"{base}/portal/{made['partner_id']}/")
            mpage.screenshot(path=OUT / "portal-home.png", full_page=True)
            mpage.goto(f"{base}/portal/{made['partner_id']}/rewards")
            mpage.screenshot(path=OUT / "portal-rewards.png", full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print("screenshots in", OUT)


if __name__ == "__main__":
    main()
