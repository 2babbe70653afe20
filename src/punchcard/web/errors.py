"""A core refusal's HTTP status and page title, for the dashboard's and the portal's
error pages: the status from the one table the API faces read too
(``punchcard.errors.HTTP_STATUS``), so a page and the native face answer alike."""

from __future__ import annotations

from punchcard.errors import PunchcardError, http_status

# The page's title, by status; any other status: "That did not work".
_TITLES: dict[int, str] = {
    401: "Sign-in needed",
    403: "Not allowed",
    404: "Not found",
    410: "No longer available",
    429: "Too many attempts",
    503: "Try again in a moment",
}


def status_of(exc: PunchcardError) -> tuple[int, str]:
    """``(status, title)`` of the error page for ``exc``."""
    status = http_status(exc)
    return status, _TITLES.get(status, "That did not work")
