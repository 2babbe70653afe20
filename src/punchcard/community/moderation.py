"""Moderation of posts and comments: hide, restore, delete, with who and when.

``visible → hidden`` (hide) and back (restore); ``visible | hidden → deleted`` (delete),
which is final: the row stays (so who deleted what, and when, is kept), but no one can
restore, hide or see it again except the brand asking for it by id or by status. Each
change records who made it (the API key or the dashboard user) and when; asking for
the status an item already has changes nothing (the earlier who and when stay).
Leaving or re-entering ``visible`` moves the post's cached ``comment_count`` (members'
comment counts count what they can see). The row is locked first, so concurrent
decisions apply one after the other.

Members and the AddGlow feed never see hidden or deleted items; comments and likes on
them are refused as on a missing one (404). The brand's lists show visible and hidden
ones by default (the moderation queue), any one status on request.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from punchcard.community.repository import PostRepository
from punchcard.community.schemas import Status
from punchcard.community.service import comment_row, post_row
from punchcard.community.views import CommentView, PostView
from punchcard.db.uow import now
from punchcard.errors import Unprocessable
from punchcard.identity.principal import Principal
from punchcard.models import Post, PostComment

# The statuses each action moves from.
_FROM = {
    Status.hidden: (Status.visible,),
    Status.visible: (Status.hidden,),
    Status.deleted: (Status.visible, Status.hidden),
}


def _apply(principal: Principal, row: Post | PostComment, to: Status, at: datetime) -> bool:
    """Move ``row`` to ``to``; whether it changed. A move the rules refuse is 422."""
    if row.status == to.value:
        return False
    if Status(row.status) not in _FROM[to]:
        raise Unprocessable(
            f"A {row.status} item cannot become {to.value}",
            field="status",
            code="INVALID_STATUS_TRANSITION",
        )
    row.status = to.value
    row.moderated_by_key_id = principal.api_key_id
    row.moderated_by_user_id = principal.user_id
    row.moderated_at = at
    row.updated_at = at
    return True


def moderate_post(
    session: Session, principal: Principal, *, post_id: uuid.UUID, to: Status
) -> PostView:
    """Hide (``hidden``), restore (``visible``) or delete (``deleted``) a post."""
    row = post_row(session, principal, post_id, statuses=tuple(Status), lock=True)
    if _apply(principal, row, to, now(session)):
        session.flush()
    return PostView.of(row)


def moderate_comment(
    session: Session, principal: Principal, *, comment_id: uuid.UUID, to: Status
) -> CommentView:
    """Hide, restore or delete a comment; its post's ``comment_count`` follows."""
    row = comment_row(session, principal, comment_id, statuses=tuple(Status), lock=True)
    was_visible = row.status == Status.visible.value
    if _apply(principal, row, to, now(session)):
        session.flush()
        is_visible = row.status == Status.visible.value
        if was_visible != is_visible:
            PostRepository(session, principal.tenant_id).add_to(
                row.post_id, "comment_count", 1 if is_visible else -1
            )
    return CommentView.of(row)
