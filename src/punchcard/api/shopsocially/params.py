"""Reading ShopSocially's dialect: parameters from the query string and a form-encoded
or JSON body, ``MM/DD/YYYY`` dates, ``points_status`` lists, ``start_index`` paging.

Parameters are declared per function as a :class:`Params` model with the document's
own names and types. The same model validates the request and documents it in OpenAPI
(for both body encodings, or as query parameters).

Types follow the document's tables. In a query string or a form body (the document's
curl ``--data``) every value is text, read as its parameter's type: a Boolean is
``true`` or ``false`` in any case (the document's own example sends ``False``), a Number
a numeral. In a JSON body a value has its JSON type, strictly (as on the native face,
``kit.schema.json_type_errors``): ``"is_active": 0`` or ``"max_award_frequency": "10"``
is refused naming the parameter, never coerced.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Literal, TypeVar
from urllib.parse import parse_qsl

from fastapi import Request
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import InitErrorDetails

from punchcard.api.common import body
from punchcard.api.common.errors import UnsupportedMediaType
from punchcard.api.shopsocially.errors import MissingParameters
from punchcard.errors import ValidationFailed
from punchcard.kit import calendar
from punchcard.kit.bounds import EARLIEST, LATEST, in_range
from punchcard.kit.paging import LARGEST_LIMIT, Page
from punchcard.kit.schema import Check, field_checks, json_type_errors
from punchcard.ledger.schemas import STATUSES

P = TypeVar("P", bound="Params")

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Text(str):
    """A value from the query string or a form body: text, whatever its parameter's type."""

    __slots__ = ()


class Params(BaseModel):
    """A function's parameters, by the document's names. Unknown parameters are
    ignored (as ShopSocially does); blank values count as absent. ``ALIASES`` maps
    other names the document itself uses for a parameter (its curl examples send
    ``loyalty_level`` where its tables say ``loyalty_level_id``) to the table's name.
    Text is read as its parameter's type; other values must have it (see the module)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    ALIASES: ClassVar[dict[str, str]] = {}

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = {k: v for k, v in data.items() if not _blank(v)}
        for alias, name in cls.ALIASES.items():
            if alias in out and name not in out:
                out[name] = out.pop(alias)
        checks = field_checks(cls)
        for key, value in out.items():
            if isinstance(value, Text):
                out[key] = from_text(value, checks.get(key))
        errors = json_type_errors(cls, out)
        if errors:
            # Reported with the parameters that are missing: "missing parameters" is
            # the document's answer whenever one is (see `validate`).
            missing: list[InitErrorDetails] = [
                {"type": "missing", "loc": (name,), "input": out}
                for name, field in cls.model_fields.items()
                if field.is_required() and name not in out
            ]
            raise ValidationError.from_exception_data(cls.__name__, missing + errors)
        return out


_INTEGER = re.compile(r"[+-]?[0-9]{1,30}")


def from_text(text: str, check: Check | None) -> Any:
    """The value a query or form text spells for a parameter of ``check``'s type: the
    text itself where the type takes text (a string, a decimal, a date), else
    ``true``/``false`` (any case) or an integer numeral read as such. Anything else
    stays text, for the check to refuse naming the parameter."""
    value = str(text)
    if check is None or check(value) is None:
        return value
    readings: list[Any] = []
    if value.lower() in ("true", "false"):
        readings.append(value.lower() == "true")
    if _INTEGER.fullmatch(value):
        readings.append(int(value))
    return next((r for r in readings if check(r) is None), value)


def _blank(value: Any) -> bool:
    # The document's own curl examples send `bonus_mutliplier = \u2018\u2019` (curly
    # quotes: nothing) for "not set".
    return isinstance(value, str) and not value.strip().strip("'\"\u2018\u2019\u201c\u201d")


# Reading the request ---------------------------------------------------------------


def _key(raw: str) -> str:
    # The document's own examples write ` user_email = …`, `Redemption_id`, `redemption_ID`.
    return raw.strip().lower()


def _value(value: Any) -> Any:
    if isinstance(value, Text):
        return Text(value.strip())
    return value.strip() if isinstance(value, str) else value


# What a ShopSocially body may be: the document's curl ``--data`` (a form) or JSON.
ACCEPTED = "application/x-www-form-urlencoded, multipart/form-data or application/json"
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    ctype = request.headers.get("content-type", "").lower()
    media = ctype.split(";", 1)[0].strip()
    if "json" in media or (not ctype and raw.lstrip()[:1] in (b"{", b"[")):
        try:
            data = body.loads(raw)  # a key twice: a 400 naming it
        except ValueError:
            raise ValidationFailed("Request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise ValidationFailed("Request body must be a JSON object")
        return data
    if media and media not in _FORMS:
        raise UnsupportedMediaType(
            f"Content-Type {media!r} is not accepted: send {ACCEPTED}", field="Content-Type"
        )
    if media == "multipart/form-data":
        form = await request.form()
        return _once([(k, Text(v)) for k, v in form.multi_items() if isinstance(v, str)])
    # application/x-www-form-urlencoded, curl's default for --data (also assumed when
    # no content type is sent).
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed("Request body must be UTF-8") from None
    return _once([(k, Text(v)) for k, v in parse_qsl(text, keep_blank_values=True)])


def _once(pairs: list[tuple[str, Text]]) -> dict[str, Any]:
    """A form body's fields; one given twice (the last would silently win) is a 400."""
    fields: dict[str, Any] = {}
    for key, value in pairs:
        name = _key(key)
        if name in fields:
            raise ValidationFailed(f"{key.strip()} is given more than once", field=key.strip())
        fields[name] = value
    return {k: v for k, v in pairs}


