"""The advocate face's error object: ``{"error": {"code", "message", "field"}}``.

The document lists 400, 401, 403, 404, 429 and 500 and has no 409 or 422: a business
refusal (insufficient points, out of stock, a duplicate email, an idempotency conflict)
is a 400 here, with the core's code, so an integration tells them apart by ``code``.
A duplicate email is the document's own ``VALIDATION_ERROR`` naming ``email``.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi.responses import JSONResponse

from punchcard import errors as E
from punchcard.api.common.errors import render_native

# Statuses the document does not have, as the document's 400.
_AS_400 = {409, 422}

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "field"],
            "properties": {
                "code": {"type": "string", "example": "VALIDATION_ERROR"},
                "message": {"type": "string", "example": "Email is required"},
                "field": {"type": ["string", "null"], "example": "email"},
            },
        }
    },
}


# The core's input names that this face spells otherwise (an advocate is a member).
FIELDS = {"memberId": "advocateId", "tierId": "tier"}


def worded(exc: E.PunchcardError) -> E.PunchcardError:
    """``exc`` in the document's words (a new error; ``exc`` is left as it is)."""
    # A field the body should not carry at all keeps its own name: a stray `memberId`
    # is not the advocate's id.
    stray = "Extra inputs are not permitted" in exc.message
    field = FIELDS.get(exc.field, exc.field) if exc.field and not stray else exc.field
    if isinstance(exc, E.DuplicateMember):
        field = field or "email"
        return E.ValidationFailed(f"An advocate with this {field} already exists", field=field)
    if isinstance(exc, E.RewardPoolExhausted):
        # A reward drawing from a pool of codes is out of stock when the codes run out.
        return E.PunchcardError("This reward is out of stock", code="OUT_OF_STOCK", field=field)
    out = copy.copy(exc)
    out.field = field
    if exc.code == E.ValidationFailed.code and exc.message[:1].islower():
        # As the document's own example writes it: "Email is required".
        out.message = exc.message[:1].upper() + exc.message[1:]
    return out


def render(exc: E.PunchcardError, status: int) -> JSONResponse:
    """The renderer registered for ``/api/v1``."""
    return render_native(worded(exc), 400 if status in _AS_400 else status)
