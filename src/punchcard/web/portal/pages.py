"""The portal's pages beyond home (issue 14): history, rewards (and redeeming one),
coupons, referrals, quests, testimonials, ideas, community rooms.

Every page runs through ``session.member_view`` / ``member_action`` (the signed-in
member of the tenant in the URL, CSRF on every form, one transaction per change) and
reaches the data through the core services with the member's principal, so the core's
rules apply as they do to the member's API calls: another member's or tenant's id is
NotFound (a 404 page), too few points is refused with nothing written, a vote counts
once, a banned member cannot post (nor even stay signed in).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from punchcard.ambassador import referrals
from punchcard.community import service as community
from punchcard.coupons import service as coupons
from punchcard.errors import InsufficientPoints, NotFound, ValidationFailed
from punchcard.feedback import service as feedback
from punchcard.kit.ids import parse as parse_id
from punchcard.kit.paging import Page
from punchcard.ledger import points
from punchcard.models import PointsEntry
from punchcard.quests import service as quests
from punchcard.quests.schemas import QuestStatus
from punchcard.rewards import service as rewards
from punchcard.testimonials import service as testimonials
from punchcard.web.portal.session import MemberCtx, member_action, member_view

router = APIRouter(include_in_schema=False)

PER_PAGE = 20
# Lists a page shows whole (a brand's rewards, quests, boards, rooms are a handful).
MANY = 100
POSTS_SHOWN = 50


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
        raise ValidationFailed("page must be a whole number from 1", field="page")
    return int(raw)


def _id(prefix: str, value: str, what: str) -> uuid.UUID:
    """An id from the URL (a canonical UUID or the native ``<prefix>_<hex>``); a
    malformed one is a 404 like an unknown one."""
    parsed = parse_id(prefix, value)
    if parsed is None:
        raise NotFound(f"{what} not found", field="id")
    return parsed


def _redirect(url: str, notice: str | None = None) -> Response:
    if notice:
        url = f"{url}?{urlencode({'notice': notice})}"
    return RedirectResponse(url, status_code=303)


def _member_id(ctx: MemberCtx) -> uuid.UUID:
    assert ctx.principal.member_id is not None
    return ctx.principal.member_id


# History ------------------------------------------------------------------------------


def _n(amount: int) -> str:
    n = abs(amount)
    return f"{n:,} point" if n == 1 else f"{n:,} points"


def describe(entry: PointsEntry) -> str:
    """A ledger entry in plain words ("Earned 120 points for order #1234")."""
    text = (entry.description or "").strip()
    amount = entry.amount
    if entry.type == "award":
        if text.startswith("Order "):
            return f"Earned {_n(amount)} for order #{text.removeprefix('Order ')}"
        return f"Earned {_n(amount)}" + (f": {text}" if text else "")
    if entry.type == "redeem":
        if text.startswith("Redeemed: "):
            return f"Redeemed {_n(amount)} for {text.removeprefix('Redeemed: ')}"
        return f"Redeemed {_n(amount)}" + (f": {text}" if text else "")
    if entry.type == "expire":
        return f"{_n(amount)} expired"
    if entry.type == "clawback":
        return f"{_n(amount)} taken back" + (f": {text}" if text else "")
    if entry.type == "deduct":
        return f"{_n(amount)} deducted" + (f": {text}" if text else "")
    sign = "added" if amount >= 0 else "removed"
    return f"{_n(amount)} {sign}" + (f": {text}" if text else "")


# What a member is told of an entry's status (the rest need no word: approved, spent...).
STATUS_WORDS = {
    "pending": "pending approval",
    "pending_deduction": "pending",
    "rejected": "not approved",
    "auto_rejected": "not approved",
}


@dataclass(frozen=True)
class Line:
    at: datetime
    words: str
    amount: int
    status: str
    balance_after: int


@router.get("/portal/{partner_id}/history", response_class=HTMLResponse)
async def history(request: Request, partner_id: str) -> Response:
    """The member's ledger in plain words, newest first, paged."""

    def work(ctx: MemberCtx) -> Response:
        number = _page_number(request)
        page = Page(PER_PAGE, (number - 1) * PER_PAGE)
        st = points.statement(ctx.session, ctx.principal, member_id=_member_id(ctx), page=page)
        lines = [
            Line(
                e.created_at, describe(e), e.amount, STATUS_WORDS.get(e.status, ""), e.balance_after
            )
            for e in st.entries
        ]
        pages = max(1, -(-st.total // PER_PAGE))
        return ctx.page(
            "portal/history.html",
            title="History",
            balance=st.balance,
            lines=lines,
            number=number,
            pages=pages,
            schedule=st.schedule,
        )

    return await member_view(request, partner_id, work)


# Rewards and coupons --------------------------------------------------------------------


@router.get("/portal/{partner_id}/rewards", response_class=HTMLResponse)
async def rewards_page(request: Request, partner_id: str) -> Response:
    """The rewards the member can redeem: cost, stock, a Redeem button each."""

    def work(ctx: MemberCtx) -> Response:
        rows, _ = rewards.list_rewards(ctx.session, ctx.principal, page=Page(MANY, 0), active=True)
        codes = rewards.available_codes(ctx.session, ctx.principal, rows)
        member = ctx.member
        offers = []
        for r in rows:
            left = codes.get(r.id) if r.pool_id is not None else None
            stock = r.stock if left is None else (left if r.stock is None else min(r.stock, left))
            tiered = bool(r.tier_ids) and (
                member.tier_id is None or str(member.tier_id) not in r.tier_ids
            )
            offers.append(
                {
                    "id": r.id.hex,
                    "name": r.name,
                    "description": r.description,
                    "cost": r.points_cost,
                    "stock": stock,
                    "affordable": member.points_balance >= r.points_cost,
                    "tiered": tiered,
                }
            )
        return ctx.page(
            "portal/rewards.html", title="Rewards", offers=offers, balance=member.points_balance
        )

    return await member_view(request, partner_id, work)


@router.post("/portal/{partner_id}/rewards/{reward_id}/redeem", response_class=HTMLResponse)
async def redeem(request: Request, partner_id: str, reward_id: str) -> Response:
    """Spend the points (the core's redeem, as ``/me/rewards/{id}/redeem``): the coupon
    code shown. Too few points is a message and nothing is written."""

    def work(ctx: MemberCtx, form: FormData) -> Response:
        try:
            done = rewards.redeem(
                ctx.session,
                ctx.principal,
                reward_id=_id("rwd", reward_id, "Reward"),
                member_id=_member_id(ctx),
            )
        except InsufficientPoints as exc:
            # Raised again (the transaction rolls back), in the member's words.
            raise InsufficientPoints(
                "Not enough points for this reward: you have "
                f"{ctx.member.points_balance:,} available."
            ) from exc
        if done.coupon is None:
            notice = f"Redeemed {done.reward.name} for {_n(done.reward.points_cost)}."
            return _redirect(ctx.url("/rewards"), notice)
        # Post/redirect/get: reloading the code's page never redeems again.
        notice = f"Redeemed {done.reward.name} for {_n(done.reward.points_cost)}."
        return _redirect(ctx.url(f"/coupons/{done.coupon.id.hex}"), notice)

    return await member_action(request, partner_id, work)


@router.get("/portal/{partner_id}/coupons", response_class=HTMLResponse)
async def coupons_page(request: Request, partner_id: str) -> Response:
    """The member's coupons: code, status, expiry."""

    def work(ctx: MemberCtx) -> Response:
        number = _page_number(request)
        rows, total = coupons.list_coupons(
            ctx.session,
            ctx.principal,
            page=Page(PER_PAGE, (number - 1) * PER_PAGE),
            member_id=_member_id(ctx),
        )
        pages = max(1, -(-total // PER_PAGE))
        return ctx.page(
            "portal/coupons.html", title="Coupons", coupons=rows, number=number, pages=pages
        )

    return await member_view(request, partner_id, work)


@router.get("/portal/{partner_id}/coupons/{coupon_id}", response_class=HTMLResponse)
async def coupon_page(request: Request, partner_id: str, coupon_id: str) -> Response:
    """One of the member's coupons: its code (where a redemption lands)."""

    def work(ctx: MemberCtx) -> Response:
        coupon = coupons.members_coupon(
            ctx.session,
            ctx.principal,
            member_id=_member_id(ctx),
            coupon_id=_id("cpn", coupon_id, "Coupon"),
        )
        return ctx.page("portal/coupon.html", title=f"Your code {coupon.code}", coupon=coupon)

    return await member_view(request, partner_id, work)


# Referrals ------------------------------------------------------------------------------


def share_links(url: str, text: str) -> list[tuple[str, str]]:
    """Plain share links (no script of another site): mail, X, Facebook, WhatsApp."""
    both = f"{text} {url}"
    return [
        ("Email", "mailto:?" + urlencode({"subject": text, "body": both}, quote_via=quote)),
        ("X", "https://x.com/intent/tweet?" + urlencode({"text": text, "url": url})),
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
        ("WhatsApp", "https://wa.me/?" + urlencode({"text": both})),
    ]


@router.get("/portal/{partner_id}/referrals", response_class=HTMLResponse)
async def referrals_page(request: Request, partner_id: str) -> Response:
    """The member's referral link, share buttons and its clicks and conversions."""

    def work(ctx: MemberCtx) -> Response:
        link = referrals.member_link(
            ctx.session,
            ctx.principal,
            member_id=_member_id(ctx),
            public_url=request.app.state.settings.public_url,
        )
        shares = share_links(link.url, f"Join me at {ctx.tenant.name}") if link else []
        return ctx.page("portal/referrals.html", title="Refer a friend", link=link, shares=shares)

    return await member_view(request, partner_id, work)


# Quests ---------------------------------------------------------------------------------


@router.get("/portal/{partner_id}/quests", response_class=HTMLResponse)
async def quests_page(request: Request, partner_id: str) -> Response:
    """The active quests, their tasks, and which the member has done."""

    def work(ctx: MemberCtx) -> Response:
        views, _ = quests.list_quests(
            ctx.session, ctx.principal, page=Page(MANY, 0), status=QuestStatus.active
        )
        done = quests.done_tasks(
            ctx.session,
            ctx.principal,
            member_id=_member_id(ctx),
            quest_ids=[v.quest.id for v in views],
        )
        shown = [
            {
                "quest": v.quest,
                "tasks": [(t, t.id in done) for t in v.tasks],
                "done": sum(1 for t in v.tasks if t.id in done),
            }
            for v in views
        ]
        return ctx.page("portal/quests.html", title="Quests", quests=shown)

    return await member_view(request, partner_id, work)


# Testimonials ---------------------------------------------------------------------------


def _testimonials(ctx: MemberCtx, **extra: object) -> Response:
    mine, _ = testimonials.list_testimonials(
        ctx.session, ctx.principal, page=Page(MANY, 0), member_id=_member_id(ctx)
    )
    context: dict[str, object] = {"content": "", "rating": "5", "error": None, **extra}
    status = 400 if context["error"] else 200
    return ctx.page(
        "portal/testimonials.html", status=status, title="Testimonials", mine=mine, **context
    )


@router.get("/portal/{partner_id}/testimonials", response_class=HTMLResponse)
async def testimonials_page(request: Request, partner_id: str) -> Response:
    """The member's testimonials and a form to write one."""
    return await member_view(request, partner_id, _testimonials)


@router.post("/portal/{partner_id}/testimonials", response_class=HTMLResponse)
async def write_testimonial(request: Request, partner_id: str) -> Response:
    """A new testimonial (pending until the brand approves it)."""

    def work(ctx: MemberCtx, form: FormData) -> Response:
        content = str(form.get("content") or "")
        raw = str(form.get("rating") or "")
        if not raw.isdigit():
            return _testimonials(ctx, content=content, rating=raw, error="Choose a rating.")
        try:
            testimonials.submit(
                ctx.session,
                ctx.principal,
                member_id=_member_id(ctx),
                content=content,
                rating=int(raw),
            )
        except ValidationFailed as exc:
            return _testimonials(ctx, content=content, rating=raw, error=exc.message)
        return _redirect(ctx.url("/testimonials"), "Thank you! Your testimonial was sent.")

    return await member_action(request, partner_id, work)


# Ideas ----------------------------------------------------------------------------------


@router.get("/portal/{partner_id}/ideas", response_class=HTMLResponse)
async def ideas_page(request: Request, partner_id: str) -> Response:
    """Every board's ideas (most votes first) with vote buttons, and a form."""

    def work(ctx: MemberCtx) -> Response:
        boards, _ = feedback.list_boards(ctx.session, ctx.principal, page=Page(MANY, 0))
        shown = []
        for board in boards:
            ideas, _ = feedback.list_ideas(
                ctx.session, ctx.principal, board_id=board.id, page=Page(MANY, 0)
            )
            shown.append((board, ideas))
        voted = feedback.voted(
            ctx.session,
            ctx.principal,
            member_id=_member_id(ctx),
            idea_ids=[i.id for _, ideas in shown for i in ideas],
        )
        return ctx.page("portal/ideas.html", title="Ideas", boards=shown, voted=voted)

    return await member_view(request, partner_id, work)


@router.post("/portal/{partner_id}/ideas", response_class=HTMLResponse)
async def post_idea(request: Request, partner_id: str) -> Response:
    """A new idea on a board."""

    def work(ctx: MemberCtx, form: FormData) -> Response:
        board = parse_id("fbb", str(form.get("board") or ""))
        if board is None:
            raise ValidationFailed("Choose a board for your idea.", field="board")
        feedback.post_idea(
            ctx.session,
            ctx.principal,
            board_id=board,
            member_id=_member_id(ctx),
            title=str(form.get("title") or ""),
            body=str(form.get("body") or "") or None,
        )
        return _redirect(ctx.url("/ideas"), "Your idea was posted.")

    return await member_action(request, partner_id, work)


@router.post("/portal/{partner_id}/ideas/{idea_id}/vote", response_class=HTMLResponse)
async def vote(request: Request, partner_id: str, idea_id: str) -> Response:
    """The member's vote (once: a second one changes nothing)."""

    def work(ctx: MemberCtx, form: FormData) -> Response:
        cast = feedback.vote(
            ctx.session,
            ctx.principal,
            idea_id=_id("idea", idea_id, "Idea"),
            member_id=_member_id(ctx),
        )
        notice = "Thanks for your vote." if cast.created else "You already voted for this idea."
        return _redirect(ctx.url("/ideas"), notice)

    return await member_action(request, partner_id, work)


# Rooms ----------------------------------------------------------------------------------


@router.get("/portal/{partner_id}/rooms", response_class=HTMLResponse)
async def rooms_page(request: Request, partner_id: str) -> Response:
    """The community's rooms, each linked by the slug of its name (by its id when two
    rooms share a slug)."""

    def work(ctx: MemberCtx) -> Response:
        rooms, _ = community.list_rooms(ctx.session, ctx.principal, page=Page(MANY, 0))
        slugs = [community.room_slug(r.name) for r in rooms]
        links = [
            (r, s if s and slugs.count(s) == 1 else r.id.hex)
            for r, s in zip(rooms, slugs, strict=True)
        ]
        return ctx.page("portal/rooms.html", title="Community", rooms=links)

    return await member_view(request, partner_id, work)


def _room(ctx: MemberCtx, ref: str, *, content: str = "", error: str | None = None) -> Response:
    room = community.find_room(ctx.session, ctx.principal, ref=ref)
    posts, total = community.list_posts(
        ctx.session, ctx.principal, page=Page(POSTS_SHOWN, 0), room_id=room.id
    )
    return ctx.page(
        "portal/room.html",
        status=400 if error else 200,
        title=room.name,
        room=room,
        ref=ref,
        posts=posts,
        total=total,
        me=_member_id(ctx),
        content=content,
        error=error,
    )


@router.get("/portal/{partner_id}/room/{ref}", response_class=HTMLResponse)
async def room_page(request: Request, partner_id: str, ref: str) -> Response:
    """A room (by the slug of its name, ``/room/general``, or its id): its latest
    posts and a form to post."""
    return await member_view(request, partner_id, lambda ctx: _room(ctx, ref))


@router.post("/portal/{partner_id}/room/{ref}", response_class=HTMLResponse)
async def post_in_room(request: Request, partner_id: str, ref: str) -> Response:
    """A post in the room (a banned member cannot: the core refuses it)."""

    def work(ctx: MemberCtx, form: FormData) -> Response:
        room = community.find_room(ctx.session, ctx.principal, ref=ref)
        content = str(form.get("content") or "")
        try:
            community.create_post(
                ctx.session,
                ctx.principal,
                room_id=room.id,
                member_id=_member_id(ctx),
                content=content,
            )
        except ValidationFailed as exc:
            return _room(ctx, ref, content=content, error=exc.message)
        return _redirect(ctx.url(f"/room/{quote(ref)}"), "Posted.")

    return await member_action(request, partner_id, work)
