"""Extreme dates and numbers in every field of every face (issue 13).

Real systems send values at the edges: ERPs write "no end date" as 12/31/9999, a
counter overflows to 2^63, a float field carries 1e308. For every operation of every
face, each query and body field whose documented type is a date, a date-time, an
integer or a number gets each boundary value of its kind, alone (on top of a body the
seeded tenant would accept) and all together (every such field of the operation at
once, optional ones included, and once more with every optional text field set
beside them: ShopSocially's huge ``points_passed`` failed only with an ``order_id``).
No answer may be a 5xx, and a 400 must name a field it was sent. ShopSocially's dates
are text in its own formats (``MM/DD/YYYY``, ``DD-Mon-YYYY``): its date parameters get
those spellings too.

A deterministic product, bounded so the whole file runs in well under two minutes;
the counts go to the end-of-run reliability summary and docs/reliability.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import unique
from tests.reliability.conftest import SecretScanner, report, session_token
from tests.reliability.openapi import FACES, Operation, document, operations
from tests.reliability.requests import body_for, credentials, query_for, send
from tests.reliability.seed import Seeded, fill_path

DATES = ["0001-01-01", "9999-12-31", "1899-12-31", "9000-12-31"]
TIMES = [
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00+05:00",
]
# ShopSocially's own spellings (MM/DD/YYYY, DD-Mon-YYYY) and the ISO ones it also reads.
SS_DATES = ["12/31/9999", "01/01/0001", "31-Dec-9999", "01-Jan-0001", "9999-12-31", "0001-01-01"]
INTEGERS: list[Any] = [
    0,
    -1,
    2**31,
    -(2**31) - 1,
    2**53,
    -(2**53),
    2**63,
    -(2**63) - 1,
    10**40,
    1e308,
    -0.0,
]
NUMBERS: list[Any] = [*INTEGERS, -1e308, "9" * 40 + ".99", "1E+400", "-0", "0.0000000001"]
KINDS = {"date": DATES, "date-time": TIMES, "ss-date": SS_DATES, "integer": INTEGERS}
KINDS["number"] = NUMBERS

# Operations whose call changes who is calling (a logout ends the session, a password
# change every other): not about input values, and they would end the suite's session.
_SKIPPED_PATHS = ("/auth/",)


def _kind(prop: dict[str, Any], face: str) -> str | None:
    """The boundary class of a documented field (None: not a date or a number)."""
    arms = prop.get("anyOf") or prop.get("oneOf") or [prop]
    for arm in arms:
        fmt, typ = arm.get("format"), arm.get("type")
        if fmt in ("date", "date-time"):
            return str(fmt)
        if typ in ("integer", "number"):
            return str(typ)
    text = f"{prop.get('description', '')} {prop.get('title', '')}"
    if face == "shopsocially" and ("MM/DD/YYYY" in text or "DD-Mon-YYYY" in text):
        return "ss-date"
    return None


@dataclass(frozen=True)
class Field:
    name: str
    where: str  # "query" or "body"
    kind: str


def fields(op: Operation) -> list[Field]:
    doc = document(op.face)
    out = [
        Field(p["name"], "query", kind)
        for p in op.raw.get("parameters", [])
        if p.get("in") == "query"
        and (
            kind := _kind({**p.get("schema", {}), "description": p.get("description", "")}, op.face)
        )
    ]
    schema = op.body_schema(doc) or {}
    for name, prop in (schema.get("properties") or {}).items():
        kind = _kind(prop, op.face)
        if kind:
            out.append(Field(name, "body", kind))
    return out


def optional_text(op: Operation) -> list[str]:
    """The body's optional plain-text fields (``order_id`` beside ``points_passed``):
    set together with the boundary values, as a caller sending everything would."""
    schema = op.body_schema(document(op.face)) or {}
    required = set(schema.get("required") or ())
    out = []
    for name, prop in (schema.get("properties") or {}).items():
        arms = prop.get("anyOf") or [prop]
        plain = any(
            a.get("type") == "string" and not a.get("format") and not a.get("enum") for a in arms
        )
        if plain and name not in required and _kind(prop, op.face) is None:
            out.append(name)
    return out


def _targets() -> list[Operation]:
    return [
        op
        for face in FACES
        for op in operations(face)
        if op.method != "delete" and not any(s in op.path for s in _SKIPPED_PATHS) and fields(op)
    ]


TARGETS = _targets()


def cases(op: Operation) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """``(values by field, the field names)``: each value alone, then every field of
    the operation set at once, once for each position in the value lists, without and
    then with every optional text field of the body (``order_id``) set too."""
    fs = fields(op)
    for f in fs:
        for value in KINDS[f.kind]:
            yield {f.name: (f, value)}, [f.name]
    texts = {n: (Field(n, "body", "text"), unique("ext")) for n in optional_text(op)}
    for extra in ({}, texts) if texts else ({},):
        if len(fs) + len(extra) < 2:
            continue
        for i in range(max(len(KINDS[f.kind]) for f in fs)):
            values = {f.name: (f, KINDS[f.kind][i % len(KINDS[f.kind])]) for f in fs}
            values.update(extra)
            yield values, list(values)


def _call(
    client: TestClient,
    scanner: SecretScanner,
    op: Operation,
    headers: dict[str, str],
    seeded: Seeded,
    values: dict[str, tuple[Field, Any]],
) -> Any:
    body = _body(op, seeded)
    query = dict(query_for(op) or {})
    for name, (f, value) in values.items():
        if f.where == "query":
            query[name] = str(value)
        else:
            body = {**(body or {}), name: value}
    path_op = Operation(op.face, op.method, op.path, op.raw)
    if not query:
        return send(client, scanner, path_op, headers, seeded.path_ids(), body)
    path = fill_path(op.path, seeded.path_ids())
    r = client.request(op.method.upper(), path, headers=headers, json=body, params=query)
    scanner.check(op.method.upper(), path, r.status_code, r.content)
    return r


# Bodies that make the operation's other fields valid, so that a refusal is about the
# boundary value (the shared recipes in `requests.BODIES` aim at other checks).
BODIES: dict[str, Any] = {
    "POST /v2/loyalty/deduct": lambda s: {
        "user_email": s.member_email,
        "reason": "extremes",
        "points_passed": 1,
    },
    "POST /v2/loyalty/activities": lambda s: {
        "activity_id": unique("act").replace("-", "_"),
        "activity_name": "Extremes",
        "activity_type": "fixed",
        "points_per_activity": 1,
    },
    "POST /v2/loyalty/redemptions": lambda s: {
        "redemption_id": unique("rd").replace("-", "_"),
        "redemption_name": "Extremes",
        "allowed_redeem_points": 1,
        "redemption_value": "$1",
        "giftcard_coupon_codes": unique("X"),
        "coupon_expiry": "30-May-2099",
    },
    "POST /v2/loyalty/levels": lambda s: {
        "level_id": unique("lvl"),
        "level_name": "Extremes",
        "level_type": "lifetime",
        "level_position": 1,
        "level_minimum_points": 10**9,
    },
}


def _body(op: Operation, seeded: Seeded) -> dict[str, Any] | None:
    recipe = BODIES.get(op.label)
    return recipe(seeded) if recipe else body_for(op, seeded)


def _acceptable(r: Any, names: list[str], baseline: Any) -> bool:
    """A 400 names a field it was sent, or is the operation's own refusal without any
    boundary value (a recipe body the seeded state refuses: the same answer)."""
    if r.status_code != 400:
        return True
    if baseline.status_code == 400 and r.text == baseline.text:
        return True
    return any(name in r.text for name in names)


@pytest.mark.parametrize("face", list(FACES))
def test_extreme_dates_and_numbers_never_answer_5xx(
    request: pytest.FixtureRequest,
    face: str,
    client: TestClient,
    seeded: Seeded,
    scanner: SecretScanner,
) -> None:
    creds = credentials(seeded, session_token(seeded.tenant))
    scanner.known(seeded.tenant.api.token, seeded.tenant.owner.token, creds.session)
    ops = [op for op in TARGETS if op.face == face]
    assert ops, f"no date or number fields found on {face}"
    problems: list[str] = []
    counts: dict[str, int] = {}
    total = 0
    for op in ops:
        baseline = _call(client, scanner, op, creds.headers(op), seeded, {})
        for values, names in cases(op):
            total += 1
            for f, _ in values.values():
                if f.kind in KINDS:
                    counts[f.kind] = counts.get(f.kind, 0) + 1
            r = _call(client, scanner, op, creds.headers(op), seeded, values)
            sent = {n: v for n, (_, v) in values.items()}
            if r.status_code >= 500:
                problems.append(f"{op.label} {sent}: {r.status_code} {r.text[:200]}")
            elif not _acceptable(r, names, baseline):
                problems.append(f"{op.label} {sent}: 400 naming none of {names}: {r.text[:200]}")
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(counts.items()))
    report(request, f"extremes {face}: {total} cases over {len(ops)} operations ({kinds})")
    assert not problems, "\n" + "\n".join(problems[:40])
