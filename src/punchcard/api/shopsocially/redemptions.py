"""Redemption options (rewards): Get All, Create, Get, Update (functions 16 to 19).

An option's one-time coupon codes (``giftcard_coupon_codes``) are its reward's coupon
pool; ``coupon_expiry`` is the last day the codes are valid, in the tenant's timezone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field

from punchcard.api.common import ids, inputs
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.rewards import RewardCreate, RewardUpdate
from punchcard.api.shopsocially.auth import RewardsRead, RewardsWrite
from punchcard.api.shopsocially.errors import build, wire_fields
from punchcard.api.shopsocially.params import (
    NO_END_DAYS,
    Params,
    body_doc,
    csv_list,
    list_page,
    money,
    params,
    parse_expiry,
    query_doc,
)
from punchcard.api.shopsocially.render import View, level_key, stamp
from punchcard.api.shopsocially.render import money as money_text
from punchcard.api.shopsocially.schemas import Ok, RedemptionOut, RedemptionPage
from punchcard.coupons import service as coupons
from punchcard.kit import calendar
from punchcard.kit.paging import LARGEST_LIMIT, MAX_OFFSET, every
from punchcard.models import CouponPool, Reward
from punchcard.rewards import service as rewards
from punchcard.rewards.views import RewardOption, options_of

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Redemptions"])

# Face parameter -> core field.
FIELDS = {
    "redemption_id": "key",
    "redemption_name": "name",
    "giftcard_description": "description",
    "terms_and_conds_text": "terms",
    "redemption_instructions": "instructions",
    "allowed_redeem_points": "points_cost",
    "redemption_value": "monetary_value",
    "is_active": "is_active",
    "associated_levels": "tier_ids",
    "giftcard_coupon_codes": "codes",
    "coupon_expiry": "codes_expire_at",
}
WIRE = {core: wire for wire, core in FIELDS.items()}


class _Aliases(Params):
    # The document's curl examples spell it `allowed_redeemp_points`.
    ALIASES = {"allowed_redeemp_points": "allowed_redeem_points"}


class CreateParams(_Aliases):
    redemption_id: str = Field(max_length=64, description="Your id for the option")
    redemption_name: str = Field(max_length=200)
    allowed_redeem_points: int = Field(description="The points a redemption costs")
    # A Number in the document's table, `$50` in its example.
    redemption_value: int | float | str = Field(description="Its monetary value (`50`, `$50`)")
    giftcard_description: str
    terms_and_conds_text: str
    giftcard_coupon_codes: str = Field(description="One-time codes, comma separated")
    coupon_expiry: str = Field(
        description=f"Last day the codes are valid, DD-Mon-YYYY ({NO_END_DAYS})"
    )
    is_active: bool = Field(default=False, description="Defaults to false")
    redemption_instructions: str | None = None
    associated_levels: str | None = Field(
        default=None, description="Level ids allowed to redeem, comma separated (default: all)"
    )


class UpdateParams(_Aliases):
    redemption_name: str | None = Field(default=None, max_length=200)
    allowed_redeem_points: int | None = None
    redemption_value: int | float | str | None = None
    giftcard_description: str | None = None
    terms_and_conds_text: str | None = None
    giftcard_coupon_codes: str | None = Field(
        default=None, description="More one-time codes, comma separated"
    )
    coupon_expiry: str | None = Field(default=None, description=f"DD-Mon-YYYY ({NO_END_DAYS})")
    is_active: bool | None = None
    redemption_instructions: str | None = None
    associated_levels: str | None = None


class PageParams(Params):
    start_index: int = Field(default=0, ge=0, le=MAX_OFFSET)
    count: int = Field(
        default=100, ge=1, le=LARGEST_LIMIT, description="Options a page (default 100)"
    )


_PARSED = {"redemption_value", "giftcard_coupon_codes", "associated_levels", "coupon_expiry"}


def _core(view: View, q: Params) -> dict[str, Any]:
    """The parameters sent, as the core's fields and values."""
    out: dict[str, Any] = {}
    for name in q.model_fields_set & FIELDS.keys():
        value = getattr(q, name)
        if value is None and name in _PARSED:
            continue  # JSON null: as if not sent (a form cannot send null at all)
        if name == "redemption_value":
            value = money(value, name)
        elif name == "giftcard_coupon_codes":
            value = csv_list(value)
        elif name == "associated_levels":
            value = [v for v in csv_list(value) if v.lower() != "all"]
        elif name == "coupon_expiry":
            last = parse_expiry(value, name)  # None: "no end date" (31-Dec-9999)
            value = None if last is None else calendar.valid_through(last, view.tenant.timezone)
        out[FIELDS[name]] = value
    return out


def _codes(view: View, pool: CouponPool, status: str | None = None) -> list[str]:
    """The pool's codes (``status``: only those), all pages."""
    rows = every(
        lambda page: coupons.list_coupons(
            view.session,
            view.principal,
            page=page,
            pool_id=pool.id,
            status=status,
        )
    )
    return [c.code for c in rows]


