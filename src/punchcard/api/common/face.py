"""One way to mount a face: a :class:`Face` says everything ``create_app`` needs.

A face is a package under ``api/`` that exports ``FACE``; ``app.FACES`` lists them and
one loop mounts each: its router under its prefix, its OpenAPI document and Swagger UI
(``<prefix>/openapi.json``, ``<prefix>/docs``), and its error renderer for every
error under its prefix (longest prefix first; outside every face, the native one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from fastapi import APIRouter

from punchcard.api.common.auth import CredentialReader
from punchcard.api.common.errors import Renderer as ErrorRenderer
from punchcard.api.common.openapi import ERROR_SCHEMA
from punchcard.events.data import Renderer, combine

# An outbox event's neutral data (ids and values in core terms) to the wire body the
# face's contract defines for that event type (the worker renders at delivery).
EventRenderer = Renderer


@dataclass(frozen=True)
class Face:
    prefix: str
    """Where it is mounted: ``/api/v2``, ``/v2/loyalty``."""
    router: APIRouter
    """Its routes (a ``UnitOfWorkRoute`` router), mounted under ``prefix``."""
    title: str
    """Its OpenAPI document's title."""
    description: str
    """Its OpenAPI document's description: credentials, envelopes, paging."""
    render_error: ErrorRenderer
    """``(PunchcardError, status) -> JSONResponse`` in the face's error envelope."""
    credentials: CredentialReader
    """The dependency reading its credentials into a ``Principal``; handlers declare
    ``scoped(scope, credentials)`` (``api.common.auth``)."""
    error_schema: Mapping[str, Any] = field(default_factory=lambda: ERROR_SCHEMA)
    """The OpenAPI schema of its error envelope (``components.schemas.Error``)."""
    customise_openapi: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    """Last touches to its OpenAPI document (security schemes, ...)."""
    events: Mapping[str, EventRenderer] = field(default_factory=lambda: MappingProxyType({}))
    """Webhook bodies of the event types its contract defines, by event type."""


def combine_events(faces: Iterable[Face]) -> dict[str, EventRenderer]:
    """Every face's event renderers by event type (an event type is defined by one
    face's contract: two faces rendering one type is refused)."""
    return combine(*(face.events for face in faces))
