"""Login throttling: at most ``LOGIN_ATTEMPTS`` password checks per account per
``LOGIN_WINDOW_MINUTES``, counted with the ``limits`` library.

Every attempt on an account takes a slot *before* its password is checked, so a burst
of parallel guesses cannot overtake the count; a successful login gives the slots back
(so a user who mistypes a few times is not locked out by those mistakes later). The
window moves: the oldest attempt frees its slot 15 minutes after it was made.

The counts live in memory (one process), or in Redis when ``PUNCHCARD_REDIS_URL`` is
set, so that every node of an installation shares them (``limits``' Redis storage
needs the ``redis`` package: ``pip install "limits[redis]"``).
"""

from __future__ import annotations

import math
import time
from functools import cache

from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from punchcard.errors import RateLimited

LOGIN_ATTEMPTS = 10
LOGIN_WINDOW_MINUTES = 15
_LOGIN = RateLimitItemPerMinute(LOGIN_ATTEMPTS, LOGIN_WINDOW_MINUTES, namespace="login")


class LoginThrottle:
    """Counts login attempts per account (its normalised email)."""

    def __init__(self, storage_url: str) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_url))

    def attempt(self, account: str) -> None:
        """Take a slot for one password check, or raise ``RateLimited`` (429)."""
        if not self._limiter.hit(_LOGIN, account):
            reset_at, _ = self._limiter.get_window_stats(_LOGIN, account)
            retry_after = max(1, math.ceil(reset_at - time.time()))
            raise RateLimited(
                retry_after,
                message=f"Too many login attempts for this account; retry in {retry_after} s",
                code="TOO_MANY_LOGIN_ATTEMPTS",
            )

    def succeeded(self, account: str) -> None:
        """The password was right: the account's earlier attempts no longer count."""
        self._limiter.clear(_LOGIN, account)


@cache
def login_throttle(redis_url: str | None) -> LoginThrottle:
    """The process's throttle for this storage (memory unless Redis is configured)."""
    return LoginThrottle(redis_url or "memory://")
