"""The neutral data of the community's events (``events.data``): the post, comment or
like as written, read in the transaction of the change. Keys are the columns of their
rows, so a face rebuilds each with ``events.data.restore`` and renders it as its API
renders the resource."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from punchcard.community.views import CommentView, LikeView, PostView
from punchcard.events.data import value


def _post(view: PostView) -> dict[str, Any]:
    out: dict[str, Any] = value(asdict(view))
    return out


def _comment(view: CommentView) -> dict[str, Any]:
    out: dict[str, Any] = value(asdict(view))
    return out


def _like(like: LikeView, target: str) -> dict[str, Any]:
    """A like as its table holds it (``post_id`` or ``comment_id``)."""
    return {
        "id": value(like.id),
        target: value(like.comment_id if target == "comment_id" else like.post_id),
        "member_id": value(like.member_id),
        "created_at": value(like.created_at),
    }


def post_created(post: PostView) -> dict[str, Any]:
    """``post.created``: the post."""
    return {"post": _post(post)}


def post_liked(like: LikeView, post: PostView) -> dict[str, Any]:
    """``post.liked``: the like, and the post with its likes after it."""
    return {"like": _like(like, "post_id"), "post": _post(post)}


def comment_created(comment: CommentView, post: PostView) -> dict[str, Any]:
    """``post_comment.created``: the comment, and its post (its room, its comments)."""
    return {"comment": _comment(comment), "post": _post(post)}


def comment_liked(like: LikeView, comment: CommentView, post: PostView) -> dict[str, Any]:
    """``post_comment.liked``: the like, the comment with its likes after it, its post."""
    return {"like": _like(like, "comment_id"), "comment": _comment(comment), "post": _post(post)}
