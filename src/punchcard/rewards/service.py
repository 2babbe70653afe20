"""Redemption options: points buy the option (and one code of its pool) in one
transaction. No code left, out of stock, inactive, not eligible or not enough
points: refused, and nothing is charged."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypedDict

from sqlalchemy.orm import Session

from punchcard.activities.service import _slug
from punchcard.coupons import service as coupons
from punchcard.coupons.repository import CouponRepository, PoolRepository
from punchcard.coupons.schemas import (
    MAX_CODES,
    MAX_DISCOUNT_VALUE,
    DiscountType,
    GeneratedCodes,
    NewPool,
)
from punchcard.db.repository import by_id_or_key
from punchcard.db.uow import now
from punchcard.errors import (
    Conflict,
    RewardNotFound,
    RewardPoolExhausted,
    Unprocessable,
    ValidationFailed,
)
from punchcard.events.service import emit, lane
from punchcard.identity.principal import Principal
from punchcard.kit.ids import new_id
from punchcard.kit.paging import Page
from punchcard.ledger import service as ledger
from punchcard.members import service as members
from punchcard.models import Coupon, Member, PointsEntry, Reward
from punchcard.rewards.repository import RewardRepository
from punchcard.rewards.schemas import RewardType
from punchcard.tiers import service as tiers


class RewardInactive(Unprocessable):
    code = "REWARD_INACTIVE"
    default_message = "This redemption option is not active"


class NotEligible(Unprocessable):
    code = "TIER_NOT_ELIGIBLE"
    default_message = "The member's tier cannot redeem this option"


class OutOfStock(Conflict):
    code = "OUT_OF_STOCK"
    default_message = "This redemption option is out of stock"


@dataclass(frozen=True)
class NewReward:
    """A redemption option to create. ``tier_ids``: tier ids or tier keys; ``codes`` or
    ``generate``: the one-time codes of its pool, if it has any."""

    name: str
    points_cost: int
    key: str | None = None
    description: str | None = None
    terms: str | None = None
    instructions: str | None = None
    monetary_value: Decimal | None = None
    type: RewardType = RewardType.custom
    is_active: bool = True
    tier_ids: Sequence[uuid.UUID | str] = ()
    stock: int | None = None
    codes: list[str] | None = None
    generate: GeneratedCodes | None = None
    codes_expire_at: datetime | None = None


class RewardChanges(TypedDict, total=False):
    """A redemption option's changes: absent keys are untouched."""

    name: str | None
    description: str | None
    terms: str | None
    instructions: str | None
    points_cost: int | None
    monetary_value: Decimal | None
    type: RewardType | None
    is_active: bool | None
    tier_ids: Sequence[uuid.UUID | str] | None
    stock: int | None
    add_codes: list[str] | None


@dataclass(frozen=True)
class Redemption:
    entry: PointsEntry
    member: Member
    reward: Reward
    coupon: Coupon | None


def get(
    session: Session,
    principal: Principal,
    *,
    reward_id: uuid.UUID | str,
    field: str = "rewardId",
) -> Reward:
    """By id (a UUID) or by the merchant's key (a string)."""
    repo = RewardRepository(session, principal.tenant_id)
    reward = by_id_or_key(reward_id, repo.get, repo.get_by_key)
    if reward is None:
        raise RewardNotFound(field=field)
    return reward


def list_rewards(
    session: Session,
    principal: Principal,
    *,
    page: Page,
    active: bool | None = None,
    type_: RewardType | None = None,
) -> tuple[list[Reward], int]:
    """The tenant's rewards, oldest first, optionally only active (or inactive) ones
    and only of one type."""
    return RewardRepository(session, principal.tenant_id).list(
        page, active=active, type_=type_.value if type_ is not None else None
    )


def available_codes(
    session: Session, principal: Principal, rewards: list[Reward]
) -> dict[uuid.UUID, int]:
    pools = [r.pool_id for r in rewards if r.pool_id is not None]
    counts = PoolRepository(session, principal.tenant_id).counts(pools)
    return {
        r.id: counts.get(r.pool_id, {}).get("available", 0)
        for r in rewards
        if r.pool_id is not None
    }


def _tier_ids(session: Session, principal: Principal, refs: Sequence[uuid.UUID | str]) -> list[str]:
    """The tiers' ids as stored: canonical UUID strings in a JSON list."""
    out = []
    for i, ref in enumerate(refs):
        tier = tiers.get_tier(
            session, principal, tier_id=ref, field=f"tierIds.{i}", not_found_is_400=True
        )
        out.append(str(tier.id))
    return out


