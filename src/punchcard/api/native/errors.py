"""The native face's words for the core's errors.

The core names what went wrong more precisely than the native contract does
(``ACTIVITY_NOT_FOUND`` where the contract answers ``NOT_FOUND``) and says it in neutral
words; this table puts the contract's code and message back on the wire, byte for byte
what the face has always answered. Errors not listed go out as the core raised them.
"""

from __future__ import annotations

from fastapi.responses import JSONResponse

from punchcard import errors as E
from punchcard.api.common.errors import render_native

# core code -> (the contract's code, its message)
WORDS: dict[str, tuple[str, str]] = {
    E.ActivityNotFound.code: (E.NotFound.code, "Invalid Activity ID"),
    E.RewardNotFound.code: (E.NotFound.code, "Invalid Redemption ID"),
    E.TierNotFound.code: (E.NotFound.code, "Invalid Level ID"),
    E.TransactionNotFound.code: (E.NotFound.code, "Invalid Transaction ID"),
    E.RewardPoolExhausted.code: (E.PoolExhausted.code, "No codes left for this redemption option"),
    E.ReferenceUsed.code: (E.DuplicateOrder.code, "This order_id was already used"),
}


def worded(exc: E.PunchcardError) -> E.PunchcardError:
    """``exc`` as the native contract words it (a new error; ``exc`` is left as it is)."""
    if exc.code not in WORDS:
        return exc
    code, message = WORDS[exc.code]
    return E.PunchcardError(message, field=exc.field, code=code, extra=exc.extra)


def render(exc: E.PunchcardError, status: int) -> JSONResponse:
    """The renderer registered for ``/api/v2``: the native envelope, in native words."""
    return render_native(worded(exc), status)
