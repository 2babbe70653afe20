"""The document's Rewards group: ``/rewards``, ``/rewards/:id``, ``/rewards/:id/redeem``.
A reward is the core's redemption option (``rewards.service``), the same row and id
(``rwd_…``) as ``/api/v2/rewards``; redeeming spends the points, takes one from stock
and, for a reward with a pool of codes, hands out one code, in one transaction."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from punchcard.api.advocate.auth import RewardsRead, RewardsWrite
from punchcard.api.advocate.paging import PageParams, page_number
from punchcard.api.advocate.schemas import (
    AdvocateReward,
    RedeemBody,
    Redemption,
    RedemptionOne,
    RewardCreate,
    RewardList,
    RewardOne,
)
from punchcard.api.common import ids
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.rewards import service as rewards
from punchcard.rewards.schemas import RewardStatus, RewardType

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Rewards"])


@router.get("/rewards", response_model=RewardList)
def list_rewards(
    p: RewardsRead,
    session: DbSession,
    page: PageParams,
    status: Annotated[RewardStatus | None, Query(description="active or inactive")] = None,
    type: Annotated[RewardType | None, Query(description="What the reward is")] = None,
) -> RewardList:
    """List all rewards (oldest first)."""
    active = None if status is None else status is RewardStatus.active
    rows, total = rewards.list_rewards(session, p, page=page, active=active, type_=type)
    return RewardList(
        rewards=[AdvocateReward.of(r) for r in rows], total=total, page=page_number(page)
    )


@router.get("/rewards/{id}", response_model=RewardOne)
def get_reward(p: RewardsRead, session: DbSession, id: str) -> RewardOne:
    """Get reward details (404: not found)."""
    return RewardOne(
        reward=AdvocateReward.of(
            rewards.get(session, p, reward_id=ids.parse("rwd", id), field="id")
        )
    )


@router.post("/rewards", response_model=RewardOne, status_code=201)
def create_reward(p: RewardsWrite, session: DbSession, body: RewardCreate) -> RewardOne:
    """Create a new reward (`stock` null: unlimited)."""
    reward = rewards.create(
        session,
        p,
        data=rewards.NewReward(
            name=body.name,
            description=body.description,
            points_cost=body.points_cost,
            type=body.type,
            stock=body.stock,
        ),
    )
    return RewardOne(reward=AdvocateReward.of(reward))


@router.post("/rewards/{id}/redeem", response_model=RedemptionOne)
def redeem_reward(p: RewardsWrite, session: DbSession, id: str, body: RedeemBody) -> RedemptionOne:
    """Redeem a reward for an advocate (400 INSUFFICIENT_POINTS, 400 OUT_OF_STOCK)."""
    done = rewards.redeem(
        session, p, reward_id=ids.parse("rwd", id), member_id=ids.parse("mem", body.advocate_id)
    )
    return RedemptionOne(redemption=Redemption.of(done))
