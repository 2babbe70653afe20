"""Tag wire models: the body of ``POST /members/{id}/tags`` and the renderings of the
tag catalogue and of a member's tags."""

from __future__ import annotations

from pydantic import Field

from punchcard.kit.schema import InputSchema, Schema, UtcTime
from punchcard.members.schemas import TagSource
from punchcard.models import MemberTag, Tag


class TagRead(Schema):
    key: str
    name: str
    member_count: int

    @classmethod
    def of(cls, tag: Tag, member_count: int) -> TagRead:
        return cls(key=tag.key, name=tag.name, member_count=member_count)


class TagList(Schema):
    tags: list[TagRead]
    total: int
    limit: int
    offset: int


class MemberTagRead(Schema):
    key: str
    name: str
    source: TagSource
    added_at: UtcTime

    @classmethod
    def of(cls, link: MemberTag, tag: Tag) -> MemberTagRead:
        return cls(
            key=tag.key, name=tag.name, source=TagSource(link.source), added_at=link.added_at
        )


class MemberTagList(Schema):
    tags: list[MemberTagRead]


class MemberTagsAdd(InputSchema):
    tags: list[str] = Field(
        min_length=1,
        max_length=100,
        description="Tag keys (lower-case slugs `[a-z0-9_-]{1,64}`); unknown tags are created",
    )
