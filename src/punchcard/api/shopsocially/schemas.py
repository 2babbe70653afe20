"""Response shapes of the ShopSocially face, field for field as the document writes them.

Where the document lists a field in one place and not another (Get Transaction names
``partner_id``, its example ``merchant_id``; Get All Users shows two key sets), the
face answers with both, so a client written against either reading finds its keys.
Absent times and ids are ``""`` (the document's usual rendering), not ``null``.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")

Number = int | float


class Ok(BaseModel, Generic[T]):
    """``{"data": …, "success": true}``."""

    data: T
    success: Literal[True] = True


# Points ----------------------------------------------------------------------------


class UserRef(BaseModel):
    user_id: str
    user_email: str
    user_first_name: str
    user_last_name: str


class AwardOut(UserRef):
    activity_id: str
    activity_name: str
    id: str = Field(description="Transaction ID")
    transaction_type: str
    points: int
    points_status: str
    partner_id: str
    created_time: str


class RedeemOut(UserRef):
    redemption_id: str
    redemption_name: str
    redemption_value: str
    id: str
    transaction_type: str
    points: int
    points_status: str
    coupon_code: str | None
    partner_id: str
    created_time: str


class DeductOut(UserRef):
    id: str
    transaction_type: str
    points: int
    points_status: str
    available_points: int = Field(description="The user's available points after the deduction")
    partner_id: str
    created_time: str


class ReturnOut(UserRef):
    id: str
    transaction_type: str
    points: int
    points_status: str
    reason: str
    returned_for_order_id: str
    auto_approval_date: str
    approved_time: str
    partner_id: str
    created_time: str
    updated_time: str


class TransactionOut(UserRef):
    id: str
    transaction_type: str = Field(description="award, redeem, deduct or expire")
    points: int
    points_status: str
    activity_id: str | None
    activity_name: str | None
    redemption_id: str | None
    redemption_name: str | None
    redemption_value: str | None
    redemptions_list: list[Any] | None = None
    coupon_code: str | None
    order_id: str | None
    reason: str | None
    points_used: int = Field(description="Of an award: points spent or taken back")
    available_points: int = Field(description="Of an award: points still available")
    points_expired: int
    points_deducted: int
    points_expiration_date: str
    qualified_points: bool
    approved_by: str | None
    approved_time: str
    auto_approval_date: str
    created_time: str
    updated_time: str
    merchant_id: str
    partner_id: str


class TransactionPage(BaseModel):
    total: int
    next_start_index: int
    transactions: list[TransactionOut]
    more: bool


# Users -----------------------------------------------------------------------------


class Expiration(BaseModel):
    expiration_date: str
    points: int


class UserOut(BaseModel):
    user_id: str
    user_email: str
    first_name: str
    last_name: str
    gender: str
    profile_image_url: str
    dashboard_url: str
    available_points: int
    redeemed_points: int
    loyalty_level_id: str
    loyalty_level_name: str
    loyalty_level: str = Field(description="Same as loyalty_level_id")
    loyalty_lifetime_level_id: str
    loyalty_life_time_level_name: str
    expiration_schedule: list[Expiration]
    last_award_transaction: dict[str, Any] = Field(
        description='`{"date", "points", "name"}`, or `{}` before the first award'
    )
    last_activity_date: str
    user_language: str
    user_status: str
    merchant_uid: str


class UserPage(BaseModel):
    total_loyalty_users: int
    next_start_index: int
    loyalty_users: list[UserOut]
    more: bool
    total: int = Field(description="Same as total_loyalty_users")
    users: list[UserOut] = Field(description="Same as loyalty_users")


# Configuration ---------------------------------------------------------------------


class ActivityOut(BaseModel):
    activity_id: str
    activity_name: str
    activity_description: str
    activity_type: str
    id: str
    is_active: bool
    ss_internal: bool
    approval_method: str
    points_per_activity: int
    bonus_multiplier: Number
    bonus_multiper: str = Field(description="The document's spelling; bonus_multiplier as text")
    max_award_frequency: int | None
    max_award_frequency_interval: str | None
    points_expiration_period: int
    qualified_points: bool
    terms_and_conditions: str
    loyalty_activity_img: str
    points_earning_url: str | None
    merchant_id: str
    created_time: str
    updated_time: str


class RedemptionOut(BaseModel):
    redemption_id: str
    redemption_name: str
    redemption_value: str
    giftcard_description: str
    terms_and_conds_text: str
    redemption_instructions: str | None
    is_active: bool
    allowed_redeem_points: int
    associated_levels: list[str]
    enable_coupon_based_incentive: bool
    giftcard_coupon_codes: str = Field(description="The unused one-time codes, comma separated")
    coupon_expiry: str
    send_redemption_email: bool
    redemption_email_subject: str
    redemption_email_html: str
    after_redemption_html: str
    loyalty_redemption_card_img: str
    id: str
    merchant_id: str
    created_time: str
    updated_time: str


class RedemptionPage(BaseModel):
    total: int
    next_start_index: int
    redemptions: list[RedemptionOut]
    more: bool


class LevelOut(BaseModel):
    level_id: str
    level_name: str
    level_description: str
    level_type: str
    level_position: int
    level_minimum_points: int
    level_bonus_multiplier: Number
    is_active: bool
    is_default: bool
    id: str
    merchant_id: str
    created_time: str
    updated_time: str


class ErrorOut(BaseModel):
    reason: str
    success: Literal[False] = False
