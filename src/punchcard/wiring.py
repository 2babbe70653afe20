"""What the packages below are told about the ones above them, once per process.

``orders`` sits below the packages that react to an order (``ambassador`` pays the
referrer when an order is placed and claws back on refund), so it cannot import them:
it calls back whatever followers it is given (``orders.service.follow``). They are
listed here, and only here, and registered by ``wire``, which every entry point that
can place or refund an order calls: ``app.create_app``, the CLI's callback
(``cli.main``), the worker (``worker.runner.Worker``) and ``imports.apply.run``. An
order placed or refunded before ``wire`` ran raises ``orders.service.NotWired``
rather than skip what the followers owe.

This module sits in its own layer, above every package that may follow orders and
below every entry point (``pyproject.toml``); a follower from a package above it
moves it up.
"""

from __future__ import annotations

from punchcard.ambassador.referrals import FOLLOWER as REFERRALS
from punchcard.orders.service import Follower, follow

# Every order follower, in the order each order calls them. The one list: a new
# follower is added here (CONTRIBUTING.md, "Follow orders").
ORDER_FOLLOWERS: tuple[Follower, ...] = (REFERRALS,)


def wire() -> None:
    """Register every order follower with ``orders.service``. Idempotent: entry points
    call it unconditionally, and a process may pass through several (the CLI's
    ``serve`` runs ``create_app``; ``import`` runs ``imports.apply.run``)."""
    for follower in ORDER_FOLLOWERS:
        follow(follower)
