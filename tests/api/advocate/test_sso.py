"""The advocate face's SSO group: ``POST /api/v1/sso/recognize`` and
``GET|POST /api/v1/sso/mappings``, as the document describes them (SPEC §4)."""

from __future__ import annotations

import hashlib
import hmac
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from punchcard.models import Member, SsoMapping
from tests.conftest import TestClock as Clock
from tests.factories import Api, Tenant, balance, unique

V1 = "/api/v1"
PINNED = datetime(2026, 12, 5, 12, 0, 0, tzinfo=UTC)


def v1(api: Api) -> Api:
    return Api(api.client, api.token, base=V1)


def secret_of(t: Tenant) -> str:
    r = t.api.post("/settings/sso-secret")
    assert r.status_code == 200, r.text
    return str(r.json()["ssoSecret"])


def signature(secret: str, business: str, customer: str, ts: int) -> str:
    """The document's recipe, written out here (not the service's own helper)."""
    msg = f"{business}:{customer}:{ts}".encode()
    return hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()


def body(
    t: Tenant, secret: str, customer: str, ts: int, *, business: str | None = None
) -> dict[str, Any]:
    business = t.partner_id if business is None else business
    return {
        "businessId": business,
        "externalCustomerId": customer,
        "timestamp": ts,
        "signature": signature(secret, business, customer, ts),
    }


@pytest.fixture
def now(clock: Clock) -> int:
    """Time pinned to a whole second, so ±300 s is exact."""
    return int(clock.freeze(PINNED).timestamp())


def recognize(t: Tenant, payload: dict[str, Any], api: Api | None = None) -> Any:
    return v1(api or t.api).post("/sso/recognize", json=payload)


def members_with_external_id(t: Tenant, external: str) -> int:
    with t.db.transaction(write=False) as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(Member)
                .where(Member.tenant_id == t.id, Member.external_id == external)
            )
            or 0
        )


def mappings_of(t: Tenant, external: str) -> list[SsoMapping]:
    with t.db.transaction(write=False) as s:
        return list(
            s.scalars(
                select(SsoMapping).where(
                    SsoMapping.tenant_id == t.id, SsoMapping.external_customer_id == external
                )
            )
        )


def error(r: Any, status: int, code: str | None = None, field: str | None = None) -> None:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    if code is not None:
        assert err["code"] == code, err
    assert err["field"] == field, err


# --- recognize: the good paths -------------------------------------------------------


def test_an_unmapped_customer_is_enrolled_once_and_mapped(tenant: Tenant, now: int) -> None:
    secret, customer = secret_of(tenant), unique("cust")
    r = recognize(tenant, body(tenant, secret, customer, now))
    assert r.status_code == 200, r.text
    first = r.json()
    assert set(first) == {"advocateId", "sessionToken"}
    assert first["advocateId"].startswith("mem_")
    assert first["sessionToken"].startswith("fl_mbr_")
    # A second sign-in (a new signature) is the same advocate, not a new enrolment.
    r = recognize(tenant, body(tenant, secret, customer, now - 10))
    assert r.status_code == 200, r.text
    assert r.json()["advocateId"] == first["advocateId"]
    assert r.json()["sessionToken"] != first["sessionToken"]
    assert members_with_external_id(tenant, customer) == 1
    (mapping,) = mappings_of(tenant, customer)
    assert f"mem_{mapping.member_id.hex}" == first["advocateId"]
    # The advocate is the member the native face sees, keyed by the external id.
    member = tenant.api.get(f"/members/{first['advocateId']}").json()
    assert member["externalId"] == customer


def test_a_mapped_customer_resolves_to_its_advocate(tenant: Tenant, now: int) -> None:
    secret = secret_of(tenant)
    advocate = tenant.api.post("/members", json={"email": f"{unique('a')}@example.com"}).json()
    customer = unique("cust")
    r = v1(tenant.api).post(
        "/sso/mappings", json={"advocateId": advocate["id"], "externalCustomerId": customer}
    )
    assert r.status_code == 201, r.text
    r = recognize(tenant, body(tenant, secret, customer, now))
    assert r.status_code == 200, r.text
    assert r.json()["advocateId"] == advocate["id"]
    assert members_with_external_id(tenant, customer) == 0  # nobody enrolled


