"""Community vocabulary the core uses: moderation statuses, bounds."""

from __future__ import annotations

from enum import StrEnum

MAX_NAME = 200
MAX_CONTENT = 10_000


class Status(StrEnum):
    """A post's or a comment's moderation status. ``visible`` is what members see;
    ``hidden`` can be restored; ``deleted`` is final (the row stays, with who and when)."""

    visible = "visible"
    hidden = "hidden"
    deleted = "deleted"


# What a moderator's list shows unless asked for one status: everything not deleted.
MODERATION_QUEUE = (Status.visible, Status.hidden)
# What members (and the AddGlow feed) see.
PUBLIC = (Status.visible,)
