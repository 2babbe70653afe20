"""The README's point-of-sale flow runs as written against a real server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from punchcard_sdk import Client
from sdk_support import Team

README = Path(__file__).resolve().parents[1] / "README.md"


def _pos_flow() -> str:
    text = README.read_text()
    match = re.search(r"<!-- pos-flow.*?-->\s*```python\n(.*?)```", text, re.S)
    assert match, "the README lost its POS flow block"
    return match.group(1)


def test_the_readme_pos_flow_runs(team: Team, capsys: pytest.CaptureFixture[str]) -> None:
    code = _pos_flow()
    assert len(code.strip().splitlines()) <= 10
    with Client(base_url=team.url, api_key=team.api_key) as pc:
        pc.rewards.create(name="Free coffee", points_cost=40)

    exec(compile(code, str(README), "exec"), {"BASE_URL": team.url, "API_KEY": team.api_key})

    assert capsys.readouterr().out.splitlines() == [
        "+42 points, balance 42",
        "Free coffee redeemed, balance 2",
    ]
    with Client(base_url=team.url, api_key=team.api_key) as pc:
        member = pc.members.find(email="ada@example.com")
        assert member is not None
        assert member.points_balance == 2
        assert pc.orders.get("till-3/0042").member_id == member.id