def test_a_member_with_the_external_id_is_reused_and_mapped(tenant: Tenant, now: int) -> None:
    secret, customer = secret_of(tenant), unique("cust")
    existing = tenant.api.post("/members", json={"externalId": customer}).json()
    r = recognize(tenant, body(tenant, secret, customer, now))
    assert r.status_code == 200, r.text
    assert r.json()["advocateId"] == existing["id"]
    assert len(mappings_of(tenant, customer)) == 1


def test_a_numeric_customer_id_is_signed_as_its_decimal_string(tenant: Tenant, now: int) -> None:
    secret = secret_of(tenant)
    payload = body(tenant, secret, "4711", now) | {"externalCustomerId": 4711}
    r = recognize(tenant, payload)
    assert r.status_code == 200, r.text
    payload = body(tenant, secret, "4711", now - 1) | {"timestamp": str(now - 1)}
    r2 = recognize(tenant, payload)
    assert r2.status_code == 200, r2.text
    assert r2.json()["advocateId"] == r.json()["advocateId"]


# --- recognize: refusals --------------------------------------------------------------


def test_a_replayed_signature_is_refused(tenant: Tenant, now: int) -> None:
    secret, customer = secret_of(tenant), unique("cust")
    payload = body(tenant, secret, customer, now)
    assert recognize(tenant, payload).status_code == 200
    error(recognize(tenant, payload), 401, "SSO_SIGNATURE_REPLAYED", "signature")
    # Still refused later in the window, and in upper case (the same signature).
    upper = payload | {"signature": payload["signature"].upper()}
    error(recognize(tenant, upper), 401, "SSO_SIGNATURE_REPLAYED", "signature")


def test_a_refused_request_does_not_use_up_its_signature(
    tenant: Tenant, now: int, clock: Clock
) -> None:
    secret, customer = secret_of(tenant), unique("cust")
    payload = body(tenant, secret, customer, now)
    clock.freeze(PINNED.replace(minute=10))  # 600 s later: stale
    error(recognize(tenant, payload), 401, "SSO_TIMESTAMP_EXPIRED", "timestamp")
    clock.freeze(PINNED)
    assert recognize(tenant, payload).status_code == 200


@pytest.mark.parametrize("skew", [299, 300, -299, -300])
def test_a_timestamp_within_300_seconds_is_accepted(tenant: Tenant, now: int, skew: int) -> None:
    secret = secret_of(tenant)
    r = recognize(tenant, body(tenant, secret, unique("cust"), now + skew))
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("skew", [301, -301, 86_400, -86_400])
def test_a_timestamp_beyond_300_seconds_is_refused(tenant: Tenant, now: int, skew: int) -> None:
    secret, customer = secret_of(tenant), unique("cust")
    error(
        recognize(tenant, body(tenant, secret, customer, now + skew)),
        401,
        "SSO_TIMESTAMP_EXPIRED",
        "timestamp",
    )
    assert members_with_external_id(tenant, customer) == 0


def test_a_wrong_secret_is_refused(tenant: Tenant, now: int) -> None:
    secret_of(tenant)
    customer = unique("cust")
    error(
        recognize(tenant, body(tenant, "sso_not-the-secret", customer, now)),
        401,
        "SSO_INVALID_SIGNATURE",
        "signature",
    )
    assert members_with_external_id(tenant, customer) == 0


def test_a_rotated_secret_stops_verifying(tenant: Tenant, now: int) -> None:
    old = secret_of(tenant)
    secret_of(tenant)
    error(
        recognize(tenant, body(tenant, old, unique("c"), now)),
        401,
        "SSO_INVALID_SIGNATURE",
        "signature",
    )


def test_a_signature_for_other_fields_is_refused(tenant: Tenant, now: int) -> None:
    secret = secret_of(tenant)
    payload = body(tenant, secret, unique("cust"), now)
    swapped = payload | {"externalCustomerId": unique("someone-else")}
    error(recognize(tenant, swapped), 401, "SSO_INVALID_SIGNATURE", "signature")
    later = payload | {"timestamp": now + 1}
    error(recognize(tenant, later), 401, "SSO_INVALID_SIGNATURE", "signature")


