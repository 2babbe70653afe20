"""Typed errors: the API's envelope ``{"error": {"code", "message", "field"}}`` as
exceptions, one class per kind of refusal.

    PunchcardError                 .status .code .message .field .details
    ├── APIConnectionError         no answer (refused, reset, timed out); status None
    │   └── APITimeoutError
    ├── AuthenticationError        401
    ├── PermissionDeniedError      403
    ├── NotFoundError              404 (another tenant's id too)
    ├── ConflictError              409 (DUPLICATE_MEMBER: details["existingId"])
    ├── ValidationError            400, 422 (field names the culprit, camelCase)
    ├── RateLimitError             429 (.retry_after, seconds)
    ├── ServerError                5xx
    └── WebhookVerificationError   a delivery that fails its signature check
"""

from __future__ import annotations

from typing import Any


class PunchcardError(Exception):
    """Base of every error the SDK raises."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        field: str | None = None,
        details: dict[str, Any] | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.field = field
        self.details: dict[str, Any] = details or {}
        self.request_id = request_id

    def __str__(self) -> str:
        parts = [f"{self.status}" if self.status else None, self.code, self.message]
        text = " ".join(p for p in parts if p)
        return f"{text} (field: {self.field})" if self.field else text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"message={self.message!r}, field={self.field!r})"
        )


class APIConnectionError(PunchcardError):
    """No answer: the connection was refused, dropped, or the request timed out
    (raised after the retries are spent)."""


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class AuthenticationError(PunchcardError):
    """401: missing, unknown, expired or revoked API key."""


class PermissionDeniedError(PunchcardError):
    """403: the key lacks the scope the endpoint needs."""


class NotFoundError(PunchcardError):
    """404: no such resource in your tenant."""


class ConflictError(PunchcardError):
    """409: a duplicate (``DUPLICATE_MEMBER``: ``details["existingId"]`` names the
    member), or a state that forbids the change."""


class ValidationError(PunchcardError):
    """400 or 422: bad input (``field`` names it) or a refused operation such as
    ``INSUFFICIENT_POINTS``."""


class RateLimitError(PunchcardError):
    """429: over the plan's rate limit (raised once the retries are spent, or at once
    when ``Retry-After`` is longer than the client waits)."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerError(PunchcardError):
    """5xx: the server failed (raised after the retries are spent); ``retry_after``
    when a 503 said when to come back."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class WebhookVerificationError(PunchcardError):
    """A webhook delivery whose signature, timestamp or body does not verify."""


_BY_STATUS: dict[int, type[PunchcardError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitError,
}


def from_response(
    status: int,
    payload: Any,
    *,
    retry_after: float | None = None,
    request_id: str | None = None,
) -> PunchcardError:
    """The exception for an error answer; ``payload`` is its parsed JSON (or None)."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        error = {}
    code = error.get("code") if isinstance(error.get("code"), str) else None
    message = error.get("message")
    if not isinstance(message, str):
        message = f"HTTP {status}"
    field = error.get("field") if isinstance(error.get("field"), str) else None
    details = {k: v for k, v in error.items() if k not in ("code", "message", "field")}
    kw: dict[str, Any] = {
        "status": status,
        "code": code,
        "field": field,
        "details": details,
        "request_id": request_id,
    }
    if status == 429:
        return RateLimitError(message, retry_after=retry_after, **kw)
    if status >= 500:
        return ServerError(message, retry_after=retry_after, **kw)
    return _BY_STATUS.get(status, PunchcardError)(message, **kw)
