"""The SSO maintenance job: forget accepted signatures once the window refuses them."""

from __future__ import annotations

from datetime import datetime, timedelta

from punchcard.db.uow import Database
from punchcard.sso.repository import forget_signed_before

# Far past the ±300 s window: a signature this old is refused by its timestamp alone,
# so its row no longer guards anything.
KEEP = timedelta(hours=1)
BATCH = 1000


def forget_signatures(db: Database, at: datetime) -> int:
    """Delete accepted signatures signed over ``KEEP`` ago, in short transactions of
    ``BATCH`` rows; the number deleted. Idempotent."""
    total = 0
    while True:
        with db.transaction() as session:
            n = forget_signed_before(session, at - KEEP, limit=BATCH)
        total += n
        if n < BATCH:
            return total
