"""ShopSocially's error envelope, ``{"reason": "…", "success": false}``, with a 4xx status.

Typed errors from the core are rendered here, in one place, with the document's own
reason strings ("Invalid User", "Invalid Activity ID", "missing parameters", ...).
The core names inputs in its own words (``activityId``, ``amount``); a handler that
calls it wraps the call in :func:`wire_fields` so an error names the parameter the
caller actually sent (``activity_id``, ``points_passed``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from pydantic.alias_generators import to_camel, to_snake

from punchcard import errors as E

M = TypeVar("M", bound=BaseModel)

REFUND_EXCEEDS = "Points to deduct is greater than points available to deduct for the Order ID"

# Reasons the document spells out, by the error's code.
CODE_REASONS = {
    "UNAUTHORIZED": "authentication failure",
    "REFUND_EXCEEDS_ORDER": REFUND_EXCEEDS,
    "INSUFFICIENT_POINTS": "Insufficient points",
    "POINTS_LIMIT_EXCEEDED": "Points exceed the maximum allowed per award",
    "ACTIVITY_INACTIVE": "Activity is not active",
    "FREQUENCY_CAP_REACHED": "Maximum award frequency reached for this activity",
    "REWARD_INACTIVE": "Redemption option is not active",
    "TIER_NOT_ELIGIBLE": "User's level is not eligible for this redemption option",
    "OUT_OF_STOCK": "Redemption option is out of stock",
    "POOL_EXHAUSTED": "No coupon codes left for this redemption option",
    "REWARD_POOL_EXHAUSTED": "No coupon codes left for this redemption option",
    "DUPLICATE_MEMBER": "User already exists",
    "DUPLICATE_ACTIVITY": "Activity ID already exists",
    "DUPLICATE_REWARD": "Redemption ID already exists",
    "DUPLICATE_ORDER": "Order ID already used",
    "REFERENCE_USED": "Order ID already used",
    "ACTIVITY_NOT_FOUND": "Invalid Activity ID",
    "REWARD_NOT_FOUND": "Invalid Redemption ID",
    "TIER_NOT_FOUND": "Invalid Level ID",
    "TRANSACTION_NOT_FOUND": "Invalid Transaction ID",
    "RATE_LIMITED": "rate limit exceeded",
    "INTERNAL": "internal error",
}

# "Not found" reasons, by the input to blame (core names and the face's names).
NOT_FOUND_REASONS = {
    "user_email": "Invalid User",
    "email": "Invalid User",
    "uid": "Invalid User",
    "memberId": "Invalid User",
    "activity_id": "Invalid Activity ID",
    "activityId": "Invalid Activity ID",
    "redemption_id": "Invalid Redemption ID",
    "rewardId": "Invalid Redemption ID",
    "transaction_id": "Invalid Transaction ID",
    "transactionId": "Invalid Transaction ID",
    "level_id": "Invalid Level ID",
    "loyalty_level_id": "Invalid Level ID",
    "tierId": "Invalid Level ID",
    "order_id": "Invalid Order ID",
    "externalOrderId": "Invalid Order ID",
}


# Reasons by the input to blame, whatever the error: an unknown level named in another
# resource's parameters is "Invalid Level ID" there too.
FIELD_REASONS = {
    "loyalty_level_id": "Invalid Level ID",
    "associated_levels": "Invalid Level ID",
}


class MissingParameters(E.ValidationFailed):
    """A required parameter is absent. The document's reason is "missing parameters"
    (and "MissingParams" for Get All Users, which the caller passes as ``message``)."""

    code = "MISSING_PARAMETERS"
    default_message = "missing parameters"


def reason(exc: E.PunchcardError) -> str:
    """The document's reason string for ``exc``."""
    if exc.code in CODE_REASONS:
        return CODE_REASONS[exc.code]
    if exc.field in FIELD_REASONS:
        return FIELD_REASONS[exc.field]
    if isinstance(exc, E.NotFound) and exc.field in NOT_FOUND_REASONS:
        return NOT_FOUND_REASONS[exc.field]
    return exc.message


def render(exc: E.PunchcardError, status: int) -> JSONResponse:
    """The face's error renderer (``FACE.render_error``, for ``/v2/loyalty``)."""
    headers = {}
    if isinstance(exc, E.RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    return JSONResponse(
        {"reason": reason(exc), "success": False}, status_code=status, headers=headers
    )


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["reason", "success"],
    "properties": {
        "reason": {"type": "string", "example": "Invalid User"},
        "success": {"type": "boolean", "enum": [False]},
    },
}


# Translating the core's input names -------------------------------------------------


def _wire_name(core: str, mapping: Mapping[str, str]) -> str | None:
    """The face's name for a core input, whether the core said ``expiryDays`` (its
    wire name) or ``expiry_days`` (its Python name)."""
    head = core.split(".", 1)[0]  # `tierIds.2`: the list parameter as a whole
    return mapping.get(core) or mapping.get(head) or mapping.get(to_snake(head))


def _rename(message: str, mapping: Mapping[str, str]) -> str:
    for core, wire in mapping.items():
        for name in {core, to_camel(core)}:
            message = re.sub(rf"\b{re.escape(name)}\b", wire, message)
    return message


@contextmanager
def wire_fields(**mapping: str) -> Iterator[None]:
    """Re-label errors raised inside: ``wire_fields(amount="points_passed")`` makes a
    core error about ``amount`` name ``points_passed``, and a plain validation error
    read "Invalid points_passed: …"."""
    try:
        yield
    except E.PunchcardError as exc:
        wire = _wire_name(exc.field or "", mapping)
        if wire is not None:
            exc.field = wire
            if type(exc) is E.ValidationFailed:
                exc.message = f"Invalid {wire}: {_rename(exc.message, mapping)}"
        raise


def build(model: type[M], wire: Mapping[str, str], values: Mapping[str, Any]) -> M:
    """``model(**values)`` (a core input schema, by Python field names), with a
    validation error reported as the face parameter ``wire[field]`` that carried it."""
    try:
        return model.model_validate(dict(values))
    except ValidationError as exc:
        errs = exc.errors()
        loc = errs[0]["loc"] if errs else ()
        msg = errs[0]["msg"] if errs else "invalid value"
        core = str(loc[0]) if loc else ""
        name = _wire_name(core, wire) or core or "request"
        raise E.ValidationFailed(f"Invalid {name}: {msg}", field=name) from None