def _update(view: View, reward: Reward, q: UpdateParams) -> dict[str, Any]:
    """An update's core fields. The document sends the option's whole list of codes,
    and may re-send its expiry: the core decides what that adds or refuses."""
    values = _core(view, q)
    if "codes" in values:
        values["add_codes"] = rewards.codes_to_add(
            view.session, view.principal, reward, values.pop("codes")
        )
    if "codes_expire_at" in values:
        with wire_fields(codes_expire_at="coupon_expiry"):
            rewards.keep_codes_expiry(
                view.session, view.principal, reward, values.pop("codes_expire_at")
            )
    return values


def _render(view: View, reward: Reward) -> RedemptionOut:
    return _render_all(view, [reward])[0]


def _render_all(view: View, rows: Sequence[Reward]) -> list[RedemptionOut]:
    """Options with their pools, codes and levels, in a fixed number of queries."""
    return [_render_option(view, o) for o in options_of(view.session, view.principal, rows)]


def _render_option(view: View, option: RewardOption) -> RedemptionOut:
    reward, pool, codes, levels = option.reward, option.pool, option.available_codes, option.tiers
    return RedemptionOut(
        redemption_id=reward.key,
        redemption_name=reward.name,
        redemption_value=money_text(reward.monetary_value),
        giftcard_description=reward.description or "",
        terms_and_conds_text=reward.terms or "",
        redemption_instructions=reward.instructions,
        is_active=reward.is_active,
        allowed_redeem_points=reward.points_cost,
        associated_levels=[level_key(t) for t in levels] or ["all"],
        enable_coupon_based_incentive=pool is not None,
        giftcard_coupon_codes=",".join(codes),
        coupon_expiry=view.expiry_day(pool.expires_at) if pool is not None else "",
        send_redemption_email=False,
        redemption_email_subject="",
        redemption_email_html="",
        after_redemption_html="",
        loyalty_redemption_card_img="",
        id=ids.render("rwd", reward.id),
        merchant_id=view.partner_id,
        created_time=stamp(reward.created_at),
        updated_time=stamp(reward.updated_at),
    )


@router.get("/redemptions", response_model=Ok[RedemptionPage], openapi_extra=query_doc(PageParams))
def list_all(
    p: RewardsRead,
    session: DbSession,
    q: Annotated[PageParams, Depends(params(PageParams))],
) -> Ok[RedemptionPage]:
    """The redemption options, `count` a page (all of them by default)."""
    view = View(session, p)
    rows, total = rewards.list_rewards(session, p, page=list_page(q.count, q.start_index))
    following = q.start_index + q.count
    return Ok(
        data=RedemptionPage(
            total=total,
            next_start_index=following,
            redemptions=_render_all(view, rows),
            more=following < total,
        )
    )


@router.post("/redemptions", response_model=Ok[RedemptionOut], openapi_extra=body_doc(CreateParams))
def create(
    p: RewardsWrite,
    session: DbSession,
    q: Annotated[CreateParams, Depends(params(CreateParams))],
) -> Ok[RedemptionOut]:
    """Create a redemption option with its one-time coupon codes."""
    view = View(session, p)
    values = _core(view, q) | {"is_active": q.is_active}
    data = build(RewardCreate, WIRE, values)
    with wire_fields(**WIRE):
        reward = rewards.create(session, p, data=inputs.new_reward(data))
    return Ok(data=_render(view, reward))


@router.get("/redemptions/{redemption_id}", response_model=Ok[RedemptionOut])
def get_one(p: RewardsRead, session: DbSession, redemption_id: str) -> Ok[RedemptionOut]:
    """One redemption option, by its redemption_id."""
    reward = rewards.get(session, p, reward_id=ids.ref("rwd", redemption_id), field="rewardId")
    return Ok(data=_render(View(session, p), reward))


@router.put(
    "/redemptions/{redemption_id}",
    response_model=Ok[RedemptionOut],
    openapi_extra=body_doc(UpdateParams),
)
def update(
    p: RewardsWrite,
    session: DbSession,
    redemption_id: str,
    q: Annotated[UpdateParams, Depends(params(UpdateParams))],
) -> Ok[RedemptionOut]:
    """Change a redemption option; parameters not sent are left as they are."""
    view = View(session, p)
    reward = rewards.get(session, p, reward_id=ids.ref("rwd", redemption_id), field="rewardId")
    data = build(
        RewardUpdate, WIRE | {"add_codes": "giftcard_coupon_codes"}, _update(view, reward, q)
    )
    with wire_fields(**WIRE, add_codes="giftcard_coupon_codes"):
        reward = rewards.update(session, p, reward_id=reward.id, data=inputs.reward_changes(data))
    return Ok(data=_render(view, reward))
