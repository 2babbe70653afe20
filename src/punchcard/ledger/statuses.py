"""What a journal entry's status means, for every face.

A credit is ``pending`` until a decision; the decision approves it (``approved``, or
``auto_approved`` when the rule decided at once) or rejects it (``rejected``,
``auto_rejected``). An approved credit stays approved in meaning when it is later
spent (``exhausted``) or expires (``expired``). ``decided_at`` is when the decision was
taken, whichever it was.
"""

from __future__ import annotations

from datetime import datetime

from punchcard.models import PointsEntry

PENDING = "pending"
REJECTED = ("rejected", "auto_rejected")


def is_decided(entry: PointsEntry) -> bool:
    """The entry waits for no decision: approved or rejected (or never needed one)."""
    return entry.status != PENDING


def is_rejected(entry: PointsEntry) -> bool:
    return entry.status in REJECTED


def approved_at(entry: PointsEntry) -> datetime | None:
    """When the entry was approved: its decision time, unless it is still pending or
    the decision rejected it."""
    if not is_decided(entry) or is_rejected(entry):
        return None
    return entry.decided_at


def updated_at(entry: PointsEntry) -> datetime:
    """When the entry last changed: its decision, if one came after its creation."""
    if entry.decided_at is None:
        return entry.created_at
    return max(entry.created_at, entry.decided_at)
