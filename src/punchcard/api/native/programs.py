"""The points engine's configuration and ledger: activities, tiers, rewards,
transactions (native extensions)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from punchcard.activities import service as activities
from punchcard.api.common import ids, inputs
from punchcard.api.common.auth import PointsRead, PointsWrite, RewardsRead, RewardsWrite
from punchcard.api.common.paging import PageParams
from punchcard.api.common.params import FromParam, ToParam, utc
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.activities import (
    ActivityAward,
    ActivityCreate,
    ActivityList,
    ActivityRead,
    ActivityUpdate,
)
from punchcard.api.native.schemas.coupons import CouponRead
from punchcard.api.native.schemas.ledger import TransactionRead
from punchcard.api.native.schemas.rewards import (
    RewardCreate,
    RewardList,
    RewardRead,
    RewardRedeem,
    RewardRedeemed,
    RewardUpdate,
)
from punchcard.api.native.schemas.tiers import (
    MemberTierSet,
    TierCreate,
    TierList,
    TierRead,
    TierUpdate,
)
from punchcard.kit.schema import InputSchema, Schema
from punchcard.ledger import transactions
from punchcard.rewards import service as rewards
from punchcard.rewards.schemas import RewardType
from punchcard.tiers import service as tiers

router = APIRouter(route_class=UnitOfWorkRoute)


class TransactionList(Schema):
    transactions: list[TransactionRead]
    total: int
    limit: int
    offset: int


class Decision(InputSchema):
    status: str


class Awarded(Schema):
    transaction: TransactionRead
    balance: int
    pending: int
    created: bool


# Activities -----------------------------------------------------------------------


@router.get("/activities", response_model=ActivityList, tags=["Activities"])
def list_activities(
    p: PointsRead,
    session: DbSession,
    page: PageParams,
    active: Annotated[bool | None, Query()] = None,
) -> ActivityList:
    """List earning rules."""
    rows, total = activities.list_activities(session, p, page=page, active=active)
    return ActivityList(
        activities=[ActivityRead.of(a) for a in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/activities", response_model=ActivityRead, status_code=201, tags=["Activities"])
def create_activity(p: PointsWrite, session: DbSession, body: ActivityCreate) -> ActivityRead:
    """Create an earning rule."""
    return ActivityRead.of(activities.create(session, p, data=inputs.new_activity(body)))


@router.get("/activities/{id}", response_model=ActivityRead, tags=["Activities"])
def get_activity(p: PointsRead, session: DbSession, id: str) -> ActivityRead:
    """Get an earning rule by id or key."""
    return ActivityRead.of(activities.get(session, p, activity_id=ids.ref("act", id), field="id"))


@router.patch("/activities/{id}", response_model=ActivityRead, tags=["Activities"])
def update_activity(
    p: PointsWrite, session: DbSession, id: str, body: ActivityUpdate
) -> ActivityRead:
    """Change an earning rule."""
    return ActivityRead.of(
        activities.update(
            session, p, activity_id=ids.ref("act", id), data=inputs.activity_changes(body)
        )
    )


@router.post("/activities/{id}/award", response_model=Awarded, status_code=201, tags=["Activities"])
def award_activity(
    p: PointsWrite, session: DbSession, id: str, body: ActivityAward, response: Response
) -> Awarded:
    """Award an activity to a member (once per `reference`)."""
    done = activities.award(
        session,
        p,
        member_id=ids.parse("mem", body.member_id),
        activity_id=ids.ref("act", id),
        points_passed=body.points_passed,
        reference=body.reference,
        description=body.description,
        store_id=ids.ref("st", body.store_id) if body.store_id is not None else None,
    )
    if not done.created:
        response.status_code = 200
    return Awarded(
        transaction=TransactionRead.of(done.entry),
        balance=done.member.points_balance,
        pending=done.member.pending_points,
        created=done.created,
    )


# Tiers ----------------------------------------------------------------------------


@router.get("/tiers", response_model=TierList, tags=["Tiers"])
def list_tiers(
    p: PointsRead,
    session: DbSession,
    page: PageParams,
    type: Annotated[str | None, Query(pattern="^(period|lifetime)$")] = None,
) -> TierList:
    """List tiers (levels), lowest first."""
    rows, total = tiers.list_tiers(session, p, page=page, type_=type)
    return TierList(
        tiers=[TierRead.of(t) for t in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.post("/tiers", response_model=TierRead, status_code=201, tags=["Tiers"])
def create_tier(p: PointsWrite, session: DbSession, body: TierCreate) -> TierRead:
    """Create a tier."""
    return TierRead.of(tiers.create_tier(session, p, data=inputs.new_tier(body)))


@router.get("/tiers/{id}", response_model=TierRead, tags=["Tiers"])
def get_tier(p: PointsRead, session: DbSession, id: str) -> TierRead:
    """Get a tier."""
    return TierRead.of(tiers.get_tier(session, p, tier_id=ids.ref("tier", id), field="id"))


@router.patch("/tiers/{id}", response_model=TierRead, tags=["Tiers"])
def update_tier(p: PointsWrite, session: DbSession, id: str, body: TierUpdate) -> TierRead:
    """Change a tier."""
    return TierRead.of(
        tiers.update_tier(session, p, tier_id=ids.ref("tier", id), data=inputs.tier_changes(body))
    )


@router.put("/members/{id}/tier", response_model=TierRead | None, tags=["Tiers"])
def set_member_tier(
    p: PointsWrite, session: DbSession, id: str, body: MemberTierSet
) -> TierRead | None:
    """Set a member's tier by hand (kept until cleared with null)."""
    tier_id = ids.ref("tier", body.tier_id) if body.tier_id is not None else None
    member = tiers.set_member_tier(session, p, member_id=ids.parse("mem", id), tier_id=tier_id)
    current = tiers.current_tier(session, member)
    return TierRead.of(current) if current else None