def test_another_tenants_partner_id_is_refused(
    tenant: Tenant, other_tenant: Tenant, now: int
) -> None:
    """A signature made by the other business (its partner id and its secret) does not
    sign anyone in with this business's key."""
    secret_of(tenant)
    theirs = secret_of(other_tenant)
    customer = unique("cust")
    payload = body(other_tenant, theirs, customer, now)
    error(recognize(tenant, payload), 401, "SSO_BUSINESS_MISMATCH", "businessId")
    # Their partner id signed with our secret is refused the same way.
    ours = secret_of(tenant)
    payload = body(tenant, ours, customer, now, business=other_tenant.partner_id)
    error(recognize(tenant, payload), 401, "SSO_BUSINESS_MISMATCH", "businessId")
    # Our partner id signed with their secret: the signature does not match.
    payload = body(tenant, theirs, customer, now)
    error(recognize(tenant, payload), 401, "SSO_INVALID_SIGNATURE", "signature")
    assert members_with_external_id(tenant, customer) == 0
    assert members_with_external_id(other_tenant, customer) == 0


def test_without_an_sso_secret_recognize_is_refused(tenant: Tenant, now: int) -> None:
    payload = body(tenant, "anything", unique("cust"), now)
    error(recognize(tenant, payload), 401, "SSO_NOT_CONFIGURED", None)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("businessId", None),
        ("businessId", 12),
        ("businessId", ""),
        ("externalCustomerId", None),
        ("externalCustomerId", ""),
        ("externalCustomerId", "   "),
        ("externalCustomerId", "x" * 256),
        ("externalCustomerId", "a\x00b"),
        ("externalCustomerId", True),
        ("timestamp", None),
        ("timestamp", "soon"),
        ("timestamp", 1.5),
        ("timestamp", True),
        ("timestamp", 10**18),
        ("signature", None),
        ("signature", "abc"),
        ("signature", "g" * 64),
        ("signature", 7),
    ],
)
def test_malformed_fields_are_400_naming_them(
    tenant: Tenant, now: int, field: str, value: Any
) -> None:
    payload = body(tenant, secret_of(tenant), unique("cust"), now)
    if value is None:
        del payload[field]
    else:
        payload[field] = value
    error(recognize(tenant, payload), 400, None, field)


def test_an_unknown_field_is_400_naming_it(tenant: Tenant, now: int) -> None:
    payload = body(tenant, secret_of(tenant), unique("cust"), now) | {"email": "a@b.co"}
    error(recognize(tenant, payload), 400, None, "email")


def test_concurrent_recognizes_of_a_new_customer_enrol_one_member(tenant: Tenant, now: int) -> None:
    secret, customer = secret_of(tenant), unique("cust")
    n = 6
    payloads = [body(tenant, secret, customer, now - i) for i in range(n)]
    barrier = threading.Barrier(n)
    answers: list[Any] = [None] * n

    def one(i: int) -> None:
        barrier.wait()
        answers[i] = recognize(tenant, payloads[i])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert [a.status_code for a in answers] == [200] * n, [a.text for a in answers]
    assert len({a.json()["advocateId"] for a in answers}) == 1
    assert members_with_external_id(tenant, customer) == 1
    assert len(mappings_of(tenant, customer)) == 1


def test_a_banned_advocate_is_refused_and_keeps_its_signature_unused(
    tenant: Tenant, now: int
) -> None:
    secret, customer = secret_of(tenant), unique("cust")
    member = tenant.api.post("/members", json={"externalId": customer}).json()["id"]
    assert tenant.api.patch(f"/members/{member}", json={"status": "banned"}).status_code == 200
    payload = body(tenant, secret, customer, now)
    error(recognize(tenant, payload), 403, "MEMBER_BANNED", None)
    assert mappings_of(tenant, customer) == []  # nothing of the refused request stayed
    assert tenant.api.patch(f"/members/{member}", json={"status": "active"}).status_code == 200
    assert recognize(tenant, payload).status_code == 200


def test_an_idempotent_replay_never_hands_out_the_token_again(tenant: Tenant, now: int) -> None:
    payload = body(tenant, secret_of(tenant), unique("cust"), now)
    key = {"Idempotency-Key": unique("idem")}
    first = v1(tenant.api).post("/sso/recognize", json=payload, headers=key)
    assert first.status_code == 200, first.text
    again = v1(tenant.api).post("/sso/recognize", json=payload, headers=key)
    assert again.status_code == 200, again.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == {"advocateId": first.json()["advocateId"], "sessionToken": None}


# --- recognize: auth -------------------------------------------------------------------


