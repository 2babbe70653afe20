"""Responses rendered by ``dump_json`` (``api/common/render.py``) are byte for byte
what Starlette's ``JSONResponse`` wrote: over every operation of both faces on a
seeded tenant (with unicode in its names), and over generated values of every kind a
route rendered that way may hold (any unicode, decimals, datetimes with offsets, big
integers, enums, bytes, nesting); the types that may hold a float keep the old encoder.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from punchcard.api.common import render
from punchcard.api.native.schemas.ledger import PointsChangeResult
from punchcard.api.native.schemas.members import MemberRead
from punchcard.api.shopsocially.schemas import ActivityOut
from punchcard.db.uow import Database
from punchcard.kit.schema import Schema, UtcTime
from tests.factories import make_tenant
from tests.reliability.openapi import operations
from tests.reliability.requests import body_for, query_for
from tests.reliability.seed import fill_path, seed


def starlette(adapter: TypeAdapter[Any], value: Any, **options: Any) -> bytes:
    """Today's rendering: FastAPI's ``serialize`` then ``JSONResponse.render``."""
    content = adapter.dump_python(value, mode="json", **options)
    return json.dumps(
        content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


class Checked:
    def __init__(self) -> None:
        self.same = 0
        self.different: list[tuple[bytes, bytes]] = []


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> Iterator[Checked]:
    seen = Checked()
    fast = render.render_json

    def checking(adapter: TypeAdapter[Any], value: Any, **options: Any) -> bytes:
        body = fast(adapter, value, **options)
        expected = starlette(adapter, value, **options)
        if body == expected:
            seen.same += 1
        else:
            seen.different.append((body, expected))
        return body

    monkeypatch.setattr(render, "render_json", checking)
    yield seen


def _last(op: Any) -> tuple[int, str]:
    # Reads first, then writes, deletes last (they remove what the rest read).
    order = {"get": 0, "post": 1, "put": 1, "patch": 1, "delete": 2}
    return (order.get(op.method, 1), op.label)


def test_every_response_of_both_faces_renders_the_same_bytes(
    client: TestClient, db: Database, checked: Checked
) -> None:
    s = seed(make_tenant(db, client, name="Zoë's Café ☕"))
    t = s.tenant
    metadata = {"note": 'Zoë 😀 \u2028 "q" \\', "tiny": 1e-05, "big": 2**70, "neg": -0.5}
    r = t.api.patch(f"/members/{s.member}", json={"metadata": metadata})
    assert r.status_code == 200, r.text
    assert r.json()["metadata"] == metadata
    ids = s.path_ids()
    native = {"Authorization": f"Bearer {t.api.token}"}
    loyalty = {"partner-id": t.partner_id, "api-key": t.api.token}
    statuses: dict[int, int] = {}
    for face in ("native", "shopsocially"):
        for op in sorted(operations(face), key=_last):
            if op.scope in ("session", "admin-session"):
                headers = {"Authorization": f"Bearer {t.owner.token}"}
            else:
                headers = loyalty if face == "shopsocially" else native
            r = client.request(
                op.method.upper(),
                fill_path(op.path, ids),
                headers=headers,
                json=body_for(op, s),
                params=query_for(op),
            )
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            if r.headers.get("content-type") == "application/json" and r.content:
                assert int(r.headers["content-length"]) == len(r.content)
    assert not checked.different, checked.different[:3]
    # Most operations answered with a body, and went through the fast encoder.
    assert checked.same >= 50, (checked.same, statuses)


def test_a_type_that_can_hold_a_float_keeps_starlettes_encoder() -> None:
    # A member's metadata is free JSON (Any): a float below 1e-4 or a NaN in it
    # would not render the same.
    assert not render.exact(TypeAdapter(MemberRead).core_schema)
    assert not render.exact(TypeAdapter(ActivityOut).core_schema)  # int | float
    assert not render.exact(TypeAdapter(dict[str, Any]).core_schema)
    assert not render.exact(TypeAdapter(list).core_schema)  # type: ignore[type-arg]
    assert render.exact(TypeAdapter(PointsChangeResult).core_schema)
    assert render.exact(TypeAdapter(Probe).core_schema)
    assert render.exact(TypeAdapter(list[Probe]).core_schema)


class Colour(enum.Enum):
    red = "red"
    blue = "blüe"


class Inner(Schema):
    label: str
    count: int


class Probe(Schema):
    """Every kind of value an exact response type holds."""

    text: str
    amount: Decimal
    at: UtcTime
    local: datetime
    maybe: UtcTime | None
    big: int
    flag: bool
    colour: Colour
    tags: list[str]
    counts: dict[str, int]
    inner: Inner
    inners: list[Inner]
    blob: bytes
    nothing: str | None = None


_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)
_when = st.datetimes(
    min_value=datetime(1900, 1, 1),
    max_value=datetime(2200, 1, 1),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
    ),
)


def _utf8(b: bytes) -> bool:
    try:
        b.decode()
    except UnicodeDecodeError:
        return False
    return True


_decimal = st.decimals(allow_nan=False, allow_infinity=False, places=None)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=_text,
    amount=_decimal,
    at=_when,
    maybe=st.none() | _when,
    big=st.integers(min_value=-(2**100), max_value=2**100),
    flag=st.booleans(),
    colour=st.sampled_from(Colour),
    tags=st.lists(_text, max_size=3),
    counts=st.dictionaries(_text, st.integers(), max_size=3),
    blob=st.binary(max_size=8).filter(_utf8),
)
def test_an_exact_type_renders_the_same_bytes(
    text: str,
    amount: Decimal,
    at: datetime,
    maybe: datetime | None,
    big: int,
    flag: bool,
    colour: Colour,
    tags: list[str],
    counts: dict[str, int],
    blob: bytes,
) -> None:
    inner = Inner(label=text, count=big)
    probe = Probe(
        text=text,
        amount=amount,
        at=at,
        local=at,
        maybe=maybe,
        big=big,
        flag=flag,
        colour=colour,
        tags=tags,
        counts=counts,
        inner=inner,
        inners=[inner, inner],
        blob=blob,
    )
    for adapter, value in ((TypeAdapter(Probe), probe), (TypeAdapter(list[Probe]), [probe])):
        for options in ({"by_alias": True}, {"by_alias": True, "exclude_none": True}):
            assert render.render_json(adapter, value, **options) == starlette(
                adapter, value, **options
            )


# A member's metadata: free JSON, rendered by dump_json when it holds no float ---------


def test_a_model_whose_only_free_json_is_a_top_level_field_is_planned_per_value() -> None:
    assert render.loose_fields(TypeAdapter(MemberRead).core_schema) == ("metadata",)
    # int | float is a float, not free JSON: never dump_json.
    assert render.loose_fields(TypeAdapter(ActivityOut).core_schema) == ()
    assert render.loose_fields(TypeAdapter(list[MemberRead]).core_schema) == ()
    assert render.loose_fields(TypeAdapter(Loose).core_schema) == ("extra", "items")
    assert render.loose_fields(TypeAdapter(FloatToo).core_schema) == ()
    assert render.loose_fields(TypeAdapter(Probe).core_schema) == ()  # exact already


class Loose(Schema):
    name: str
    extra: dict[str, Any]
    items: list[Any] | None = None


class FloatToo(Schema):
    extra: dict[str, Any]
    ratio: float


def test_plain_is_json_without_floats() -> None:
    assert render.plain({"a": [1, None, True, "x", {"b": 2**70}], "c": {}})
    assert render.plain([]) and render.plain(None) and render.plain("s")
    for bad in (
        {"a": 1.0},
        [[[{"x": float("nan")}]]],
        {1: "int key"},
        {"t": (1, 2)},
        {"d": Decimal("1.5")},
        {"when": datetime(2026, 1, 1, tzinfo=UTC)},
        {"e": Colour.red},
    ):
        assert not render.plain(bad), bad


def _member(metadata: dict[str, Any]) -> MemberRead:
    at = datetime(2026, 12, 4, 22, 0, 0, 123456, tzinfo=UTC)
    return MemberRead(
        id="mem_" + "0" * 32,
        email="zoë@example.com",
        phone=None,
        first_name="Zoë",
        last_name=None,
        external_id="X-1",
        status="active",
        tier=None,
        points_balance=2**40,
        pending_points=0,
        lifetime_points=7,
        tags=["a", "b"],
        enrolled_at=at,
        last_activity_at=None,
        metadata=metadata,
        referral_code="REF",
        created_at=at,
        updated_at=at,
    )


_json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**100), max_value=2**100)
    | _text
    | st.floats(allow_nan=False, allow_infinity=False)
)
_json = st.recursive(
    _json_leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(metadata=st.dictionaries(_text, _json, max_size=4))
def test_a_member_renders_with_dump_json_only_when_that_writes_the_same_bytes(
    metadata: dict[str, Any],
) -> None:
    adapter = TypeAdapter(MemberRead)
    plan = render.JsonPlan(adapter, render.loose_fields(adapter.core_schema))
    member = _member(metadata)
    expected = starlette(adapter, member, by_alias=True)
    if plan.fits(member):
        assert render.render_json(adapter, member, by_alias=True) == expected
    else:
        # Only a float sends it to Starlette's encoder (JSON here holds nothing else).
        assert "float" in repr([type(v).__name__ for v in _leaves(metadata)])


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def test_a_member_read_goes_through_dump_json_unless_its_metadata_holds_a_float(
    client: TestClient, db: Database, checked: Checked
) -> None:
    t = make_tenant(db, client)
    metadata: dict[str, Any] = {"note": 'Zoë 😀 \u2028 "q" \\', "big": 2**70, "l": [1, None]}
    member = t.api.post("/members", json={"email": "z@example.com", "metadata": metadata}).json()
    before = checked.same
    r = t.api.get(f"/members/{member['id']}")
    assert r.status_code == 200 and r.json()["metadata"] == metadata
    assert checked.same == before + 1 and not checked.different
    t.api.patch(f"/members/{member['id']}", json={"metadata": {"tiny": 1e-05}})
    before = checked.same
    r = t.api.get(f"/members/{member['id']}")
    assert b'"tiny":1e-05' in r.content  # Python's spelling: Starlette's encoder wrote it
    assert checked.same == before


def test_only_a_plain_response_model_skips_validating_its_own_instances() -> None:
    class Always(Schema):
        model_config = {**Schema.model_config, "revalidate_instances": "always"}
        name: str

    class Field:
        def __init__(self, annotation: Any, metadata: list[Any] | None = None) -> None:
            self.field_info = type("Info", (), {"annotation": annotation, "metadata": metadata})

    assert render.model_of(Field(MemberRead)) is MemberRead
    assert render.model_of(Field(list[MemberRead])) is None
    assert render.model_of(Field(dict[str, Any])) is None
    assert render.model_of(Field(Always)) is None
    assert render.model_of(Field(MemberRead, ["a constraint"])) is None
    assert render.model_of(None) is None
