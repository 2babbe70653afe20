"""Webhook bodies of the event types AddGlow's contract defines (``user.joined``,
``post.created``, ``post.liked``, ``post_comment.created``, ``post_comment.liked``).

The signed message is the document's ``{type, timestamp, data}`` (``webhooks.signing``);
these renderers make its ``data`` from the outbox event's neutral data, in this face's
dialect (bare UUIDs, camelCase, ``...Z`` times), with the same model the API renders
the resource with, so a webhook body and an API answer cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping

from punchcard.events.data import Renderer

RENDERERS: Mapping[str, Renderer] = {}
