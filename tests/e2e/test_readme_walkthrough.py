"""The README's walkthrough, run as written with curl against a real server process."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from tests.e2e.conftest import Server
from tests.factories import Tenant, verify_tenant

README = Path(__file__).resolve().parents[2] / "README.md"


def walkthrough() -> str:
    text = README.read_text()
    section = text.split("<!-- walkthrough:start -->", 1)[1].split("<!-- walkthrough:end -->", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    assert blocks, "the README lost its walkthrough"
    return "\n".join(blocks)


def test_readme_walkthrough_works_with_curl_as_written(server: Server, tenant: Tenant) -> None:
    env = {**os.environ, "PUNCHCARD_URL": server.url + "/api/v2", "PUNCHCARD_KEY": tenant.api.token}
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", walkthrough()],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert "second scan: HTTP 404" in lines
    # The two award attempts answered identically (the second was a replay).
    awards = [line for line in lines if line.startswith('{"transactionId"')]
    assert len(awards) == 2 and awards[0] == awards[1]
    ledger = json.loads(lines[-1])
    assert ledger["balance"] == 140 and ledger["lifetime"] == 240 and ledger["pending"] == 0
    kinds = [t["type"] for t in ledger["transactions"]]
    assert kinds == ["clawback", "award", "redeem", "award"]
    verify_tenant(tenant)
