"""Webhook bodies of the event types AddGlow's contract defines (``user.joined``,
``post.created``, ``post.liked``, ``post_comment.created``, ``post_comment.liked``).

The signed message is the document's ``{type, timestamp, data}`` (``webhooks.signing``);
these renderers make its ``data`` from the outbox event's neutral data, in this face's
dialect (bare UUIDs, camelCase, ``...Z`` times), with the same model the API renders
the resource with, so a webhook body and an API answer cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from punchcard.api.addglow.members import Member
from punchcard.events.data import Renderer


def _user_joined(data: Mapping[str, Any]) -> dict[str, Any]:
    """The member exactly as ``GET /members/{id}`` renders it, with its group ids."""
    return Member.of_data(data).model_dump(mode="json", by_alias=True)


RENDERERS: Mapping[str, Renderer] = {"user.joined": _user_joined}