def _pool(
    *,
    name: str,
    value: Decimal | None,
    expires_at: datetime | None = None,
    codes: list[str] | None = None,
    generate: GeneratedCodes | None = None,
    codes_field: str = "codes",
) -> NewPool:
    """The coupon pool behind a reward's codes. The reward's input was checked against
    the reward's limits, not the pool's, which differ (a pool's value is at most
    99,999,999): a value the pool refuses is a 400 naming the reward's field, not a 500."""
    amount = value or Decimal(0)
    if amount > MAX_DISCOUNT_VALUE:
        raise _refused(
            "monetaryValue", f"Input should be less than or equal to {MAX_DISCOUNT_VALUE}"
        )
    if amount < 0:
        raise _refused("monetaryValue", "Input should be greater than or equal to 0")
    if codes is not None and generate is not None:
        raise _refused(codes_field, "Value error, give either codes or generate, not both")
    if codes is not None and len(codes) > MAX_CODES:
        raise _refused(
            codes_field,
            f"List should have at most {MAX_CODES} items after validation, not {len(codes)}",
        )
    return NewPool(
        name=f"Reward: {name}"[:200],
        discount_type=DiscountType.amount,
        discount_value=amount,
        expires_at=expires_at,
        codes=codes,
        generate=generate,
    )


