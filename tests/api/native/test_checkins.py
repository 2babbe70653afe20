"""QR check-ins: POST /api/v2/checkins with the member portal's signed token."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from punchcard.checkins import tokens
from punchcard.config import Settings
from tests import conftest
from tests.api.native.test_captures import make_store, set_timezone
from tests.api.native.test_members import make_member
from tests.factories import Tenant


def token(settings: Settings, t: Tenant, member_id: str, at: datetime, **kw: Any) -> str:
    """The token the portal's home page shows the member at ``at``."""
    return tokens.mint(
        kw.pop("secret", settings.secret_key),
        tenant_id=t.id,
        member_id=uuid.UUID(member_id.split("_", 1)[1]),
        at=at,
        **kw,
    )


def scan(t: Tenant, qr: str, store: str, api: Any = None) -> Any:
    return (api or t.api).post("/checkins", json={"qr": qr, "storeId": store})


def captures_of(t: Tenant, member_id: str) -> list[dict[str, Any]]:
    r = t.api.get("/captures", params={"memberId": member_id, "source": "checkin"})
    assert r.status_code == 200, r.text
    return list(r.json()["captures"])


def assert_invalid(r: Any) -> None:
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "INVALID_CHECKIN_TOKEN"
    assert r.json()["error"]["field"] == "qr"


