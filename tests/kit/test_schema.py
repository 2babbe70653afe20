"""`InputSchema`: every value must be of its field's JSON type, never coerced."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

import pytest
from pydantic import BeforeValidator, Field, StrictInt, ValidationError

from punchcard.kit.schema import InputSchema


class Colour(StrEnum):
    red = "red"


class Item(InputSchema):
    qty: int = 1
    tags: list[str] = []


def _shopify_id(value: Any) -> Any:
    return str(value) if isinstance(value, int) else value


class Body(InputSchema):
    is_active: bool | None = None
    name: str | None = None
    count: int | None = None
    strict_count: StrictInt | None = None
    amount: Decimal | None = Field(default=None, ge=0)
    at: datetime | None = None
    colour: Colour | None = None
    mode: Literal["a", "b"] | None = None
    items: list[Item] = []
    scores: dict[str, int] | None = None
    meta: dict[str, Any] | None = None
    external: Annotated[str | None, BeforeValidator(_shopify_id)] = None


def _error(data: dict[str, Any]) -> tuple[tuple[str | int, ...], str]:
    with pytest.raises(ValidationError) as caught:
        Body.model_validate(data)
    first = caught.value.errors()[0]
    return first["loc"], first["msg"]


@pytest.mark.parametrize(
    ("data", "loc", "expected"),
    [
        ({"isActive": 0}, ("isActive",), "boolean"),
        ({"isActive": 1}, ("isActive",), "boolean"),
        ({"isActive": 0.0}, ("isActive",), "boolean"),
        ({"isActive": "true"}, ("isActive",), "boolean"),
        ({"name": False}, ("name",), "string"),
        ({"name": 5}, ("name",), "string"),
        ({"count": "5"}, ("count",), "integer"),
        ({"count": 5.0}, ("count",), "integer"),
        ({"count": True}, ("count",), "integer"),
        ({"strictCount": "5"}, ("strictCount",), "integer"),
        ({"amount": True}, ("amount",), "number or decimal string"),
        ({"amount": "1e5"}, ("amount",), "number or decimal string"),
        ({"amount": "$5"}, ("amount",), "number or decimal string"),
        ({"amount": "5\n"}, ("amount",), "number or decimal string"),
        ({"amount": "\u0663"}, ("amount",), "number or decimal string"),  # Arabic-Indic 3
        ({"amount": "."}, ("amount",), "number or decimal string"),
        ({"at": 0}, ("at",), "ISO-8601 date-time string"),
        ({"at": "1700000000"}, ("at",), "ISO-8601 date-time string"),
        ({"at": "2026-01-01"}, ("at",), "ISO-8601 date-time string"),
        ({"colour": 1}, ("colour",), "string"),
        ({"mode": 1}, ("mode",), "string"),
        ({"items": {"qty": 1}}, ("items",), "array"),
        ({"items": [{"qty": 1}, {"qty": "2"}]}, ("items", 1, "qty"), "integer"),
        ({"items": [{"tags": ["a", 7]}]}, ("items", 0, "tags", 1), "string"),
        ({"scores": {"a": 1, "b": "2"}}, ("scores", "b"), "integer"),
        ({"meta": []}, ("meta",), "object"),
    ],
)
def test_a_value_of_another_json_type_is_refused_naming_the_field(
    data: dict[str, Any], loc: tuple[str | int, ...], expected: str
) -> None:
    assert _error(data) == (loc, f"Input should be a valid {expected}")


def test_the_documented_forms_are_taken() -> None:
    body = Body.model_validate(
        {
            "isActive": False,
            "name": " x ",
            "count": 5,
            "amount": "240.50",
            "at": "2026-01-02T03:04:05Z",
            "colour": "red",
            "mode": "a",
            "items": [{"qty": 2, "tags": ["t"]}],
            "scores": {"a": 1},
            "meta": {"anything": [1, "x", None]},
        }
    )
    assert (body.is_active, body.name, body.count, body.amount) == (
        False,
        "x",
        5,
        Decimal("240.50"),
    )
    assert body.at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert body.colour is Colour.red and body.items[0].qty == 2
    assert Body.model_validate({"amount": 12.5}).amount == Decimal("12.5")
    assert Body.model_validate({"amount": 3}).amount == Decimal(3)


def test_null_is_taken_where_the_field_is_optional() -> None:
    assert Body.model_validate({"isActive": None, "count": None}).is_active is None


def test_a_field_with_its_own_raw_parser_decides_what_it_takes() -> None:
    assert Body.model_validate({"external": 123}).external == "123"


def test_python_callers_may_pass_python_values() -> None:
    # A face building a core schema hands it Decimals, datetimes, enum members, models.
    at = datetime(2026, 1, 1, tzinfo=UTC)
    body = Body.model_validate(
        {"amount": Decimal("1.5"), "at": at, "colour": Colour.red, "items": [Item(qty=3)]}
    )
    assert (body.amount, body.at, body.colour, body.items[0].qty) == (
        Decimal("1.5"),
        at,
        Colour.red,
        3,
    )


def test_every_wrong_value_is_reported() -> None:
    with pytest.raises(ValidationError) as caught:
        Body.model_validate({"isActive": 0, "count": "1"})
    assert {e["loc"] for e in caught.value.errors()} == {("isActive",), ("count",)}


def test_the_check_runs_before_a_fields_own_validators() -> None:
    from punchcard.api.native.schemas.orders import OrderItem

    with pytest.raises(ValidationError) as caught:
        OrderItem.model_validate({"price": "1e3"})  # its own parser would take it
    assert caught.value.errors()[0]["loc"] == ("price",)
    assert OrderItem.model_validate({"price": "2.50"}).price == Decimal("2.50")