def _refused(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{field}: {message}", field=field)


def create(session: Session, principal: Principal, *, data: NewReward) -> Reward:
    repo = RewardRepository(session, principal.tenant_id)
    key = data.key or _slug(data.name)
    if repo.get_by_key(key) is not None:
        if data.key:
            raise Conflict(
                "A redemption option with this key exists", field="key", code="DUPLICATE_REWARD"
            )
        key = f"{key}_{new_id().hex[-6:]}"
    pool_id = None
    if data.codes is not None or data.generate is not None:
        pool = coupons.create_pool(
            session,
            principal,
            data=_pool(
                name=data.name,
                value=data.monetary_value,
                expires_at=data.codes_expire_at,
                codes=data.codes,
                generate=data.generate,
            ),
        )
        pool_id = pool.id
    at = now(session)
    return repo.add(
        Reward(
            id=new_id(),
            key=key,
            name=data.name,
            description=data.description,
            terms=data.terms,
            instructions=data.instructions,
            points_cost=data.points_cost,
            monetary_value=data.monetary_value,
            type=RewardType(data.type).value,
            is_active=data.is_active,
            tier_ids=_tier_ids(session, principal, data.tier_ids),
            stock=data.stock,
            pool_id=pool_id,
            created_at=at,
            updated_at=at,
        )
    )


def update(
    session: Session,
    principal: Principal,
    *,
    reward_id: uuid.UUID | str,
    data: RewardChanges,
) -> Reward:
    reward = get(session, principal, reward_id=reward_id, field="id")
    changes: dict[str, Any] = dict(data)
    for required in ("name", "points_cost", "is_active", "tier_ids", "type"):
        if required in changes and changes[required] is None:
            raise ValidationFailed(f"{required} cannot be null", field=required)
    if "type" in changes:
        changes["type"] = RewardType(changes["type"]).value
    add_codes = changes.pop("add_codes", None)
    if "tier_ids" in changes:
        changes["tier_ids"] = _tier_ids(session, principal, changes["tier_ids"])
    for key, value in changes.items():
        setattr(reward, key, value)
    if add_codes:
        _add_codes(session, principal, reward, add_codes)
    reward.updated_at = now(session)
    session.flush()
    return reward


def codes_to_add(
    session: Session, principal: Principal, reward: Reward, codes: list[str]
) -> list[str]:
    """An update that sends the reward's whole list of codes: the ones its pool does
    not hold yet, in the order sent. A code once in the pool stays (issued or not), so
    re-sending the list adds only the new codes and leaving one out removes nothing."""
    if reward.pool_id is None:
        return list(codes)
    held = CouponRepository(session, principal.tenant_id).in_pool(reward.pool_id, codes)
    return [c for c in codes if c not in held]


def keep_codes_expiry(
    session: Session, principal: Principal, reward: Reward, expires_at: datetime | None
) -> None:
    """An update may re-send the codes' expiry unchanged; a different one is refused
    (the codes were issued with the pool's expiry, which the pool keeps)."""
    pool = (
        PoolRepository(session, principal.tenant_id).get(reward.pool_id)
        if reward.pool_id is not None
        else None
    )
    if expires_at != (pool.expires_at if pool is not None else None):
        raise ValidationFailed("the codes' expiry cannot be changed", field="codes_expire_at")


def _add_codes(session: Session, principal: Principal, reward: Reward, codes: list[str]) -> None:
    if reward.pool_id is None:
        pool = coupons.create_pool(
            session,
            principal,
            data=_pool(
                name=reward.name, value=reward.monetary_value, codes=codes, codes_field="addCodes"
            ),
        )
        reward.pool_id = pool.id
        return
    coupons.add_codes(session, principal, pool_id=reward.pool_id, codes=codes, field="addCodes")


def redeem(
    session: Session, principal: Principal, *, reward_id: uuid.UUID | str, member_id: uuid.UUID
) -> Redemption:
    """Charge the points and pop exactly one unused code, in one transaction."""
    reward = get(session, principal, reward_id=reward_id)
    member = members.lock(session, principal, member_id=member_id, field="memberId")
    # Re-read under the member lock; stock is decremented with a guarded UPDATE below.
    session.refresh(reward)
    if not reward.is_active:
        raise RewardInactive(field="rewardId")
    if reward.tier_ids and (member.tier_id is None or str(member.tier_id) not in reward.tier_ids):
        raise NotEligible(field="rewardId")
    coupon = _take_code(session, principal, reward, field="rewardId")
    # Checked before the stock, so a refusal never touches stock.
    ledger.require_balance(session, member, reward.points_cost)
    _take_stock(session, principal, reward, field="rewardId")
    entry = ledger.debit(
        session,
        member,
        amount=reward.points_cost,
        refs=ledger.Refs(
            description=f"Redeemed: {reward.name}",
            reward_id=reward.id,
            coupon_id=coupon.id if coupon else None,
        ),
        type_="redeem",
    )
    _hand_out(session, coupon, member)
    session.refresh(reward)
    emit(
        session,
        principal.tenant_id,
        "reward.redeemed",
        {
            "member_id": str(member.id),
            "reward_id": str(reward.id),
            "transaction_id": str(entry.id),
            "points": reward.points_cost,
            "coupon_code": coupon.code if coupon else None,
            "balance": member.points_balance,
        },
        resource_id=lane("mem", member.id),
    )
    return Redemption(entry, member, reward, coupon)


@dataclass(frozen=True)
class Grant:
    reward: Reward
    coupon: Coupon | None


def grant(
    session: Session, principal: Principal, *, reward: Reward, member: Member, field: str
) -> Grant:
    """Issue ``reward`` to ``member`` without charging points (a quest's reward): one
    unit of its stock and one code of its pool, as a redemption takes them; out of
    stock or out of codes is refused (``field`` names the input to blame) and takes
    nothing. Whether the option is active or tier-limited is not asked: those rule
    buying it with points, not a reward its merchant chose to give. The caller holds
    the member lock."""
    session.refresh(reward)
    coupon = _take_code(session, principal, reward, field=field)
    _take_stock(session, principal, reward, field=field)
    _hand_out(session, coupon, member)
    session.refresh(reward)
    return Grant(reward, coupon)


def _take_code(
    session: Session, principal: Principal, reward: Reward, *, field: str
) -> Coupon | None:
    """One unused code of the option's pool (``SKIP LOCKED`` on PostgreSQL), if it has a
    pool; none left is refused."""
    if reward.pool_id is None:
        return None
    taken = CouponRepository(session, principal.tenant_id).take_available(
        reward.pool_id, 1, now(session)
    )
    if not taken:
        raise RewardPoolExhausted(field=field)
    return taken[0]


def _take_stock(session: Session, principal: Principal, reward: Reward, *, field: str) -> None:
    """One unit of counted stock, by a guarded UPDATE; none left is refused."""
    repo = RewardRepository(session, principal.tenant_id)
    if reward.stock is not None and not repo.take_stock(reward.id):
        raise OutOfStock(field=field)


def _hand_out(session: Session, coupon: Coupon | None, member: Member) -> None:
    if coupon is not None:
        coupon.status, coupon.member_id, coupon.issued_at = "issued", member.id, now(session)
    session.flush()