def test_a_scan_checks_the_member_in_once_a_day_at_a_store(
    tenant: Tenant, settings: Settings, clock: conftest.TestClock
) -> None:
    at = clock.freeze(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    m, st = make_member(tenant), make_store(tenant)
    first = scan(tenant, token(settings, tenant, m["id"], at), st["id"])
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["memberId"] == m["id"] and body["isNewCapture"] is True
    cap = body["capture"]
    assert (cap["memberId"], cap["storeId"], cap["source"]) == (m["id"], st["id"], "checkin")
    # The same day, a fresh token, by store code: the same capture.
    clock.advance(hours=6)
    again = scan(tenant, token(settings, tenant, m["id"], clock.now()), st["code"])
    assert again.status_code == 200 and again.json()["isNewCapture"] is False
    assert again.json()["capture"]["id"] == cap["id"]
    assert len(captures_of(tenant, m["id"])) == 1


def test_another_store_or_the_next_local_day_is_a_new_capture(
    tenant: Tenant, settings: Settings, clock: conftest.TestClock
) -> None:
    set_timezone(tenant, "America/New_York")
    # 23:00 in New York on May 4th (03:00 UTC on the 5th).
    at = clock.freeze(datetime(2026, 5, 5, 3, 0, tzinfo=UTC))
    m, one, two = make_member(tenant), make_store(tenant), make_store(tenant)
    assert scan(tenant, token(settings, tenant, m["id"], at), one["id"]).json()["isNewCapture"]
    other = scan(tenant, token(settings, tenant, m["id"], at), two["id"])
    assert other.json()["isNewCapture"] is True
    # Two hours later it is May 5th in New York: a new day at the first store.
    later = clock.advance(hours=2)
    next_day = scan(tenant, token(settings, tenant, m["id"], later), one["id"])
    assert next_day.json()["isNewCapture"] is True
    assert len(captures_of(tenant, m["id"])) == 3


def test_an_expired_token_is_refused(
    tenant: Tenant, settings: Settings, clock: conftest.TestClock
) -> None:
    at = clock.freeze(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    m, st = make_member(tenant), make_store(tenant)
    qr = token(settings, tenant, m["id"], at)
    clock.advance(seconds=tokens.TTL_SECONDS - 1)
    assert scan(tenant, qr, st["id"]).status_code == 200
    clock.advance(seconds=1)
    assert_invalid(scan(tenant, qr, st["id"]))


def test_a_forged_or_malformed_token_never_resolves_a_member(
    tenant: Tenant, settings: Settings, clock: conftest.TestClock
) -> None:
    at = clock.freeze(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    m, st = make_member(tenant), make_store(tenant)
    good = token(settings, tenant, m["id"], at)
    raw = bytearray(base64.urlsafe_b64decode(good[4:] + "=" * (-len(good[4:]) % 4)))
    raw[-1] ^= 1  # one bit of the MAC
    flipped = "pc1." + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    # A later expiry with the old MAC: the member may not extend their own code.
    raw = bytearray(base64.urlsafe_b64decode(good[4:] + "=" * (-len(good[4:]) % 4)))
    raw[35] ^= 0x7F
    extended = "pc1." + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    for qr in (
        flipped,
        extended,
        token(settings, tenant, m["id"], at, secret="another installation's key"),
        "pc1.",
        "pc1.!!!",
        "hello",
        good[:-4],
        good + "AAAA",
        m["id"],
    ):
        assert_invalid(scan(tenant, qr, st["id"]))
    assert captures_of(tenant, m["id"]) == []


def test_another_tenants_token_is_a_404(
    tenant: Tenant, other_tenant: Tenant, settings: Settings, clock: conftest.TestClock
) -> None:
    at = clock.freeze(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    theirs = make_member(other_tenant)
    st = make_store(tenant)
    r = scan(tenant, token(settings, other_tenant, theirs["id"], at), st["id"])
    assert r.status_code == 404, r.text
    assert r.json()["error"]["field"] == "qr" and theirs["id"] not in r.text
    assert captures_of(other_tenant, theirs["id"]) == []


def test_a_key_without_captures_write_is_refused(
    tenant: Tenant, settings: Settings, clock: conftest.TestClock
) -> None:
    at = clock.freeze(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    m, st = make_member(tenant), make_store(tenant)
    api = tenant.key_without("captures:write")
    r = scan(tenant, token(settings, tenant, m["id"], at), st["id"], api=api)
    assert r.status_code == 403 and r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"
    assert captures_of(tenant, m["id"]) == []


def test_missing_fields_and_an_unknown_store_are_400s_naming_the_field(
    tenant: Tenant, settings: Settings, clock: conftest.TestClock
) -> None:
    at = clock.freeze(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    m = make_member(tenant)
    qr = token(settings, tenant, m["id"], at)
    st = make_store(tenant)
    for body, field in (
        ({"storeId": st["id"]}, "qr"),
        ({"qr": qr}, "storeId"),
        ({"qr": "", "storeId": st["id"]}, "qr"),
        ({"qr": qr, "storeId": st["id"], "extra": 1}, "extra"),
    ):
        r = tenant.api.post("/checkins", json=body)
        assert r.status_code == 400, r.text
        assert r.json()["error"]["field"] == field
    unknown = scan(tenant, qr, "NO-SUCH-STORE")
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "storeId"
    assert captures_of(tenant, m["id"]) == []


def test_a_banned_members_code_checks_nobody_in(
    tenant: Tenant, settings: Settings, clock: conftest.TestClock
) -> None:
    at = clock.freeze(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    m, st = make_member(tenant), make_store(tenant)
    qr = token(settings, tenant, m["id"], at)
    assert tenant.api.patch(f"/members/{m['id']}", json={"status": "banned"}).status_code == 200
    r = scan(tenant, qr, st["id"])
    assert r.status_code == 403 and r.json()["error"]["code"] == "MEMBER_BANNED"


def test_the_route_is_documented(tenant: Tenant) -> None:
    doc = tenant.client.get("/api/v2/openapi.json").json()
    op = doc["paths"]["/api/v2/checkins"]["post"]
    assert {"200", "400", "404"} <= set(op["responses"])
    assert "INVALID_CHECKIN_TOKEN" in op["responses"]["400"]["description"]


def test_a_token_is_short_and_expires_minutes_ahead(settings: Settings) -> None:
    at = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    t, m = uuid.uuid4(), uuid.uuid4()
    qr = tokens.mint(settings.secret_key, tenant_id=t, member_id=m, at=at)
    assert qr.startswith("pc1.") and len(qr) < 80
    claims = tokens.read(settings.secret_key, qr, at=at)
    assert (claims.tenant_id, claims.member_id) == (t, m)
    assert claims.expires_at == at + timedelta(seconds=tokens.TTL_SECONDS)
