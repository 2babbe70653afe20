"""The dashboard's community pages (issue 14): testimonials and ideas to moderate,
rooms, and posts and comments to hide, show again or delete.

Through the core services the native face calls (``testimonials``, ``feedback``,
``community.service``, ``community.moderation``). A dashboard user moderates as
themselves: the core records the user (``moderated_by_user_id``) and the time, and
the pages show them. A refused move (a deleted post cannot be hidden) is the error page
with the core's message; another tenant's id is the 404 page.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from punchcard.community import moderation
from punchcard.community import service as community
from punchcard.community.schemas import Status
from punchcard.errors import PunchcardError, ValidationFailed
from punchcard.feedback import service as feedback
from punchcard.feedback.schemas import IdeaStatus
from punchcard.identity.repository import UserRepository
from punchcard.kit.paging import Page
from punchcard.testimonials import service as testimonials
from punchcard.testimonials.schemas import TestimonialStatus
from punchcard.web.dashboard.programs import Field as FormField
from punchcard.web.dashboard.programs import FormPage, Reader, done, guarded, row_id
from punchcard.web.dashboard.session import Ctx, action, view

router = APIRouter(include_in_schema=False)

BASE = "/dashboard/community"
LIST = Page(limit=50)
# Post moderation: the path's verb, the status it moves to, the notice's word.
MOVES = {
    "hide": (Status.hidden, "hidden"),
    "restore": (Status.visible, "shown again"),
    "delete": (Status.deleted, "deleted"),
}


def moderator(ctx: Ctx, key_id: uuid.UUID | None, user_id: uuid.UUID | None) -> str | None:
    """Who moderated, as the page shows it: a user's email, or an API key."""
    if user_id is not None:
        user = UserRepository(ctx.session).get(ctx.tenant.id, user_id)
        return user.email if user is not None else "a former team member"
    if key_id is not None:
        return "an API key"
    return None


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at is not None else ""


def _moderated(ctx: Ctx, rows: Sequence[Any]) -> list[tuple[Any, str | None]]:
    return [(r, moderator(ctx, r.moderated_by_key_id, r.moderated_by_user_id)) for r in rows]


def _room_form(value: str = "", error: PunchcardError | None = None) -> FormPage:
    return FormPage(
        title="New room",
        post_to=f"{BASE}/rooms",
        submit="Create room",
        back=BASE,
        fields=[FormField("name", "Room name", value=value, required=True)],
        error=error.message if error else None,
        error_field=error.field if error else None,
    )


def _status_filter(raw: str | None) -> Status | None:
    if not raw:
        return None
    try:
        return Status(raw)
    except ValueError:
        raise ValidationFailed(
            "status: choose visible, hidden or deleted", field="status"
        ) from None


def _overview(ctx: Ctx, *, status: Status | None, room_form: FormPage, code: int = 200) -> Response:
    s, p = ctx.session, ctx.principal
    said, said_total = testimonials.list_testimonials(s, p, page=LIST)
    boards, _ = feedback.list_boards(s, p, page=Page(limit=20))
    ideas = [(b, feedback.list_ideas(s, p, board_id=b.id, page=LIST)[0]) for b in boards]
    rooms, _ = community.list_rooms(s, p, page=Page(limit=200))
    posts, posts_total = community.list_posts(s, p, page=LIST, status=status)
    return ctx.page(
        "dashboard/community/index.html",
        status=code,
        title="Community",
        testimonials=_moderated(ctx, said),
        testimonials_total=said_total,
        ideas=ideas,
        idea_statuses=[e.value for e in IdeaStatus],
        rooms=rooms,
        room_names={r.id: r.name for r in rooms},
        posts=_moderated(ctx, posts),
        posts_total=posts_total,
        status_filter=status.value if status else "",
        form=room_form,
        when=_when,
    )


@router.get(BASE)
async def index(request: Request) -> Response:
    def page(ctx: Ctx) -> Response:
        status = _status_filter(request.query_params.get("status"))
        return _overview(ctx, status=status, room_form=_room_form())

    return await view(request, page)


