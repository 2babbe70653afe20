"""``quest.completed``'s neutral data (``events.data``'s conventions): the quest and its
tasks as snapshots of their rows, what the completion gave, and the balance after it.
Each face renders its webhook body from this (native: ``api/native/events.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from punchcard.events.data import snapshot, value
from punchcard.models import Coupon, Member, Quest, QuestCompletion, QuestTask

QUEST = (
    "id",
    "title",
    "description",
    "status",
    "reward_points",
    "reward_id",
    "created_at",
    "updated_at",
)
TASK = ("id", "quest_id", "title", "description", "points", "position")
COMPLETION = (
    "id",
    "quest_id",
    "member_id",
    "reward_points",
    "entry_id",
    "reward_id",
    "coupon_id",
    "created_at",
)


def completed(
    member: Member,
    quest: Quest,
    tasks: Sequence[QuestTask],
    completion: QuestCompletion,
    coupon: Coupon | None,
) -> dict[str, Any]:
    """``quest.completed``: the member did every task of ``quest``."""
    return {
        "member_id": value(member.id),
        "quest": snapshot(quest, QUEST),
        "tasks": [snapshot(t, TASK) for t in tasks],
        "completion": snapshot(completion, COMPLETION),
        "coupon_code": coupon.code if coupon is not None else None,
        "balance": member.points_balance,
    }
