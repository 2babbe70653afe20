"""``/me``: the signed-in member's own API, for the portal and widgets (SPEC §3).

Only a member principal gets in (a portal session or the ``sessionToken`` of SSO
``recognize``, as a bearer, or the portal's session cookie that a consumed magic link
sets); an API key or a dashboard user is refused (403), since "me" is nobody for them
(``INSUFFICIENT_SCOPE``, as for a missing scope). The cookie is read only here, and
only as a member token: an API key never comes from a cookie, and no other route
reads it. (CSRF: the cookie is ``SameSite=Lax``, so another site's POST carries none.)

The storefront widgets read and act here (issue 14): ``/me/balance`` (with the expiry
schedule), ``/me/history`` (the ledger, paged), ``/me/tier``, ``/me/rewards`` (what the member can
redeem), ``POST /me/rewards/{id}/redeem`` (the core's redeem: the points and one code
in one transaction), ``/me/coupons`` and ``/me/referral`` (the member's referral link
and its clicks and conversions). CORS for the tenant's storefront origins:
``cors.py``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import Field

from punchcard.ambassador import referrals
from punchcard.api.common import ids
from punchcard.api.common.auth import SCOPE_ATTR, bearer, cached_principal, read_bearer
from punchcard.api.common.paging import PageParams
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.coupons import CouponList, CouponRead
from punchcard.api.native.schemas.ledger import ExpirationItem, TransactionRead
from punchcard.api.native.schemas.members import MemberRead
from punchcard.api.native.schemas.rewards import RewardList, RewardRead, RewardRedeemed
from punchcard.api.native.schemas.tiers import MemberTierRead
from punchcard.coupons import service as coupons
from punchcard.errors import InsufficientScope, Unauthenticated
from punchcard.identity import member_sessions
from punchcard.identity.principal import Principal
from punchcard.kit.paging import Page
from punchcard.kit.schema import Schema
from punchcard.ledger import points
from punchcard.members import service
from punchcard.rewards import service as rewards
from punchcard.tiers import views as tier_views

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Me"])

# The requirement written into OpenAPI's ``x-required-scope`` for member-only routes.
MEMBER_SESSION = "member-session"


async def read_member(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Principal:
    """A bearer token as the face reads it; without one, the portal cookie, resolved
    as a member session only (never cached, like every member token)."""
    if credentials is not None and credentials.credentials:
        return await read_bearer(request, credentials)
    token = request.cookies.get(member_sessions.PORTAL_COOKIE)
    if not token or not member_sessions.is_member_token(token):
        raise Unauthenticated("Missing Authorization: Bearer credentials or portal session")
    return await cached_principal(
        request, "", lambda session: member_sessions.resolve(session, token)
    )


# The face's own reader is what this one reads first (tests/api/test_faces.py follows it).
READS_ATTR = "__punchcard_reads__"
setattr(read_member, READS_ATTR, read_bearer)


async def _member(
    request: Request, principal: Annotated[Principal, Depends(read_member)]
) -> Principal:
    request.state.principal = principal
    if not principal.is_member or principal.member_id is None:
        # A key or a user lacks what this route needs, as a key lacks a scope.
        raise InsufficientScope(
            "This endpoint is for a signed-in member (a portal or SSO session token)"
        )
    return principal


setattr(_member, SCOPE_ATTR, MEMBER_SESSION)

MemberSession = Annotated[Principal, Depends(_member)]


@router.get("/me", response_model=MemberRead)
def get_me(p: MemberSession, session: DbSession) -> MemberRead:
    """The signed-in member's own profile (member session tokens only)."""
    assert p.member_id is not None
    return MemberRead.of_row(service.read_row(session, p, member_id=p.member_id))


class MyBalance(Schema):
    balance: int = Field(description="Points available to spend now")
    pending: int = Field(description="Points awarded but not yet available")
    lifetime: int
    expiration_schedule: list[ExpirationItem] = Field(description="Points expiring, by day")