@router.post(f"{BASE}/rooms")
async def room_create(request: Request) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        try:
            name = Reader(form, {"name": "Room name"}).text("name", limit=100)
            assert name is not None
            room = guarded(
                ctx, lambda: community.create_room(ctx.session, ctx.principal, name=name)
            )
        except PunchcardError as exc:
            raw = form.get("name")
            return _overview(
                ctx,
                status=None,
                code=400,
                room_form=_room_form(raw if isinstance(raw, str) else "", exc),
            )
        return done(BASE, f"Room “{room.name}” created")

    return await action(request, work)


@router.post(f"{BASE}/testimonials/{{id}}")
async def testimonial_moderate(request: Request, id: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        raw = form.get("status")
        if raw not in (TestimonialStatus.approved.value, TestimonialStatus.rejected.value):
            raise ValidationFailed("status: choose approved or rejected", field="status")
        testimonials.moderate(
            ctx.session, ctx.principal, testimonial_id=row_id(id), status=TestimonialStatus(raw)
        )
        return done(BASE, f"Testimonial {raw}")

    return await action(request, work)


@router.post(f"{BASE}/ideas/{{id}}")
async def idea_status(request: Request, id: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        raw = form.get("status")
        try:
            status = IdeaStatus(raw if isinstance(raw, str) else "")
        except ValueError:
            allowed = ", ".join(e.value for e in IdeaStatus)
            raise ValidationFailed(f"status: choose one of {allowed}", field="status") from None
        idea = feedback.set_status(ctx.session, ctx.principal, idea_id=row_id(id), status=status)
        return done(BASE, f"Idea “{idea.title}” is now {status.value.replace('_', ' ')}")

    return await action(request, work)


def _back(form: FormData, default: str) -> str:
    """Where a moderation returns: the page it came from, within the community pages."""
    raw = form.get("back")
    if isinstance(raw, str) and raw.startswith(BASE) and "//" not in raw and "?" not in raw:
        return raw
    return default


@router.post(f"{BASE}/posts/{{id}}/{{move}}")
async def post_moderate(request: Request, id: str, move: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        to, word = MOVES.get(move, (None, ""))
        if to is None:
            raise ValidationFailed("Choose hide, restore or delete", field="action")
        moderation.moderate_post(ctx.session, ctx.principal, post_id=row_id(id), to=to)
        return done(_back(form, BASE), f"Post {word}")

    return await action(request, work)


@router.post(f"{BASE}/comments/{{id}}/{{move}}")
async def comment_moderate(request: Request, id: str, move: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        to, word = MOVES.get(move, (None, ""))
        if to is None:
            raise ValidationFailed("Choose hide, restore or delete", field="action")
        c = moderation.moderate_comment(ctx.session, ctx.principal, comment_id=row_id(id), to=to)
        return done(_back(form, f"{BASE}/posts/{c.post_id}"), f"Comment {word}")

    return await action(request, work)


@router.get(f"{BASE}/posts/{{id}}")
async def post_show(request: Request, id: str) -> Response:
    def page(ctx: Ctx) -> Response:
        post = community.get_post(ctx.session, ctx.principal, post_id=row_id(id))
        deleted = request.query_params.get("status") == "deleted"
        comments, total = community.list_comments(
            ctx.session,
            ctx.principal,
            post_id=post.id,
            page=Page(limit=200),
            status=Status.deleted if deleted else None,
        )
        room = community.get_room(ctx.session, ctx.principal, room_id=post.room_id)
        return ctx.page(
            "dashboard/community/post.html",
            title="Post",
            post=post,
            post_by=moderator(ctx, post.moderated_by_key_id, post.moderated_by_user_id),
            room=room,
            comments=_moderated(ctx, comments),
            total=total,
            deleted=deleted,
            when=_when,
        )

    return await view(request, page)
