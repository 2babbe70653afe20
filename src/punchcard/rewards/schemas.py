"""Reward enums the core uses.

The native face's reward wire models (``RewardCreate``, ``RewardRead``...) live in
``punchcard.api.native.schemas.rewards``; the advocate face's in
``punchcard.api.advocate.schemas``.
"""

from __future__ import annotations

from enum import StrEnum


class RewardType(StrEnum):
    """What a reward is, as advocate programs classify them (the advocate document's
    ``type``). A closed set so a filter by type means the same in every tenant;
    ``custom`` is the default for rewards created without one (every reward made
    before the column existed, and every ShopSocially redemption option)."""

    discount = "discount"
    product = "product"
    gift_card = "gift_card"
    experience = "experience"
    custom = "custom"


class RewardStatus(StrEnum):
    """The advocate document's ``status``: ``is_active`` spelt as a word."""

    active = "active"
    inactive = "inactive"