@router.get("/me/balance", response_model=MyBalance)
def get_my_balance(p: MemberSession, session: DbSession) -> MyBalance:
    """The member's balance, pending and lifetime points and expiry schedule."""
    assert p.member_id is not None
    st = points.statement(session, p, member_id=p.member_id, page=Page(1, 0))
    return MyBalance(
        balance=st.balance,
        pending=st.member.pending_points,
        lifetime=st.member.lifetime_points,
        expiration_schedule=[ExpirationItem(date=d, points=n) for d, n in st.schedule],
    )


class MyHistory(Schema):
    transactions: list[TransactionRead]
    total: int
    limit: int
    offset: int


@router.get("/me/history", response_model=MyHistory)
def get_my_history(p: MemberSession, session: DbSession, page: PageParams) -> MyHistory:
    """The member's ledger, newest first (paged)."""
    assert p.member_id is not None
    st = points.statement(session, p, member_id=p.member_id, page=page)
    return MyHistory(
        transactions=[TransactionRead.of(e) for e in st.entries],
        total=st.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/me/tier", response_model=MemberTierRead)
def get_my_tier(p: MemberSession, session: DbSession) -> MemberTierRead:
    """The member's tier, the next one, and the points still needed to reach it."""
    assert p.member_id is not None
    return MemberTierRead.of(tier_views.tier_view(session, p, member_id=p.member_id))


@router.get("/me/rewards", response_model=RewardList)
def list_my_rewards(p: MemberSession, session: DbSession, page: PageParams) -> RewardList:
    """The tenant's active rewards (cost, stock, codes left): what the member may
    redeem (a tier-limited one is refused at redemption for other tiers)."""
    rows, total = rewards.list_rewards(session, p, page=page, active=True)
    codes = rewards.available_codes(session, p, rows)
    return RewardList(
        rewards=[RewardRead.of(r, codes.get(r.id)) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/me/rewards/{id}/redeem", response_model=RewardRedeemed)
def redeem_my_reward(p: MemberSession, session: DbSession, id: str) -> RewardRedeemed:
    """Spend the member's points on a reward: its one-time code if it has codes. Too
    few points is a 422 (``INSUFFICIENT_POINTS``) and changes nothing."""
    assert p.member_id is not None
    done = rewards.redeem(session, p, reward_id=ids.ref("rwd", id), member_id=p.member_id)
    return RewardRedeemed(
        transaction_id=ids.render("txn", done.entry.id),
        reward=RewardRead.of(
            done.reward, rewards.available_codes(session, p, [done.reward]).get(done.reward.id)
        ),
        coupon=CouponRead.of(done.coupon) if done.coupon else None,
        points=done.reward.points_cost,
        balance=done.member.points_balance,
    )


@router.get("/me/coupons", response_model=CouponList)
def list_my_coupons(p: MemberSession, session: DbSession, page: PageParams) -> CouponList:
    """The member's coupon codes, with their status and expiry."""
    assert p.member_id is not None
    rows, total = coupons.list_coupons(session, p, page=page, member_id=p.member_id)
    return CouponList(
        coupons=[CouponRead.of(c) for c in rows], total=total, limit=page.limit, offset=page.offset
    )


class MyReferral(Schema):
    code: str | None = Field(description="The member's own referral code (null: none yet)")
    url: str | None = Field(description="The referral link to share")
    clicks: int
    unique_visitors: int
    conversions: int


@router.get("/me/referral", response_model=MyReferral)
def get_my_referral(p: MemberSession, session: DbSession, request: Request) -> MyReferral:
    """The member's referral link and how it did (clicks, conversions), all time."""
    assert p.member_id is not None
    link = referrals.member_link(
        session, p, member_id=p.member_id, public_url=request.app.state.settings.public_url
    )
    if link is None:
        return MyReferral(code=None, url=None, clicks=0, unique_visitors=0, conversions=0)
    return MyReferral(
        code=link.code,
        url=link.url,
        clicks=link.clicks,
        unique_visitors=link.unique_visitors,
        conversions=link.conversions,
    )
