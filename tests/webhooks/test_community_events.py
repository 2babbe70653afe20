"""The AddGlow face's community webhooks end to end: a post, a like of it, a comment and
a like of the comment, made through the API, delivered by the worker to a real HTTP
receiver and verified with the official ``standardwebhooks`` library. The body is the
document's ``{type, timestamp, data}``, ``data`` in AddGlow's dialect (bare UUIDs,
camelCase)."""

from __future__ import annotations

import uuid
from typing import Any

from punchcard.worker.delivery import DeliveryWorker
from tests.factories import Tenant, unique
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import create_endpoint

TYPES = ["post.created", "post.liked", "post_comment.created", "post_comment.liked"]


def _ok(r: Any, status: int = 201) -> dict[str, Any]:
    assert r.status_code == status, r.text
    return dict(r.json())


def _uuid(native: str) -> str:
    return str(uuid.UUID(hex=native.split("_", 1)[1]))


def _member(t: Tenant) -> str:
    return str(_ok(t.api.post("/members", json={"email": f"{unique('c')}@example.com"}))["id"])


def _delivered(t: Tenant, receiver: Receiver, worker: DeliveryWorker) -> dict[str, Any]:
    """The verified message of each community event, by type (each arrived once)."""
    hook = create_endpoint(t.api, receiver.url(), events=TYPES)
    author, fan = _member(t), _member(t)
    room = _ok(t.api.post("/rooms", json={"name": "General"}))
    post = _ok(
        t.api.post("/posts", json={"roomId": room["id"], "memberId": author, "content": "Hi"})
    )
    t.db.clock.advance(seconds=1)
    _ok(t.api.post(f"/posts/{post['id']}/likes", json={"memberId": fan}))
    _ok(t.api.post(f"/posts/{post['id']}/likes", json={"memberId": fan}), 200)
    comment = _ok(
        t.api.post(f"/posts/{post['id']}/comments", json={"memberId": fan, "content": "Yes"})
    )
    _ok(t.api.post(f"/comments/{comment['id']}/likes", json={"memberId": author}))
    _ok(t.api.post(f"/comments/{comment['id']}/likes", json={"memberId": author}), 200)
    while worker.drain():
        pass
    got = receiver.wait_for(len(TYPES))
    verified = [r.verify(hook["secret"]) for r in got]
    assert sorted(v["type"] for v in verified) == sorted(TYPES)
    return {
        "ids": {"room": room, "post": post, "comment": comment, "author": author, "fan": fan},
        **{v["type"]: v for v in verified},
    }


def test_each_community_event_arrives_once_signed_in_the_documents_body(
    tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    got = _delivered(tenant, receiver, worker)
    ids = got["ids"]
    post, comment = ids["post"], ids["comment"]
    room_id, post_id = _uuid(ids["room"]["id"]), _uuid(post["id"])
    author, fan = _uuid(ids["author"]), _uuid(ids["fan"])
    for type_ in TYPES:
        message = got[type_]
        assert set(message) == {"type", "timestamp", "data"}
        assert message["timestamp"].endswith("Z")

    assert got["post.created"]["data"] == {
        "id": post_id,
        "roomId": room_id,
        "memberId": author,
        "content": "Hi",
        "likeCount": 0,
        "commentCount": 0,
        "createdAt": post["createdAt"],
        "updatedAt": post["updatedAt"],
    }

    liked = got["post.liked"]["data"]
    assert uuid.UUID(liked["id"]) and liked["postId"] == post_id and liked["memberId"] == fan
    assert liked["createdAt"].endswith("Z")
    assert liked["post"] == {**got["post.created"]["data"], "likeCount": 1}

    assert got["post_comment.created"]["data"] == {
        "id": _uuid(comment["id"]),
        "postId": post_id,
        "roomId": room_id,
        "memberId": fan,
        "content": "Yes",
        "likeCount": 0,
        "createdAt": comment["createdAt"],
        "updatedAt": comment["updatedAt"],
    }

    comment_liked = got["post_comment.liked"]["data"]
    assert comment_liked["commentId"] == _uuid(comment["id"])
    assert comment_liked["postId"] == post_id and comment_liked["memberId"] == author
    assert comment_liked["comment"] == {**got["post_comment.created"]["data"], "likeCount": 1}
    assert "_" not in "".join(
        str(v) for v in (liked["id"], comment_liked["id"], liked["postId"])
    )  # bare UUIDs, no native prefixes
