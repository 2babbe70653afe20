"""Webhook bodies of the event types the native contract defines.

An outbox event holds neutral data (``events.data``); these renderers make the ``data``
of the signed message from it, in the native dialect (``mem_<hex>`` ids, camelCase,
``...Z`` times). A resource is rebuilt into a detached row and rendered by the same
``XRead.of`` as the API renders it, so a webhook body is exactly the API's rendering.

``RENDERERS`` reaches the worker by injection (``Worker(..., renderers=...)``), never
by an import from the core.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from punchcard.ambassador.referrals import Conversion
from punchcard.api.native.schemas.advocacy import TestimonialRead
from punchcard.api.native.schemas.ambassador import ConversionRead
from punchcard.api.native.schemas.coupons import CouponRead
from punchcard.api.native.schemas.ledger import TransactionRead
from punchcard.api.native.schemas.members import MemberRead
from punchcard.api.native.schemas.orders import OrderRead
from punchcard.api.native.schemas.quests import QuestRead
from punchcard.events.data import Renderer, restore
from punchcard.kit.clock import iso_z
from punchcard.kit.ids import render
from punchcard.models import (
    Coupon,
    Member,
    Order,
    PointsEntry,
    Quest,
    QuestTask,
    ReferralCode,
    ReferralEvent,
    Testimonial,
    Tier,
)
from punchcard.quests.views import QuestView
from punchcard.testimonials.views import TestimonialView
from punchcard.webhooks.schemas import ENDPOINT_PREFIX


def _id(prefix: str, raw: str | None) -> str | None:
    return render(prefix, uuid.UUID(raw)) if raw is not None else None


def _json(model: Any) -> dict[str, Any]:
    out: dict[str, Any] = model.model_dump(mode="json", by_alias=True)
    return out


def member(d: Mapping[str, Any]) -> dict[str, Any]:
    """``member.created`` / ``member.updated``: the member as ``GET /members/{id}``."""
    tier = restore(Tier, d["tier"]) if d["tier"] is not None else None
    return MemberRead.of(restore(Member, d["member"]), tags=d["tags"], tier=tier).payload()


def points(d: Mapping[str, Any]) -> dict[str, Any]:
    """``points.*``: ``{memberId, balance, transaction}``."""
    return {
        "memberId": _id("mem", d["member_id"]),
        "balance": d["balance"],
        "transaction": _json(TransactionRead.of(restore(PointsEntry, d["transaction"]))),
    }


def order_created(d: Mapping[str, Any]) -> dict[str, Any]:
    return _json(OrderRead.of(restore(Order, d["order"])))


def order_refunded(d: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "order": _json(OrderRead.of(restore(Order, d["order"]))),
        "refundAmount": d["refund_amount"],
        "pointsClawedBack": d["points_clawed_back"],
    }


def coupon(d: Mapping[str, Any]) -> dict[str, Any]:
    return _json(CouponRead.of(restore(Coupon, d["coupon"])))


def reward_redeemed(d: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "memberId": _id("mem", d["member_id"]),
        "rewardId": _id("rwd", d["reward_id"]),
        "transactionId": _id("txn", d["transaction_id"]),
        "points": d["points"],
        "couponCode": d["coupon_code"],
        "balance": d["balance"],
    }


def tier_changed(d: Mapping[str, Any]) -> dict[str, Any]:
    tier = d["tier"]
    return {
        "memberId": _id("mem", d["member_id"]),
        "previousTierId": _id("tier", d["previous_tier_id"]),
        "tier": {"id": _id("tier", tier["id"]), "name": tier["name"]} if tier else None,
    }


def referral_converted(d: Mapping[str, Any]) -> dict[str, Any]:
    conversion = Conversion(
        event=restore(ReferralEvent, d["referral"]),
        code=restore(ReferralCode, d["code"]),
        currency=d["currency"],
        created=True,
    )
    return _json(ConversionRead.of(conversion))


def testimonial_created(d: Mapping[str, Any]) -> dict[str, Any]:
    """``testimonial.created``: the testimonial as ``GET /testimonials/{id}``."""
    return _json(TestimonialRead.of(TestimonialView.of(restore(Testimonial, d["testimonial"]))))


def quest_completed(d: Mapping[str, Any]) -> dict[str, Any]:
    """``quest.completed``: the quest as ``GET /quests/{id}`` and what its reward gave."""
    quest = QuestView(restore(Quest, d["quest"]), [restore(QuestTask, t) for t in d["tasks"]])
    done = d["completion"]
    return {
        "memberId": _id("mem", d["member_id"]),
        "quest": _json(QuestRead.of(quest)),
        "rewardPoints": done["reward_points"],
        "transactionId": _id("txn", done["entry_id"]),
        "rewardId": _id("rwd", done["reward_id"]),
        "couponCode": d["coupon_code"],
        "balance": d["balance"],
        "completedAt": iso_z(datetime.fromisoformat(done["created_at"])),
    }


def endpoint_disabled(d: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "webhookId": _id(ENDPOINT_PREFIX, d["endpoint_id"]),
        "url": d["url"],
        "reason": d["reason"],
        "disabledAt": iso_z(datetime.fromisoformat(d["disabled_at"])),
    }


def ping(d: Mapping[str, Any]) -> dict[str, Any]:
    return {"webhookId": _id(ENDPOINT_PREFIX, d["endpoint_id"]), "message": d["message"]}


RENDERERS: Mapping[str, Renderer] = {
    "member.created": member,
    "member.updated": member,
    "points.awarded": points,
    "points.deducted": points,
    "points.expired": points,
    "tier.changed": tier_changed,
    "order.created": order_created,
    "order.refunded": order_refunded,
    "coupon.issued": coupon,
    "coupon.redeemed": coupon,
    "reward.redeemed": reward_redeemed,
    "referral.converted": referral_converted,
    "testimonial.created": testimonial_created,
    "quest.completed": quest_completed,
    "endpoint.disabled": endpoint_disabled,
    "ping": ping,
}