# Rewards --------------------------------------------------------------------------


@router.get("/rewards", response_model=RewardList, tags=["Rewards"])
def list_rewards(
    p: RewardsRead,
    session: DbSession,
    page: PageParams,
    active: Annotated[bool | None, Query()] = None,
    type: Annotated[RewardType | None, Query()] = None,
) -> RewardList:
    """List redemption options."""
    rows, total = rewards.list_rewards(session, p, page=page, active=active, type_=type)
    codes = rewards.available_codes(session, p, rows)
    return RewardList(
        rewards=[RewardRead.of(r, codes.get(r.id)) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/rewards", response_model=RewardRead, status_code=201, tags=["Rewards"])
def create_reward(p: RewardsWrite, session: DbSession, body: RewardCreate) -> RewardRead:
    """Create a redemption option, with its one-time codes if any."""
    reward = rewards.create(session, p, data=inputs.new_reward(body))
    return RewardRead.of(reward, rewards.available_codes(session, p, [reward]).get(reward.id))


@router.get("/rewards/{id}", response_model=RewardRead, tags=["Rewards"])
def get_reward(p: RewardsRead, session: DbSession, id: str) -> RewardRead:
    """Get a redemption option by id or key."""
    reward = rewards.get(session, p, reward_id=ids.ref("rwd", id), field="id")
    return RewardRead.of(reward, rewards.available_codes(session, p, [reward]).get(reward.id))


@router.patch("/rewards/{id}", response_model=RewardRead, tags=["Rewards"])
def update_reward(p: RewardsWrite, session: DbSession, id: str, body: RewardUpdate) -> RewardRead:
    """Change a redemption option (or add codes to it)."""
    reward = rewards.update(
        session, p, reward_id=ids.ref("rwd", id), data=inputs.reward_changes(body)
    )
    return RewardRead.of(reward, rewards.available_codes(session, p, [reward]).get(reward.id))


@router.post("/rewards/{id}/redeem", response_model=RewardRedeemed, tags=["Rewards"])
def redeem_reward(
    p: RewardsWrite, session: DbSession, id: str, body: RewardRedeem
) -> RewardRedeemed:
    """Spend points on a redemption option; returns its one-time code if it has codes."""
    done = rewards.redeem(
        session, p, reward_id=ids.ref("rwd", id), member_id=ids.parse("mem", body.member_id)
    )
    return RewardRedeemed(
        transaction_id=ids.render("txn", done.entry.id),
        reward=RewardRead.of(
            done.reward, rewards.available_codes(session, p, [done.reward]).get(done.reward.id)
        ),
        coupon=CouponRead.of(done.coupon) if done.coupon else None,
        points=done.reward.points_cost,
        balance=done.member.points_balance,
    )


# Transactions ---------------------------------------------------------------------


@router.get("/points/transactions", response_model=TransactionList, tags=["Points"])
def list_transactions(
    p: PointsRead,
    session: DbSession,
    page: PageParams,
    since: FromParam = None,
    until: ToParam = None,
    status: Annotated[list[str] | None, Query()] = None,
    type: Annotated[list[str] | None, Query()] = None,
    member_id: Annotated[str | None, Query(alias="memberId")] = None,
) -> TransactionList:
    """The tenant's ledger, newest first (repeat `status`/`type` to filter by several)."""
    rows, total = transactions.list_transactions(
        session,
        p,
        page=page,
        since=utc(since),
        until=utc(until),
        statuses=status,
        types=type,
        member_id=ids.parse_optional("mem", member_id),
    )
    return TransactionList(
        transactions=[TransactionRead.of(e) for e in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/points/transactions/{id}", response_model=TransactionRead, tags=["Points"])
def get_transaction(p: PointsRead, session: DbSession, id: str) -> TransactionRead:
    """Get one ledger entry."""
    return TransactionRead.of(
        transactions.get_transaction(session, p, transaction_id=ids.parse("txn", id), field="id")
    )


@router.patch("/points/transactions/{id}", response_model=TransactionRead, tags=["Points"])
def decide_transaction(
    p: PointsWrite, session: DbSession, id: str, body: Decision
) -> TransactionRead:
    """Approve or reject a pending award: `{"status": "approved" | "rejected"}`."""
    return TransactionRead.of(
        transactions.decide(session, p, transaction_id=ids.parse("txn", id), status=body.status)
    )
