"""The domain's error tree. No HTTP here: each face maps these to its own envelope.

Every error carries a stable machine ``code``, a human ``message`` and, where one
input is to blame, the ``field`` that names it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class PunchcardError(Exception):
    code = "ERROR"
    default_message = "Something went wrong"

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.field = field
        if code is not None:
            self.code = code
        self.extra = extra or {}
        super().__init__(self.message)


class ValidationFailed(PunchcardError):
    """Input is malformed or out of range (HTTP 400 on the native face)."""

    code = "VALIDATION_ERROR"
    default_message = "Invalid input"


class Unauthenticated(PunchcardError):
    code = "UNAUTHORIZED"
    default_message = "Missing or invalid credentials"


class Forbidden(PunchcardError):
    code = "FORBIDDEN"
    default_message = "Not allowed"


class InsufficientScope(Forbidden):
    code = "INSUFFICIENT_SCOPE"
    default_message = "The API key lacks the scope this endpoint needs"


class NotFound(PunchcardError):
    code = "NOT_FOUND"
    default_message = "Not found"


class Gone(PunchcardError):
    """What was asked for existed but is no longer usable (used up or expired)."""

    code = "GONE"
    default_message = "No longer available"


class Conflict(PunchcardError):
    code = "CONFLICT"
    default_message = "Conflict"


class Unprocessable(PunchcardError):
    """A well-formed request that a business rule refuses."""

    code = "UNPROCESSABLE"
    default_message = "The request cannot be processed"


class ServiceUnavailable(PunchcardError):
    """A transient failure (a commit the disk refused): nothing happened; retry."""

    code = "SERVICE_UNAVAILABLE"
    default_message = "Temporarily unavailable; retry"


class RateLimited(PunchcardError):
    code = "RATE_LIMITED"
    default_message = "Too many requests"

    def __init__(self, retry_after: int, **kw: Any) -> None:
        super().__init__(**kw)
        self.retry_after = retry_after


# The HTTP status of each kind of refusal, the one table the API faces (``api/common/
# errors.py``, which adds its own transport errors) and the web pages (``web/errors.py``)
# both read: plain numbers, no HTTP import. A face whose document has no such status
# folds it into one it has (the advocate face answers 409 and 422 as 400).
HTTP_STATUS: Mapping[type[PunchcardError], int] = {
    ValidationFailed: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Gone: 410,
    Unprocessable: 422,
    RateLimited: 429,
    ServiceUnavailable: 503,
}
# An error of no kind in the table is a bug (every refusal has a kind): a server error.
UNKNOWN_STATUS = 500


def http_status(
    exc: PunchcardError, table: Mapping[type[PunchcardError], int] = HTTP_STATUS
) -> int:
    """The status of ``exc``'s nearest kind in ``table`` (its own class first, then its
    bases in method resolution order), else ``UNKNOWN_STATUS``."""
    for kind in type(exc).__mro__:
        status = table.get(kind)
        if status is not None:
            return status
    return UNKNOWN_STATUS


# Ledger and programs -------------------------------------------------------------


class InsufficientPoints(Unprocessable):
    code = "INSUFFICIENT_POINTS"
    default_message = "The member does not have enough points"


class PointsLimitExceeded(Unprocessable):
    """One award (or one order) would credit more than the tenant's
    ``max_points_per_award``: a runaway total or a typo, never minted."""

    code = "POINTS_LIMIT_EXCEEDED"
    default_message = "The award exceeds the tenant's maximum points per award"


class PoolExhausted(Conflict):
    code = "POOL_EXHAUSTED"
    default_message = "The coupon pool has no codes left"


class DuplicateMember(Conflict):
    code = "DUPLICATE_MEMBER"
    default_message = "A member with this identity already exists"


class DuplicateOrder(Conflict):
    code = "DUPLICATE_ORDER"
    default_message = "An order with this externalOrderId exists with a different body"


class RefundExceedsOrder(ValidationFailed):
    code = "REFUND_EXCEEDS_ORDER"
    default_message = "The refund is more than what is left of the order"


class IdempotencyKeyReused(Unprocessable):
    code = "IDEMPOTENCY_KEY_REUSED"
    default_message = "This Idempotency-Key was used with a different request body"


class IdempotencyKeyInFlight(Conflict):
    code = "IDEMPOTENCY_KEY_IN_FLIGHT"
    default_message = "A request with this Idempotency-Key is still being processed"


# Not found, by what was asked for: the code names it, each face words it (the native
# face answers NOT_FOUND with its own messages, ShopSocially "Invalid Activity ID" ...).


class ActivityNotFound(NotFound):
    code = "ACTIVITY_NOT_FOUND"
    default_message = "No activity has this id or key"


class RewardNotFound(NotFound):
    code = "REWARD_NOT_FOUND"
    default_message = "No reward has this id or key"


class TierNotFound(NotFound):
    code = "TIER_NOT_FOUND"
    default_message = "No tier has this id or key"


class TransactionNotFound(NotFound):
    code = "TRANSACTION_NOT_FOUND"
    default_message = "No ledger entry has this id"


class RewardPoolExhausted(PoolExhausted):
    code = "REWARD_POOL_EXHAUSTED"
    default_message = "The reward's coupon pool has no codes left"


class ReferenceUsed(Conflict):
    """An award's reference (the caller's order id) already belongs to another award."""

    code = "REFERENCE_USED"
    default_message = "This reference was already used"
