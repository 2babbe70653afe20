"""Wire bodies mapped onto the core's inputs, in one place.

The native face's camelCase bodies (which the ShopSocially face also builds from its
parameters, to reuse their validation and field names) become the core's snake_case
inputs here, their ids parsed with :mod:`punchcard.api.common.ids`.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any, cast

from pydantic import BaseModel, ValidationError

from punchcard.activities import service as activities
from punchcard.api.common import ids
from punchcard.api.native.schemas.activities import ActivityCreate, ActivityUpdate
from punchcard.api.native.schemas.coupons import CodeGeneration, PoolCreate
from punchcard.api.native.schemas.ledger import PointsChange
from punchcard.api.native.schemas.members import MemberCreate, MemberUpdate
from punchcard.api.native.schemas.orders import OrderCreate, RefundCreate
from punchcard.api.native.schemas.rewards import RewardCreate, RewardUpdate
from punchcard.api.native.schemas.tiers import TierCreate, TierUpdate
from punchcard.coupons.schemas import GeneratedCodes, NewPool
from punchcard.errors import PunchcardError, ValidationFailed
from punchcard.ledger import points
from punchcard.members import service as members
from punchcard.orders import service as orders
from punchcard.rewards import service as rewards
from punchcard.tiers.schemas import NewTier, TierChanges


def sent(body: BaseModel) -> dict[str, Any]:
    """The fields a PATCH body carried, by core (snake_case) name: absent ones stay
    untouched, null is kept for the core to refuse or clear (``model_fields_set``)."""
    return {name: getattr(body, name) for name in body.model_fields_set}


def _store(value: str | None) -> uuid.UUID | str | None:
    """``storeId``: a store id (``st_…``) or a store code."""
    return None if value is None else ids.ref("st", value)


# Activities -----------------------------------------------------------------------


def new_activity(body: ActivityCreate) -> activities.NewActivity:
    return activities.NewActivity(
        name=body.name,
        key=body.key,
        description=body.description,
        kind=body.kind,
        points=body.points,
        multiplier=body.multiplier,
        max_award_frequency=body.max_award_frequency,
        frequency_period=body.frequency_period,
        approval=body.approval,
        is_active=body.is_active,
        expiry_days=body.expiry_days,
    )


def activity_changes(body: ActivityUpdate) -> activities.ActivityChanges:
    """The fields sent (absent ones stay untouched; null is kept, for the core to refuse
    or clear)."""
    return cast(activities.ActivityChanges, sent(body))


# Members --------------------------------------------------------------------------


def new_member(body: MemberCreate) -> members.NewMember:
    return members.NewMember(
        email=body.email,
        phone=body.phone,
        first_name=body.first_name,
        last_name=body.last_name,
        external_id=body.external_id,
        store_id=_store(body.store_id),
        source=body.source,
        metadata=body.metadata,
        referred_by=body.referred_by,
    )


def member_changes(body: MemberUpdate) -> members.MemberChanges:
    """The fields sent (absent ones stay untouched; null clears)."""
    return cast(members.MemberChanges, sent(body))


def member_row(raw: Any) -> members.NewMember | PunchcardError:
    """One row of a member batch, or the 400 that refuses it (the row alone fails)."""
    if not isinstance(raw, dict):
        return ValidationFailed("Each member must be a JSON object")
    try:
        return new_member(MemberCreate.model_validate(raw))
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err.get("loc", ())) or None
        if err.get("type") == "missing":
            return ValidationFailed(f"{field} is required", field=field)
        return ValidationFailed(f"{field}: {err.get('msg')}", field=field)


# Points ---------------------------------------------------------------------------


def points_change(body: PointsChange) -> points.PointsChange:
    return points.PointsChange(
        amount=body.amount,
        description=body.description,
        store_id=_store(body.store_id),
        activity_id=ids.parse_optional("act", body.activity_id),
        expires_at=body.expires_at,
    )


# Orders ---------------------------------------------------------------------------


def _fingerprint(body: OrderCreate) -> str:
    """The body as sent (its member id as spelled), so a replay matches the stored hash."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def new_order(body: OrderCreate) -> orders.NewOrder:
    return orders.NewOrder(
        external_order_id=body.external_order_id,
        member_id=ids.parse("mem", body.member_id),
        total=body.total,
        fingerprint=_fingerprint(body),
        store_id=_store(body.store_id),
        channel=body.channel,
        currency=body.currency,
        items=[
            orders.OrderLine(
                price=i.price,
                quantity=i.quantity,
                eligible=i.eligible,
                sku=i.sku,
                product_id=i.product_id,
                name=i.name,
            )
            for i in body.items
        ],
        eligible_amount=body.eligible_amount,
        placed_at=body.placed_at,
    )


def order_row(raw: Any) -> orders.NewOrder | PunchcardError:
    """One row of an order batch, or the 400 that refuses it (the row alone fails)."""
    try:
        return new_order(OrderCreate.model_validate(raw))
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or None
        return ValidationFailed(f"{field}: {err['msg']}", field=field)


def refund_request(body: RefundCreate) -> orders.RefundRequest:
    return orders.RefundRequest(amount=body.amount, refund_id=body.refund_id, reason=body.reason)


# Coupons --------------------------------------------------------------------------


def generated_codes(body: CodeGeneration | None) -> GeneratedCodes | None:
    if body is None:
        return None
    return GeneratedCodes(count=body.count, prefix=body.prefix, length=body.length)


def new_pool(body: PoolCreate) -> NewPool:
    return NewPool(
        name=body.name,
        discount_type=body.discount_type,
        discount_value=body.discount_value,
        points_cost=body.points_cost,
        expires_at=body.expires_at,
        codes=body.codes,
        generate=generated_codes(body.generate),
    )


# Rewards --------------------------------------------------------------------------


def new_reward(body: RewardCreate) -> rewards.NewReward:
    return rewards.NewReward(
        name=body.name,
        points_cost=body.points_cost,
        key=body.key,
        description=body.description,
        terms=body.terms,
        instructions=body.instructions,
        monetary_value=body.monetary_value,
        type=body.type,
        is_active=body.is_active,
        tier_ids=[ids.ref("tier", t) for t in body.tier_ids],
        stock=body.stock,
        codes=body.codes,
        generate=generated_codes(body.generate),
        codes_expire_at=body.codes_expire_at,
    )


def reward_changes(body: RewardUpdate) -> rewards.RewardChanges:
    """The fields sent (absent ones stay untouched; null is kept, for the core to refuse
    or clear)."""
    changes = sent(body)
    if changes.get("tier_ids") is not None:
        changes["tier_ids"] = [ids.ref("tier", t) for t in changes["tier_ids"]]
    return cast(rewards.RewardChanges, changes)


# Tiers ----------------------------------------------------------------------------


def new_tier(body: TierCreate) -> NewTier:
    return NewTier(
        name=body.name,
        key=body.key,
        description=body.description,
        type=body.type,
        position=body.position,
        min_points=body.min_points,
        multiplier=body.multiplier,
        is_active=body.is_active,
        is_default=body.is_default,
    )


def tier_changes(body: TierUpdate) -> TierChanges:
    """The fields sent (absent ones stay untouched; null is kept, for the core to refuse
    or clear)."""
    return cast(TierChanges, sent(body))