async def read(request: Request) -> dict[str, Any]:
    """Query parameters overlaid by the body's, keys trimmed and lower-cased; values
    from the query string or a form body are :class:`Text`."""
    merged: dict[str, Any] = {}
    for raw_key, raw_value in request.query_params.multi_items():
        key, value = _key(raw_key), Text(raw_value.strip())
        if key in merged:  # repeated (`points_status=a&points_status=b`): a list
            previous = merged[key]
            merged[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            merged[key] = value
    if request.method not in ("GET", "HEAD"):
        merged.update({_key(str(k)): _value(v) for k, v in (await _body(request)).items()})
    for key, value in merged.items():
        if _has_nul(value):
            # PostgreSQL text cannot hold NUL (SQLite can): refuse it on both alike.
            raise ValidationFailed(f"Invalid {key}: must not contain NUL characters", field=key)
    return merged


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


def validate(model: type[P], data: dict[str, Any], *, missing: str | None = None) -> P:
    """``data`` as ``model``; an absent required parameter is "missing parameters"
    (or ``missing``), anything else "Invalid <parameter>: …"."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errs = exc.errors()
        if any(e.get("type") == "missing" for e in errs):
            first = next(e for e in errs if e.get("type") == "missing")
            field = str(first["loc"][0]) if first.get("loc") else None
            raise MissingParameters(missing, field=field) from None
        err = errs[0]
        field = str(err["loc"][0]) if err.get("loc") else None
        msg = str(err.get("msg", "invalid value"))
        raise ValidationFailed(f"Invalid {field}: {msg}", field=field) from None


def params(model: type[P], *, missing: str | None = None) -> Callable[[Request], Awaitable[P]]:
    """A dependency yielding the request's parameters as ``model``."""

    async def dependency(request: Request) -> P:
        return validate(model, await read(request), missing=missing)

    dependency.__name__ = f"{model.__name__}_params"
    return dependency


# OpenAPI ---------------------------------------------------------------------------


def body_doc(model: type[Params]) -> dict[str, Any]:
    """``openapi_extra`` documenting ``model`` as a form-encoded or JSON body."""
    schema = model.model_json_schema()
    return {
        "requestBody": {
            # An update whose every field is optional may come without a body.
            "required": bool(schema.get("required")),
            "content": {
                "application/x-www-form-urlencoded": {"schema": schema},
                "application/json": {"schema": schema},
            },
        }
    }


def query_doc(model: type[Params]) -> dict[str, Any]:
    """``openapi_extra`` documenting ``model`` as query parameters."""
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    return {
        "parameters": [
            {
                "name": name,
                "in": "query",
                "required": name in required,
                # A blank value counts as absent (see `read`), and so is allowed.
                **({} if name in required else {"allowEmptyValue": True}),
                "schema": {k: v for k, v in prop.items() if k != "description"},
                "description": prop.get("description", ""),
            }
            for name, prop in schema.get("properties", {}).items()
        ]
    }


# Values ----------------------------------------------------------------------------


# The range every face reads (kit.bounds), in the document's MM/DD/YYYY.
# Which edge of a window a date is: past the range it reads as that edge.
Edge = Literal["start", "end"] | None

RANGE = f"{EARLIEST:%m/%d/%Y} to {LATEST:%m/%d/%Y}"
DAYS = f"{EARLIEST:%d-%b-%Y} to {LATEST:%d-%b-%Y}"
FROM_RANGE = f'{RANGE}; an earlier day (01/01/0001, "since the beginning") reads as the first'
TO_RANGE = f'{RANGE}; a later day (12/31/9999, "no end date") reads as the last'
NO_END_DAYS = f'{DAYS}; a later day (31-Dec-9999, "no end date") means no expiry'


def bounded(day: date, field: str) -> date:
    """``day`` when every face's date range holds it (ERPs send 12/31/9999 for "no end
    date": past what a tenant's day arithmetic can hold), else "Invalid <field>"."""
    if not in_range(day):
        raise ValidationFailed(
            f"Invalid {field}: must be between {EARLIEST:%m/%d/%Y} and {LATEST:%m/%d/%Y}",
            field=field,
        )
    return day


def _read_date(value: str) -> date | None:
    """``MM/DD/YYYY`` (``M/D/YYYY`` too) or ISO ``YYYY-MM-DD``, unbounded; None: neither."""
    for fmt in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


def parse_date(value: str, field: str, *, edge: Edge = None) -> date:
    """``MM/DD/YYYY`` (the document's format; ``M/D/YYYY`` and ISO ``YYYY-MM-DD`` too),
    within every face's date range. A window's open edge reads a day past the range as
    the range's own edge: ERPs write "no end date" as ``12/31/9999`` and "since the
    beginning" as ``01/01/0001``, and mean every day."""
    day = _read_date(value)
    if day is None:
        raise ValidationFailed(f"Invalid {field}: expected MM/DD/YYYY", field=field)
    if edge == "end" and day > LATEST:
        return LATEST
    if edge == "start" and day < EARLIEST:
        return EARLIEST
    return bounded(day, field)


def parse_expiry(value: str, field: str) -> date | None:
    """A last valid day, ``DD-Mon-YYYY`` (``30-May-2015``, the document's coupon_expiry)
    or a date :func:`parse_date` reads (the document's own example also writes
    ``5/30/2015``); None for a day past the range: "no end date", as an ERP writes
    ``31-Dec-9999`` or ``12/31/9999``."""
    day = _read_day(value)
    if day is None:
        raise ValidationFailed(f"Invalid {field}: expected DD-Mon-YYYY", field=field)
    if day > LATEST:
        return None
    return bounded(day, field)


def _read_day(value: str) -> date | None:
    """``DD-Mon-YYYY`` (``30-May-2015``), or a date :func:`_read_date` reads; unbounded."""
    parts = value.strip().split("-")
    if len(parts) == 3 and parts[1][:3].title() in MONTHS:
        try:
            return date(int(parts[2]), MONTHS.index(parts[1][:3].title()) + 1, int(parts[0]))
        except ValueError:
            pass
    return _read_date(value)


def day_window(from_date: str, to_date: str, timezone: str) -> calendar.Window:
    """``from_date`` through ``to_date`` (the merchant's calendar days, both included)
    as the core's half-open UTC window."""
    start = parse_date(from_date, "from_date", edge="start")
    end = parse_date(to_date, "to_date", edge="end")
    try:
        return calendar.local_days(start, end, timezone)
    except ValueError:
        raise ValidationFailed("Invalid to_date: before from_date", field="to_date") from None


def statuses(raw: Any) -> list[str] | None:
    """``points_status`` as the document sends it, a JSON list (``["approved",
    "auto_approved"]``, single quotes tolerated), or a comma-separated string."""
    if raw is None or raw == "" or raw == []:
        return None
    values: Any = raw
    if isinstance(raw, str):
        text = raw.strip()
        if text.startswith("["):
            try:
                values = json.loads(text.replace("'", '"'))
            except ValueError:
                raise ValidationFailed(
                    "Invalid points_status: expected a JSON list", field="points_status"
                ) from None
        else:
            values = text.split(",")
    if not isinstance(values, list):
        values = [values]
    out = [str(v).strip().lower() for v in values if str(v).strip()]
    for value in out:
        if value not in STATUSES:
            raise ValidationFailed(
                f"Invalid points_status: {value!r} is not one of {', '.join(STATUSES)}",
                field="points_status",
            )
    return out or None


def money(raw: Any, field: str) -> Decimal:
    """A monetary value: ``50``, ``"50.00"`` or the document's ``"$50"``."""
    text = str(raw).strip().lstrip("$€£¥").replace(",", "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed(f"Invalid {field}: expected a number", field=field) from None
    if not value.is_finite() or value < 0:
        raise ValidationFailed(f"Invalid {field}: expected a positive number", field=field)
    return value


def list_page(count: int, start_index: int) -> Page:
    """The core's page for ``count`` rows from ``start_index``: the document allows
    pages of up to 1000 (the core's largest), and the core checks it."""
    return Page(
        limit=count, offset=start_index, max_limit=LARGEST_LIMIT, names=("count", "start_index")
    )


def csv_list(raw: str) -> list[str]:
    """A comma-separated string (the document's ``giftcard_coupon_codes``)."""
    return [i.strip() for i in raw.split(",") if i.strip()]
