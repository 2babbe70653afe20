"""The dashboard's members pages (issue 14): find members, see one, change one.

- ``GET /dashboard/members``: one search box (email, phone however written, external
  id, name) over ``members.service.list_members``, newest members first, paged; an
  empty query lists the most recent members.
- ``GET /dashboard/members/{id}``: the member's profile, points, tier, expiry schedule,
  ledger (paged, newest first), coupons, orders, referral codes, tags and groups, each
  read through the core service the native face's endpoint uses.
- ``POST /dashboard/members/{id}/points`` (adjust points through ``ledger.points``),
  ``POST /dashboard/members/{id}/status`` (ban, unban), ``GET/POST
  /dashboard/members/new`` (enrol): admins and owners only (``session.action``).

Ids are the native face's (``mem_<32 hex>``, read with ``kit.ids.parse``); a malformed
id, or another tenant's, is a 404 page.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from punchcard.ambassador import referrals
from punchcard.coupons import service as coupons
from punchcard.errors import Forbidden, NotFound, PunchcardError, ValidationFailed
from punchcard.kit import ids
from punchcard.kit.paging import Page
from punchcard.ledger import points
from punchcard.members import groups
from punchcard.members import service as members
from punchcard.members.schemas import CaptureSource, MemberStatus
from punchcard.members.views import MemberProfile
from punchcard.models import Member
from punchcard.orders import service as orders
from punchcard.tiers import views as tier_views
from punchcard.web.dashboard.session import Ctx, action, redirect, view

router = APIRouter(include_in_schema=False)

BASE = "/dashboard/members"
SEARCH_PAGE = 20  # members per page of the search
LEDGER_PAGE = 20  # ledger entries per page of the member page
SIDE_LIST = 20  # coupons, orders, referral codes shown on the member page
REASON_MAX = 500  # the ledger entry's description (as the native face's)
QUERY_MAX = 200

_PHONE_LIKE = re.compile(r"\+?[0-9\s().\-/]+")
_WHOLE = re.compile(r"[+-]?[0-9]{1,15}")


def member_url(member_id: uuid.UUID) -> str:
    return f"{BASE}/{ids.render('mem', member_id)}"


def parse_member_id(raw: str) -> uuid.UUID:
    """The member's UUID from its native id; a malformed id is simply not found."""
    parsed = ids.parse("mem", raw)
    if parsed is None:
        raise NotFound("Member not found", field="id")
    return parsed


def _offset(request: Request, name: str) -> int:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return 0
    if not raw.isdigit() or len(raw) > 10:
        raise ValidationFailed(f"{name} must be a whole number of rows to skip", field=name)
    return int(raw)


# Search ------------------------------------------------------------------------------


def search(ctx: Ctx, query: str, page: Page) -> tuple[list[MemberProfile], int]:
    """Members matching ``query``, newest first: an exact email, then the phone read as
    the native face reads it (any spelling, in the tenant's country), then an exact
    external id; else a substring of the email, name, phone or external id. Empty: the
    most recent members."""
    s, p = ctx.session, ctx.principal
    if not query:
        return members.list_members(s, p, page=page, newest_first=True)
    if "@" in query:
        found = members.list_members(s, p, page=page, email=query)
        if found[1]:
            return found
    if _PHONE_LIKE.fullmatch(query) and sum(c.isdigit() for c in query) >= 4:
        try:
            found = members.list_members(s, p, page=page, phone=query, newest_first=True)
        except ValidationFailed:  # not a phone number: the substring search below
            found = ([], 0)
        if found[1]:
            return found
    found = members.list_members(s, p, page=page, external_id=query, newest_first=True)
    if found[1]:
        return found
    return members.list_members(s, p, page=page, q=query, newest_first=True)


def _page_link(query: str, offset: int) -> str:
    params = {k: v for k, v in (("q", query), ("offset", str(offset))) if v and v != "0"}
    return BASE + ("?" + urlencode(params) if params else "")


@router.get(BASE)
async def members_list(request: Request) -> Response:
    query = request.query_params.get("q", "").strip()[:QUERY_MAX]

    def page(ctx: Ctx) -> Response:
        offset = _offset(request, "offset")
        rows, total = search(ctx, query, Page(limit=SEARCH_PAGE, offset=offset))
        return ctx.page(
            "dashboard/members/list.html",
            title="Members",
            query=query,
            rows=[_row(r) for r in rows],
            total=total,
            first=offset + 1 if rows else 0,
            last=offset + len(rows),
            previous=_page_link(query, max(offset - SEARCH_PAGE, 0)) if offset > 0 else None,
            next=_page_link(query, offset + SEARCH_PAGE) if offset + SEARCH_PAGE < total else None,
        )

    return await view(request, page)


