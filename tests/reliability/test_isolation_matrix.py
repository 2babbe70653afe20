"""The tenant-isolation matrix, generated from the OpenAPI documents.

Every operation of every face that takes an id in its path is called by another
tenant (its own valid key or owner session) with this tenant's ids and a body this
tenant would have accepted. Each must answer 404, exactly like an id that does not
exist, and this tenant's data must not change. Then this tenant makes the same calls
(destructive ones last) and none of them is a 404: the ids were real.

Operations that take an id in their body are held to the same rule: another tenant
passing this tenant's id gets the answer an unknown id gets.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import Tenant
from tests.reliability.conftest import (
    SecretScanner,
    member_session_token,
    report,
    session_token,
)
from tests.reliability.openapi import FACES, Operation, operations
from tests.reliability.requests import Credentials, body_for, diff, send, snapshot
from tests.reliability.seed import Seeded, path_params, seed

# Ops whose body carries ids of the caller's tenant: the body and the field to swap.
BODY_IDS: dict[str, tuple[str, ...]] = {
    "POST /api/v2/coupons/issue": ("poolId", "memberId"),
    "POST /api/v2/orders": ("memberId",),
    "POST /api/v2/members": ("storeId",),
    "POST /v2/loyalty/award": ("user_email",),
    "POST /v2/loyalty/redeem": ("user_email",),
    "POST /v2/loyalty/deduct": ("user_email",),
}


def _unknown_ids(ids: dict[tuple[str, str], str]) -> dict[tuple[str, str], str]:
    """Well-formed ids of nothing: the same prefixes with other digits."""
    out = {}
    for k, v in ids.items():
        prefix, sep, rest = v.rpartition("_")
        out[k] = f"{prefix}{sep}{'0' * 31}1" if sep and len(rest) == 32 else f"nosuch-{v}"
    return out


def _last(op: Operation) -> int:
    return 1 if op.method == "delete" else 0


@pytest.mark.parametrize("face", sorted(FACES))
def test_another_tenants_ids_are_404_on_every_operation(
    request: pytest.FixtureRequest,
    face: str,
    client: TestClient,
    fresh: Seeded,
    other_tenant: Tenant,
    scanner: SecretScanner,
) -> None:
    a = fresh
    b = seed(other_tenant)  # the prober has data of its own, as a real tenant would
    ids = a.path_ids()
    mine = Credentials(
        a.tenant,
        a.tenant.api.token,
        session_token(a.tenant),
        member_session_token(a.tenant, a.member),
    )
    theirs = Credentials(
        b.tenant,
        b.tenant.api.token,
        session_token(b.tenant),
        member_session_token(b.tenant, b.member),
    )
    scanner.known(mine.key_token, mine.session, theirs.key_token, theirs.session)
    scanner.known(*(t for t in (mine.member_session, theirs.member_session) if t))
    ops = [op for op in operations(face) if op.takes_path_id]
    assert ops, f"no id-bearing operation in the {face} document"

    before = snapshot(a.tenant.db, a.tenant.id)
    leaks: list[str] = []
    for op in ops:
        r = send(client, scanner, op, theirs.headers(op), ids, body_for(op, a))
        if r.status_code != 404:
            leaks.append(f"{op.label}: {r.status_code} {r.text[:200]}")
    changed = diff(before, snapshot(a.tenant.db, a.tenant.id))

    # The same calls by the owner: the ids were real, so nothing here is a 404.
    not_real = []
    for op in sorted(ops, key=_last):
        r = send(client, scanner, op, mine.headers(op), ids, body_for(op, a))
        if r.status_code == 404:
            not_real.append(f"{op.label}: {r.text[:200]}")

    report(
        request,
        f"isolation {face}: {len(ops) - len(leaks)}/{len(ops)} id-bearing operations answered "
        f"404 to another tenant ({len(ops)} of {len(ops)} covered), {len(leaks)} leaks",
    )
    assert not leaks, leaks
    assert not changed, changed
    assert not not_real, not_real


@pytest.mark.parametrize("label", sorted(BODY_IDS))
def test_another_tenants_ids_in_a_body_are_answered_as_unknown_ones(
    label: str, client: TestClient, fresh: Seeded, other_tenant: Tenant, scanner: SecretScanner
) -> None:
    a = fresh
    b = seed(other_tenant)
    op = next(
        o for face in FACES for o in operations(face) if o.label == label
    )  # the document still has it
    theirs = Credentials(b.tenant, b.tenant.api.token, session_token(b.tenant))
    ids = a.path_ids()
    body_a = body_for(op, a)
    body_unknown: dict[str, Any] = dict(body_for(op, b) or {})
    body_probe: dict[str, Any] = dict(body_unknown)
    assert body_a is not None
    for field in BODY_IDS[label]:
        body_probe[field] = body_a[field]
        body_unknown[field] = _unknown_value(str(body_a[field]))
    before = snapshot(a.tenant.db, a.tenant.id)
    probe = send(client, scanner, op, theirs.headers(op), ids, body_probe)
    unknown = send(client, scanner, op, theirs.headers(op), ids, body_unknown)
    assert not diff(before, snapshot(a.tenant.db, a.tenant.id))
    assert probe.status_code == unknown.status_code, (probe.text, unknown.text)
    assert probe.status_code >= 400 or label.startswith("POST /v2/loyalty"), probe.text
    if probe.status_code >= 400:
        assert _code(probe.json()) == _code(unknown.json()), (probe.text, unknown.text)


def _unknown_value(value: str) -> str:
    if "@" in value:
        return f"nobody-{value}"
    prefix, sep, rest = value.rpartition("_")
    return f"{prefix}{sep}{'0' * 31}1" if sep and len(rest) == 32 else f"nosuch-{value}"


def _code(body: dict[str, Any]) -> Any:
    if "error" in body:
        return body["error"].get("code")
    return body.get("reason")


def test_every_path_parameter_has_a_seeded_id(fresh: Seeded) -> None:
    """A new endpoint with an id nobody seeds would drop out of the matrices."""
    ids = fresh.path_ids()
    missing = [
        f"{op.label}: {p}"
        for face in FACES
        for op in operations(face)
        for p in path_params(op.path)
        if p not in ids
    ]
    assert not missing, missing