def test_recognize_needs_a_key(tenant: Tenant, now: int) -> None:
    payload = body(tenant, secret_of(tenant), unique("cust"), now)
    r = tenant.client.post(f"{V1}/sso/recognize", json=payload)
    error(r, 401, "UNAUTHORIZED", None)


def test_recognize_needs_members_write(tenant: Tenant, now: int) -> None:
    payload = body(tenant, secret_of(tenant), unique("cust"), now)
    r = recognize(tenant, payload, tenant.key_without("members:write"))
    error(r, 403, "INSUFFICIENT_SCOPE", None)
    assert recognize(tenant, payload, tenant.key("members:write")).status_code == 200


# --- the session token ------------------------------------------------------------------


def _token(t: Tenant, now: int) -> tuple[str, str]:
    r = recognize(t, body(t, secret_of(t), unique("cust"), now))
    assert r.status_code == 200, r.text
    return r.json()["advocateId"], r.json()["sessionToken"]


def test_the_session_token_signs_the_member_in_on_me(tenant: Tenant, now: int) -> None:
    advocate, token = _token(tenant, now)
    r = Api(tenant.client, token).get("/me")
    assert r.status_code == 200, r.text
    assert r.json()["id"] == advocate


def test_the_session_token_is_refused_by_api_key_routes(tenant: Tenant, now: int) -> None:
    advocate, token = _token(tenant, now)
    member = Api(tenant.client, token)
    # Its own member, on the routes an API key uses: refused, not served.
    for r in (
        v1(member).get(f"/advocates/{advocate}"),
        v1(member).get("/sso/mappings"),
        v1(member).post("/sso/mappings", json={"advocateId": advocate, "externalCustomerId": "x"}),
        v1(member).post("/sso/recognize", json=body(tenant, "s", "c", now)),
        member.get(f"/members/{advocate}"),
        member.get("/members"),
        member.post(f"/members/{advocate}/points", json={"amount": 5}),
        member.get("/settings"),
    ):
        assert r.status_code in (401, 403), (r.request.url, r.status_code, r.text)
    assert balance(tenant, advocate) == 0


def test_me_refuses_api_keys_and_users(tenant: Tenant) -> None:
    error(tenant.api.get("/me"), 403, "INSUFFICIENT_SCOPE", None)
    error(tenant.owner.get("/me"), 403, "INSUFFICIENT_SCOPE", None)
    error(tenant.client.get("/api/v2/me"), 401, "UNAUTHORIZED", None)


def test_a_token_of_another_tenant_cannot_be_forged_from_ours(
    tenant: Tenant, other_tenant: Tenant, now: int
) -> None:
    """The token names its tenant; swapping the tenant part makes it unknown."""
    _, token = _token(tenant, now)
    forged = token.replace(tenant.id.hex, other_tenant.id.hex)
    error(Api(tenant.client, forged).get("/me"), 401, "UNAUTHORIZED", None)


# --- mappings -----------------------------------------------------------------------------


def _advocate(t: Tenant) -> str:
    r = t.api.post("/members", json={"email": f"{unique('adv')}@example.com"})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_create_a_mapping_returns_it(tenant: Tenant) -> None:
    advocate, customer = _advocate(tenant), unique("cust")
    r = v1(tenant.api).post(
        "/sso/mappings",
        json={
            "advocateId": advocate,
            "externalCustomerId": customer,
            "externalEmail": "Ada@Example.com",
            "externalName": "Ada Lovelace",
        },
    )
    assert r.status_code == 201, r.text
    mapping = r.json()["mapping"]
    assert mapping["id"].startswith("map_")
    assert mapping["advocateId"] == advocate
    assert mapping["externalCustomerId"] == customer
    assert mapping["externalEmail"] == "ada@example.com"
    assert mapping["externalName"] == "Ada Lovelace"
    assert mapping["createdAt"]