def _row(profile: MemberProfile) -> dict[str, Any]:
    m = profile.member
    return {
        "url": member_url(m.id),
        "name": members.full_name(m.first_name, m.last_name) or "(no name)",
        "email": m.email or "",
        "phone": m.phone or "",
        "balance": m.points_balance,
        "tier": profile.tier.name if profile.tier else "—",
        "joined": m.enrolled_at.strftime("%Y-%m-%d"),
        "banned": m.status == MemberStatus.banned.value,
    }


# Enrol -------------------------------------------------------------------------------

ENROL_FIELDS = ("email", "phone", "first_name", "last_name")


@router.get(BASE + "/new")
async def new_member_form(request: Request) -> Response:
    def page(ctx: Ctx) -> Response:
        if not ctx.can_change:
            raise Forbidden("Your role can see members but not enrol them", code="FORBIDDEN")
        return ctx.page(
            "dashboard/members/new.html", title="Enrol a member", values={}, error=None, field=None
        )

    return await view(request, page)


@router.post(BASE + "/new")
async def enrol(request: Request) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        values = {k: str(form.get(k) or "").strip() for k in ENROL_FIELDS}
        data = members.NewMember(
            email=values["email"] or None,
            phone=values["phone"] or None,
            first_name=values["first_name"] or None,
            last_name=values["last_name"] or None,
            source=CaptureSource.web,
        )
        try:
            for name in ("first_name", "last_name"):
                if len(values[name]) > members.NAME_PART_MAX:
                    label = name.replace("_", " ")
                    raise ValidationFailed(
                        f"{label} may have at most {members.NAME_PART_MAX} characters",
                        field=name,
                    )
            if not data.email and not data.phone:
                raise ValidationFailed("Enter an email or a phone", field="email")
            with ctx.session.begin_nested():
                member = members.enroll(ctx.session, ctx.principal, data=data)
        except PunchcardError as exc:
            return ctx.page(
                "dashboard/members/new.html",
                status=409 if exc.code == "DUPLICATE_MEMBER" else 400,
                title="Enrol a member",
                values=values,
                error=exc.message,
                field=_form_field(exc.field),
            )
        return redirect(f"{member_url(member.id)}?{urlencode({'notice': 'Member enrolled'})}")

    return await action(request, work)


def _form_field(field: str | None) -> str | None:
    """The form's input for a core error's field (``firstName`` → ``first_name``)."""
    return {"firstName": "first_name", "lastName": "last_name"}.get(field or "", field)


# One member --------------------------------------------------------------------------


@dataclass(frozen=True)
class AdjustForm:
    """The adjust-points form as sent, and what was wrong with it."""

    amount: str = ""
    reason: str = ""
    error: str | None = None
    field: str | None = None


def member_page(
    ctx: Ctx,
    member_id: uuid.UUID,
    *,
    ledger_offset: int = 0,
    adjust: AdjustForm | None = None,
    status: int = 200,
) -> Response:
    s, p = ctx.session, ctx.principal
    st = points.statement(
        s,
        p,
        member_id=member_id,
        page=Page(limit=LEDGER_PAGE, offset=ledger_offset, names=("limit", "ledger")),
    )
    member = st.member
    profile = members.profile(s, p, member)
    tier = tier_views.tier_view(s, p, member_id=member.id)
    coupon_rows, coupon_total = coupons.list_coupons(
        s, p, page=Page(limit=SIDE_LIST), member_id=member.id
    )
    order_rows, order_total = orders.list_orders(
        s, p, page=Page(limit=SIDE_LIST), member_id=member.id
    )
    codes, _, currency = referrals.stats(s, p, page=Page(limit=SIDE_LIST), member_id=member.id)
    group_names = sorted(
        groups.get(s, p, group_id=g).name
        for g in groups.member_group_ids(s, p, member_id=member.id)
    )
    url = member_url(member.id)
    return ctx.page(
        "dashboard/members/show.html",
        status=status,
        title=members.full_name(member.first_name, member.last_name) or "Member",
        url=url,
        m=_profile(member),
        balance=st.balance,
        pending=member.pending_points,
        lifetime=member.lifetime_points,
        tier=tier,
        progress=_progress(tier),
        schedule=st.schedule,
        entries=st.entries,
        ledger_total=st.total,
        ledger_first=ledger_offset + 1 if st.entries else 0,
        ledger_last=ledger_offset + len(st.entries),
        ledger_newer=_ledger_link(url, max(ledger_offset - LEDGER_PAGE, 0))
        if ledger_offset > 0
        else None,
        ledger_older=_ledger_link(url, ledger_offset + LEDGER_PAGE)
        if ledger_offset + LEDGER_PAGE < st.total
        else None,
        coupons=coupon_rows,
        coupon_total=coupon_total,
        orders=order_rows,
        order_total=order_total,
        codes=codes,
        currency=currency,
        tags=profile.tags,
        groups=group_names,
        adjust=adjust or AdjustForm(),
    )


