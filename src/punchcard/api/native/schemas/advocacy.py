"""Testimonial and feedback-board wire models: the bodies of ``/testimonials`` and
``/feedback/*`` and their renderings (``tst_``/``fbb_``/``idea_``/``vote_`` ids). A
testimonial's (:class:`TestimonialRead`) is also the ``testimonial.created`` webhook
body."""

from __future__ import annotations

from pydantic import Field

from punchcard.api.common import ids
from punchcard.feedback.schemas import MAX_NAME, MAX_TEXT, MAX_TITLE, IdeaStatus
from punchcard.feedback.views import BoardView, IdeaView, VoteView
from punchcard.kit.schema import InputSchema, Schema, UtcTime
from punchcard.testimonials.schemas import (
    MAX_CONTENT,
    MAX_RATING,
    MIN_RATING,
    TestimonialStatus,
)
from punchcard.testimonials.views import TestimonialView

TESTIMONIAL = "tst"
BOARD = "fbb"
IDEA = "idea"
VOTE = "vote"


def moderator(v: TestimonialView) -> str | None:
    """Who made the last decision: an API key (``key_…``) or a user (``usr_…``)."""
    if v.moderated_by_key_id is not None:
        return ids.render("key", v.moderated_by_key_id)
    return ids.render_optional("usr", v.moderated_by_user_id)


# Testimonials ------------------------------------------------------------------------


class TestimonialCreate(InputSchema):
    member_id: str = Field(description="The member (`mem_…`) who gave the testimonial")
    content: str = Field(min_length=1, max_length=MAX_CONTENT)
    rating: int = Field(ge=MIN_RATING, le=MAX_RATING, description="1..5")


class TestimonialModerate(InputSchema):
    status: TestimonialStatus = Field(
        description="`approved` or `rejected` (a decided one may be decided again; "
        "back to `pending` is refused)"
    )


class TestimonialRead(Schema):
    id: str
    member_id: str
    content: str
    rating: int
    status: TestimonialStatus
    moderated_by: str | None = Field(description="`key_…` or `usr_…` of the last decision")
    moderated_at: UtcTime | None
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, v: TestimonialView) -> TestimonialRead:
        return cls(
            id=ids.render(TESTIMONIAL, v.id),
            member_id=ids.render("mem", v.member_id),
            content=v.content,
            rating=v.rating,
            status=TestimonialStatus(v.status),
            moderated_by=moderator(v),
            moderated_at=v.moderated_at,
            created_at=v.created_at,
            updated_at=v.updated_at,
        )


class TestimonialList(Schema):
    testimonials: list[TestimonialRead]
    total: int
    limit: int
    offset: int


# Feedback boards -----------------------------------------------------------------------


class BoardCreate(InputSchema):
    name: str = Field(min_length=1, max_length=MAX_NAME)
    description: str | None = Field(default=None, max_length=MAX_TEXT)


class BoardRead(Schema):
    id: str
    name: str
    description: str | None
    idea_count: int
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, v: BoardView) -> BoardRead:
        return cls(
            id=ids.render(BOARD, v.id),
            name=v.name,
            description=v.description,
            idea_count=v.idea_count,
            created_at=v.created_at,
            updated_at=v.updated_at,
        )


class BoardList(Schema):
    boards: list[BoardRead]
    total: int
    limit: int
    offset: int


class IdeaCreate(InputSchema):
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    body: str | None = Field(default=None, max_length=MAX_TEXT)
    member_id: str = Field(description="The member (`mem_…`) posting the idea")


class IdeaUpdate(InputSchema):
    status: IdeaStatus


class IdeaRead(Schema):
    id: str
    board_id: str
    member_id: str
    title: str
    body: str | None
    status: IdeaStatus
    vote_count: int
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, v: IdeaView) -> IdeaRead:
        return cls(
            id=ids.render(IDEA, v.id),
            board_id=ids.render(BOARD, v.board_id),
            member_id=ids.render("mem", v.member_id),
            title=v.title,
            body=v.body,
            status=IdeaStatus(v.status),
            vote_count=v.vote_count,
            created_at=v.created_at,
            updated_at=v.updated_at,
        )


class IdeaList(Schema):
    ideas: list[IdeaRead]
    total: int
    limit: int
    offset: int


class VoteCreate(InputSchema):
    member_id: str = Field(description="The member (`mem_…`) voting")


class VoteRead(Schema):
    id: str
    idea_id: str
    member_id: str
    vote_count: int = Field(description="The idea's votes now")
    created_at: UtcTime

    @classmethod
    def of(cls, v: VoteView) -> VoteRead:
        return cls(
            id=ids.render(VOTE, v.id),
            idea_id=ids.render(IDEA, v.idea_id),
            member_id=ids.render("mem", v.member_id),
            vote_count=v.vote_count,
            created_at=v.created_at,
        )
