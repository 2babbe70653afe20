"""The AddGlow face's errors: ``{"error": {"code", "message", "field"}}``.

The document shows no error body, so this face answers in one consistent shape (the
native face's object, without its native-only extras such as a prefixed
``existingId``): ``field`` names the input at fault in the document's spelling
(``upsertRecords[3].storeId``, ``after``, ``groupIds[0]``). Statuses are the core's:
400 bad input, 401, 403 (a scope, or magic links for a tenant without custom auth),
404 (also another tenant's id), 409 (a duplicate ``storeId`` or ``customAuthSub``),
422 (a business rule refused), 429 with ``Retry-After``.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi.responses import JSONResponse

from punchcard import errors as E

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
                "message": {"type": "string", "example": "storeId: Field required"},
                "field": {"type": ["string", "null"], "example": "upsertRecords[0].storeId"},
            },
        }
    },
}


_INDEX = re.compile(r"\.(\d+)(?=\.|$)")


def _indexed(field: str | None) -> str | None:
    """A field in the document's spelling: list items in brackets (the request
    validation's ``upsertRecords.3.storeId`` is ``upsertRecords[3].storeId``)."""
    return None if field is None else _INDEX.sub(r"[\1]", field)


def render(exc: E.PunchcardError, status: int) -> JSONResponse:
    """The renderer registered for ``/addglow/v1``."""
    field = _indexed(exc.field)
    message = exc.message
    if field != exc.field and exc.field:
        message = message.replace(exc.field, field or "")
    body = {"code": exc.code, "message": message, "field": field}
    headers = {}
    if isinstance(exc, E.RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse({"error": body}, status_code=status, headers=headers)
