"""Member tags: ``/tags`` and ``/members/{id}/tags``."""

from __future__ import annotations

from fastapi import APIRouter, Response

from punchcard.api.common import ids
from punchcard.api.common.auth import TagsRead, TagsWrite
from punchcard.api.common.paging import PageParams
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.tags import (
    MemberTagList,
    MemberTagRead,
    MemberTagsAdd,
    TagList,
    TagRead,
)
from punchcard.members import tags as service

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Member Tags"])


@router.get("/tags", response_model=TagList)
def list_tags(p: TagsRead, session: DbSession, page: PageParams) -> TagList:
    """List the tenant's tags with how many members carry each."""
    rows, total = service.list_tags(session, p, page=page)
    tags = [TagRead.of(tag, count) for tag, count in rows]
    return TagList(tags=tags, total=total, limit=page.limit, offset=page.offset)


@router.get("/members/{id}/tags", response_model=MemberTagList)
def member_tags(p: TagsRead, session: DbSession, id: str) -> MemberTagList:
    """List a member's tags."""
    rows = service.member_tags(session, p, member_id=ids.parse("mem", id))
    return MemberTagList(tags=[MemberTagRead.of(link, tag) for link, tag in rows])


@router.post("/members/{id}/tags", response_model=MemberTagList)
def add_member_tags(
    p: TagsWrite, session: DbSession, id: str, body: MemberTagsAdd
) -> MemberTagList:
    """Add tags to a member (idempotent; unknown tags are created)."""
    rows = service.add_tags(session, p, member_id=ids.parse("mem", id), keys=body.tags)
    return MemberTagList(tags=[MemberTagRead.of(link, tag) for link, tag in rows])


@router.delete("/members/{id}/tags/{tagKey}", status_code=204, response_class=Response)
def remove_member_tag(p: TagsWrite, session: DbSession, id: str, tagKey: str) -> Response:
    """Remove a tag from a member."""
    service.remove_tag(session, p, member_id=ids.parse("mem", id), key=tagKey)
    return Response(status_code=204)
