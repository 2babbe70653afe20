"""A core refusal's HTTP status and page title, for the dashboard's and the portal's
error pages (the same statuses the native face answers)."""

from __future__ import annotations

from punchcard.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PunchcardError,
    RateLimited,
    ServiceUnavailable,
    Unauthenticated,
    Unprocessable,
)

_STATUSES: list[tuple[type[PunchcardError], int, str]] = [
    (NotFound, 404, "Not found"),
    (Forbidden, 403, "Not allowed"),
    (Unauthenticated, 401, "Sign-in needed"),
    (Conflict, 409, "That did not work"),
    (Unprocessable, 422, "That did not work"),
    (RateLimited, 429, "Too many attempts"),
    (ServiceUnavailable, 503, "Try again in a moment"),
]


def status_of(exc: PunchcardError) -> tuple[int, str]:
    """``(status, title)``: 400 "That did not work" for bad input and anything else."""
    for kind, status, title in _STATUSES:
        if isinstance(exc, kind):
            return status, title
    return 400, "That did not work"
