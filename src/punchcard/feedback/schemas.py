"""Feedback vocabulary the core uses: idea statuses, list orders, bounds."""

from __future__ import annotations

from enum import StrEnum

MAX_NAME = 200
MAX_TITLE = 200
MAX_TEXT = 10_000


class IdeaStatus(StrEnum):
    open = "open"
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    declined = "declined"


class IdeaSort(StrEnum):
    votes = "votes"  # most votes first, then newest
    newest = "newest"