def _ledger_link(url: str, offset: int) -> str:
    return f"{url}?ledger={offset}#ledger" if offset else f"{url}#ledger"


def _profile(m: Member) -> dict[str, Any]:
    return {
        "id": ids.render("mem", m.id),
        "name": members.full_name(m.first_name, m.last_name) or "(no name)",
        "email": m.email or "—",
        "phone": m.phone or "—",
        "external_id": m.external_id or "—",
        "status": m.status,
        "banned": m.status == MemberStatus.banned.value,
        "joined": m.enrolled_at.strftime("%Y-%m-%d %H:%M UTC"),
        "referral_code": m.referral_code or "—",
    }


def _progress(tier: tier_views.TierView) -> int | None:
    """Percent of the way from the current tier to the next (None at the top)."""
    if tier.next_tier is None or tier.points_to_next is None:
        return None
    goal = tier.next_tier.min_points
    if goal <= 0:
        return 100
    return max(0, min(100, round(100 * (goal - tier.points_to_next) / goal)))


@router.get(BASE + "/{member_id}")
async def member_show(request: Request, member_id: str) -> Response:
    def page(ctx: Ctx) -> Response:
        return member_page(
            ctx, parse_member_id(member_id), ledger_offset=_offset(request, "ledger")
        )

    return await view(request, page)


def _amount(raw: str) -> int:
    if not _WHOLE.fullmatch(raw):
        raise ValidationFailed(
            "amount must be a whole number of points: 250 to award, -250 to deduct",
            field="amount",
        )
    return int(raw)


@router.post(BASE + "/{member_id}/points")
async def adjust_points(request: Request, member_id: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        the_id = parse_member_id(member_id)
        sent = AdjustForm(
            amount=str(form.get("amount") or "").strip(),
            reason=str(form.get("reason") or "").strip(),
        )
        try:
            amount = _amount(sent.amount)
            if not sent.reason:
                raise ValidationFailed(
                    "reason is required: say why the points change", field="reason"
                )
            if len(sent.reason) > REASON_MAX:
                raise ValidationFailed(
                    f"reason may have at most {REASON_MAX} characters", field="reason"
                )
            change = points.PointsChange(amount=amount, description=sent.reason)
            with ctx.session.begin_nested():  # a refusal leaves nothing written
                entry = points.change(ctx.session, ctx.principal, member_id=the_id, data=change)
        except NotFound:
            raise
        except PunchcardError as exc:
            field = exc.field if exc.field in ("amount", "reason") else "amount"
            failed = AdjustForm(sent.amount, sent.reason, exc.message, field)
            return member_page(ctx, the_id, adjust=failed, status=400)
        verb = "Awarded" if amount > 0 else "Deducted"
        notice = f"{verb} {abs(amount)} points; balance {entry.balance_after}"
        return redirect(f"{member_url(the_id)}?{urlencode({'notice': notice})}")

    return await action(request, work)


@router.post(BASE + "/{member_id}/status")
async def set_status(request: Request, member_id: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        the_id = parse_member_id(member_id)
        wanted = str(form.get("status") or "")
        if wanted not in (MemberStatus.banned.value, MemberStatus.active.value):
            raise ValidationFailed("status must be banned or active", field="status")
        members.update(
            ctx.session, ctx.principal, member_id=the_id, data={"status": MemberStatus(wanted)}
        )
        notice = "Member banned" if wanted == MemberStatus.banned.value else "Member unbanned"
        return redirect(f"{member_url(the_id)}?{urlencode({'notice': notice})}")

    return await action(request, work)
