"""Webhook bodies of the event types AddGlow's contract defines (``user.joined``,
``post.created``, ``post.liked``, ``post_comment.created``, ``post_comment.liked``).

The signed message is the document's ``{type, timestamp, data}`` (``webhooks.signing``);
these renderers make its ``data`` from the outbox event's neutral data, in this face's
dialect (bare UUIDs, camelCase, ``...Z`` times), with the same model the API renders
the resource with, so a webhook body and an API answer cannot drift apart.

The document leaves every ``data`` empty; ours: ``post.created`` is the post as ``GET
/posts`` lists it; ``post_comment.created`` the comment (``id, postId, roomId,
memberId, content, likeCount, createdAt, updatedAt``); a like is ``{id, postId
(, commentId), memberId, createdAt}`` with the liked post (``post``) or comment
(``comment``) as it is after the like.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from punchcard.api.addglow import ids
from punchcard.api.addglow.members import Member
from punchcard.api.addglow.posts import Comment, Post
from punchcard.community.views import CommentView, PostView
from punchcard.events.data import Renderer, restore
from punchcard.kit.clock import iso_z
from punchcard.models import CommentLike, PostComment, PostLike
from punchcard.models import Post as PostRow


def _json(model: Any) -> dict[str, Any]:
    out: dict[str, Any] = model.model_dump(mode="json", by_alias=True)
    return out


def _post(d: Mapping[str, Any]) -> PostView:
    return PostView.of(restore(PostRow, d))


def _comment(d: Mapping[str, Any]) -> CommentView:
    return CommentView.of(restore(PostComment, d))


def user_joined(d: Mapping[str, Any]) -> dict[str, Any]:
    """``user.joined``: the member exactly as ``GET /members/{id}`` renders it, with its
    group ids."""
    return _json(Member.of_data(d))


def post_created(d: Mapping[str, Any]) -> dict[str, Any]:
    """``post.created``: the post as ``GET /posts`` lists it."""
    return _json(Post.of(_post(d["post"])))


def post_liked(d: Mapping[str, Any]) -> dict[str, Any]:
    """``post.liked``: the like and the post with its likes after it."""
    like = restore(PostLike, d["like"])
    return {
        "id": ids.render(like.id),
        "postId": ids.render(like.post_id),
        "memberId": ids.render(like.member_id),
        "createdAt": iso_z(like.created_at),
        "post": _json(Post.of(_post(d["post"]))),
    }


def comment_created(d: Mapping[str, Any]) -> dict[str, Any]:
    """``post_comment.created``: the comment (with its post's room)."""
    return _json(Comment.of(_comment(d["comment"]), post=_post(d["post"])))


def comment_liked(d: Mapping[str, Any]) -> dict[str, Any]:
    """``post_comment.liked``: the like and the comment with its likes after it."""
    like = restore(CommentLike, d["like"])
    comment = _comment(d["comment"])
    return {
        "id": ids.render(like.id),
        "commentId": ids.render(like.comment_id),
        "postId": ids.render(comment.post_id),
        "memberId": ids.render(like.member_id),
        "createdAt": iso_z(like.created_at),
        "comment": _json(Comment.of(comment, post=_post(d["post"]))),
    }


RENDERERS: Mapping[str, Renderer] = {
    "user.joined": user_joined,
    "post.created": post_created,
    "post.liked": post_liked,
    "post_comment.created": comment_created,
    "post_comment.liked": comment_liked,
}
