"""`punchcard keys create|list|revoke --tenant PARTNER_ID` and `punchcard tenants list`:
the keys the CLI makes are real keys of the app, and a revocation holds at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib.metadata import version

from punchcard.identity.scopes import ALL_SCOPES, READ_SCOPES
from punchcard.kit.clock import as_utc
from tests.cli.conftest import Cli
from tests.factories import Api, Tenant, unique


def create(cli: Cli, t: Tenant, *extra: str, scopes: str = "write") -> dict[str, object]:
    out: dict[str, object] = cli(
        "keys", "create", "--tenant", t.partner_id, "--name", unique("k"),
        "--scopes", scopes, "--json", *extra,
    ).json()  # fmt: skip
    return out


def listed(cli: Cli, t: Tenant) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = cli("keys", "list", "--tenant", t.partner_id, "--json").json()
    return rows


def test_a_key_created_by_the_cli_authenticates_over_the_app_with_its_scopes(
    cli: Cli, tenant: Tenant
) -> None:
    out = create(cli, tenant, scopes="members:read")
    key = Api(tenant.client, str(out["key"]))
    assert key.get("/members").status_code == 200
    refused = key.post("/members", json={"email": f"{unique('m')}@example.com"})
    assert refused.status_code == 403, refused.text
    # The native face sees the same key (same service, same row).
    r = tenant.owner.get("/api-keys", params={"limit": 200})
    mine = [k for k in r.json()["apiKeys"] if k["id"] == out["id"]]
    assert mine and mine[0]["scopes"] == ["members:read"] and mine[0]["expiresAt"] is None


def test_presets_read_and_write_expand_to_every_read_scope_and_every_scope(
    cli: Cli, tenant: Tenant
) -> None:
    assert create(cli, tenant, scopes="read")["scopes"] == sorted(READ_SCOPES)
    assert create(cli, tenant, scopes="write")["scopes"] == sorted(ALL_SCOPES)
    mixed = create(cli, tenant, scopes="read, points:write")["scopes"]
    assert mixed == sorted({*READ_SCOPES, "points:write"})


def test_the_plaintext_is_printed_once_and_list_never_shows_it(cli: Cli, tenant: Tenant) -> None:
    out = create(cli, tenant)
    plain = cli("keys", "list", "--tenant", tenant.partner_id)
    as_json = cli("keys", "list", "--tenant", tenant.partner_id, "--json")
    assert plain.exit_code == 0 and as_json.exit_code == 0
    assert str(out["id"]) in plain.stdout and str(out["id"]) in as_json.stdout
    assert str(out["key"]) not in plain.stdout + as_json.stdout
    human = cli("keys", "create", "--tenant", tenant.partner_id, "--name", "h", "--scopes", "read")
    assert human.exit_code == 0 and "fl_live_" in human.stdout and "shown once" in human.stdout


def test_revoke_takes_effect_on_the_next_request(cli: Cli, tenant: Tenant) -> None:
    out = create(cli, tenant)
    key = Api(tenant.client, str(out["key"]))
    assert key.get("/members").status_code == 200  # now in the per-process cache
    revoked = cli("keys", "revoke", str(out["id"]), "--tenant", tenant.partner_id, "--json")
    assert revoked.json()["revokedAt"] is not None
    r = key.get("/members")
    assert r.status_code == 401, r.text
    row = next(k for k in listed(cli, tenant) if k["id"] == out["id"])
    assert row["revokedAt"] == revoked.json()["revokedAt"]


def test_list_shows_only_that_tenants_keys_revoked_ones_included(
    cli: Cli, tenant: Tenant, other_tenant: Tenant
) -> None:
    kept, gone = create(cli, tenant), create(cli, tenant)
    theirs = create(cli, other_tenant)
    assert cli("keys", "revoke", str(gone["id"]), "--tenant", tenant.partner_id).exit_code == 0
    rows = {r["id"]: r for r in listed(cli, tenant)}
    assert kept["id"] in rows and gone["id"] in rows and theirs["id"] not in rows
    assert rows[kept["id"]]["revokedAt"] is None and rows[gone["id"]]["revokedAt"] is not None
    assert set(rows[kept["id"]]) == {
        "id", "name", "prefix", "scopes", "createdAt", "lastUsedAt", "expiresAt", "revokedAt"
    }  # fmt: skip


def test_another_tenants_key_cannot_be_revoked(
    cli: Cli, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = create(cli, other_tenant)
    r = cli("keys", "revoke", str(theirs["id"]), "--tenant", tenant.partner_id)
    assert r.exit_code == 1
    assert "no API key" in r.stderr
    assert Api(other_tenant.client, str(theirs["key"])).get("/members").status_code == 200


def test_an_unknown_partner_id_is_a_clear_error_on_every_keys_command(cli: Cli) -> None:
    for args in (
        ("create", "--name", "x", "--scopes", "read"),
        ("list",),
        ("revoke", "key_" + "0" * 32),
    ):
        r = cli("keys", *args, "--tenant", "pt_nosuchpartner")
        assert r.exit_code == 1, args
        assert "no tenant with partner id 'pt_nosuchpartner'" in r.stderr, r.stderr


def test_bad_scopes_and_expiries_name_the_option_and_create_nothing(
    cli: Cli, tenant: Tenant
) -> None:
    before = len(listed(cli, tenant))
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    cases = {
        ("--scopes", "members:read,bogus:read"): "--scopes",
        ("--scopes", "read", "--expires-at", past): "--expires-at",
        ("--scopes", "read", "--expires-at", "next tuesday"): "--expires-at",
        ("--scopes", "read", "--expires-in", "3 fortnights"): "--expires-in",
        ("--scopes", "read", "--expires-in", "999999w"): "--expires-in",
        ("--scopes", "read", "--expires-at", "9999-12-31T23:59:59-05:00"): "--expires-at",
        ("--scopes", "read", "--expires-in", "1d", "--expires-at", "2099-01-01"): "--expires-",
    }
    for args, option in cases.items():
        r = cli("keys", "create", "--tenant", tenant.partner_id, "--name", "bad", *args)
        assert r.exit_code != 0, args
        assert option in r.stdout + r.stderr, (args, r.stdout + r.stderr)
    assert len(listed(cli, tenant)) == before


def test_expires_in_and_expires_at_set_the_expiry(cli: Cli, tenant: Tenant) -> None:
    start = datetime.now(UTC)
    soon = create(cli, tenant, "--expires-in", "2h")
    end = datetime.now(UTC)
    when = as_utc(datetime.fromisoformat(str(soon["expiresAt"])))
    assert start + timedelta(hours=2) - timedelta(seconds=1) <= when <= end + timedelta(hours=2)
    fixed = create(cli, tenant, "--expires-at", "2099-01-31T10:00:00")
    assert fixed["expiresAt"] == "2099-01-31T10:00:00.000Z"
    rows = {r["id"]: r for r in listed(cli, tenant)}
    assert rows[fixed["id"]]["expiresAt"] == "2099-01-31T10:00:00.000Z"


def test_tenants_list_names_every_tenant_by_partner_id(
    cli: Cli, tenant: Tenant, other_tenant: Tenant
) -> None:
    rows = cli("tenants", "list", "--json").json()
    by_partner = {r["partnerId"]: r for r in rows}
    assert by_partner[tenant.partner_id]["tenantId"] == f"ten_{tenant.id.hex}"
    assert by_partner[other_tenant.partner_id]["name"] == "Other Co"
    plain = cli("tenants", "list")
    assert plain.exit_code == 0 and tenant.partner_id in plain.stdout


def test_version_prints_the_package_version(cli: Cli) -> None:
    r = cli("--version")
    assert r.exit_code == 0
    assert r.stdout.strip() == f"punchcard {version('punchcard')}"
