"""``punchcard members phone-duplicates``: the members whose phones are one number,
kept apart by migration 0016 (never merged)."""

from __future__ import annotations

from tests.cli.conftest import Cli
from tests.factories import Tenant, insert_member


def test_phone_duplicates_lists_the_members_kept_apart(cli: Cli, tenant: Tenant) -> None:
    # As migration 0016 leaves them: one holds the number in E.164, the other as written.
    kept = insert_member(tenant, phone="+12125550100")
    other = insert_member(tenant, phone="(212) 555-0100")
    insert_member(tenant, phone="+12125550101")
    out = cli("members", "phone-duplicates", "--tenant", tenant.partner_id, "--json").json()
    assert out == [
        {
            "phone": "+12125550100",
            "memberId": kept,
            "duplicates": [{"memberId": other, "phone": "(212) 555-0100"}],
        }
    ]
    text = cli("members", "phone-duplicates", "--tenant", tenant.partner_id)
    assert text.exit_code == 0 and "(212) 555-0100" in text.stdout
    missing = cli("members", "phone-duplicates", "--tenant", "pt_nope")
    assert missing.exit_code != 0
