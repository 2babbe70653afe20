"""Referral and ambassador schemas: the referral code pattern and kinds, and the
rendering of a conversion (also the ``referral.converted`` webhook payload, so it stays
in the core until event bodies are rendered by the faces). The native face's other wire
models are in ``api/native/schemas/ambassador.py``."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import Field

from punchcard.kit.ids import render
from punchcard.kit.money import money_str
from punchcard.kit.schema import Schema, UtcTime

if TYPE_CHECKING:
    from punchcard.ambassador.referrals import Conversion

CODE_PATTERN = r"^[A-Za-z0-9_-]{3,32}$"


class CodeKind(StrEnum):
    member = "member"
    affiliate = "affiliate"


class ConversionRead(Schema):
    """A referral conversion (``ref_`` id)."""

    id: str
    code: str
    referrer_id: str = Field(description="The member who owns the code")
    referred_member_id: str | None
    order_id: str | None
    revenue: str
    currency: str
    points: int = Field(description="Points awarded to the referrer for this conversion")
    created_at: UtcTime

    @classmethod
    def of(cls, c: Conversion) -> ConversionRead:
        e = c.event
        return cls(
            id=render("ref", e.id) or "",
            code=c.code.code,
            referrer_id=render("mem", c.code.member_id) or "",
            referred_member_id=render("mem", e.referred_member_id),
            order_id=render("ord", e.order_id),
            revenue=money(e.revenue),
            currency=c.currency,
            points=e.points,
            created_at=e.created_at,
        )


def money(value: Decimal | None) -> str:
    return money_str(value if value is not None else Decimal(0)) or "0.00"
