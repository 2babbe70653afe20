"""Capture wire models: the body of a check-in and the rendering of captures (``cap_``,
``mem_`` and ``st_`` ids)."""

from __future__ import annotations

from pydantic import Field

from punchcard.api.common import ids
from punchcard.kit.schema import InputSchema, Schema, UtcTime
from punchcard.members.schemas import CaptureSource
from punchcard.models import Capture


class CaptureRead(Schema):
    id: str
    member_id: str
    source: CaptureSource
    store_id: str | None
    is_new_member: bool
    created_at: UtcTime

    @classmethod
    def of(cls, capture: Capture) -> CaptureRead:
        return cls(
            id=ids.render("cap", capture.id),
            member_id=ids.render("mem", capture.member_id),
            source=CaptureSource(capture.source),
            store_id=ids.render_optional("st", capture.store_id),
            is_new_member=capture.is_new_member,
            created_at=capture.created_at,
        )


class CaptureList(Schema):
    captures: list[CaptureRead]
    total: int
    limit: int
    offset: int


class CheckinCreate(InputSchema):
    # NUL is refused by InputSchema's own check (the same 400 the members schemas give).
    store_id: str = Field(min_length=1, description="`st_…` id or store code")