def test_list_mappings_pages_oldest_first(tenant: Tenant, clock: Clock) -> None:
    advocate = _advocate(tenant)
    made = []
    clock.freeze(PINNED)
    for i in range(3):
        clock.advance(seconds=1)
        r = v1(tenant.api).post(
            "/sso/mappings", json={"advocateId": advocate, "externalCustomerId": f"c{i}"}
        )
        assert r.status_code == 201, r.text
        made.append(r.json()["mapping"]["id"])
    r = v1(tenant.api).get("/sso/mappings")
    assert r.status_code == 200, r.text
    assert list(r.json()) == ["mappings"]
    assert [m["id"] for m in r.json()["mappings"]] == made
    r = v1(tenant.api).get("/sso/mappings", params={"page": 2, "limit": 2})
    assert [m["id"] for m in r.json()["mappings"]] == made[2:]
    r = v1(tenant.api).get("/sso/mappings", params={"page": 3, "limit": 2})
    assert r.json() == {"mappings": []}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": 0}, "page"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"page": "x"}, "page"),
    ],
)
def test_list_mappings_refuses_bad_paging(
    tenant: Tenant, params: dict[str, Any], field: str
) -> None:
    error(v1(tenant.api).get("/sso/mappings", params=params), 400, "VALIDATION_ERROR", field)


def test_mappings_are_per_tenant(tenant: Tenant, other_tenant: Tenant) -> None:
    advocate = _advocate(tenant)
    r = v1(tenant.api).post(
        "/sso/mappings", json={"advocateId": advocate, "externalCustomerId": "shared-id"}
    )
    assert r.status_code == 201, r.text
    assert v1(other_tenant.api).get("/sso/mappings").json() == {"mappings": []}
    # The same external id is free in the other tenant; our advocate is unknown there.
    theirs = _advocate(other_tenant)
    r = v1(other_tenant.api).post(
        "/sso/mappings", json={"advocateId": theirs, "externalCustomerId": "shared-id"}
    )
    assert r.status_code == 201, r.text
    r = v1(other_tenant.api).post(
        "/sso/mappings", json={"advocateId": advocate, "externalCustomerId": "another"}
    )
    error(r, 404, "NOT_FOUND", "advocateId")


def test_a_duplicate_external_customer_id_is_400_naming_it(tenant: Tenant) -> None:
    advocate, customer = _advocate(tenant), unique("cust")
    payload = {"advocateId": advocate, "externalCustomerId": customer}
    assert v1(tenant.api).post("/sso/mappings", json=payload).status_code == 201
    other = _advocate(tenant)
    r = v1(tenant.api).post("/sso/mappings", json=payload | {"advocateId": other})
    error(r, 400, "DUPLICATE_MAPPING", "externalCustomerId")
    assert len(mappings_of(tenant, customer)) == 1


def test_an_unknown_advocate_is_404_naming_advocate_id(tenant: Tenant) -> None:
    for advocate in ("mem_" + "0" * 32, "nonsense"):
        r = v1(tenant.api).post(
            "/sso/mappings", json={"advocateId": advocate, "externalCustomerId": unique("c")}
        )
        error(r, 404, "NOT_FOUND", "advocateId")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("advocateId", None),
        ("advocateId", 5),
        ("externalCustomerId", None),
        ("externalCustomerId", ""),
        ("externalCustomerId", "x" * 256),
        ("externalEmail", "not-an-email"),
        ("externalEmail", 5),
        ("externalName", "n" * 201),
        ("externalName", "a\x00b"),
        ("unknown", "x"),
    ],
)
def test_create_mapping_refuses_bad_fields(tenant: Tenant, field: str, value: Any) -> None:
    payload: dict[str, Any] = {"advocateId": _advocate(tenant), "externalCustomerId": unique("c")}
    if value is None:
        del payload[field]
    else:
        payload[field] = value
    error(v1(tenant.api).post("/sso/mappings", json=payload), 400, None, field)


def test_mappings_need_the_members_scopes(tenant: Tenant) -> None:
    payload = {"advocateId": _advocate(tenant), "externalCustomerId": unique("c")}
    r = v1(tenant.key_without("members:read")).get("/sso/mappings")
    error(r, 403, "INSUFFICIENT_SCOPE", None)
    r = v1(tenant.key("members:read")).post("/sso/mappings", json=payload)
    error(r, 403, "INSUFFICIENT_SCOPE", None)
    assert v1(tenant.key("members:read")).get("/sso/mappings").status_code == 200
    assert v1(tenant.key("members:write")).post("/sso/mappings", json=payload).status_code == 201
    for r in (
        tenant.client.get(f"{V1}/sso/mappings"),
        tenant.client.post(f"{V1}/sso/mappings", json=payload),
    ):
        error(r, 401, "UNAUTHORIZED", None)
