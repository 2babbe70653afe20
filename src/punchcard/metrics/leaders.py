"""The tenant's top members: by points balance, by spend (order totals less refunds)
or by referral conversions. One query each; the MCP tool ``top_members`` (and any
later surface) reads it."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, Literal, get_args

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from punchcard.errors import ValidationFailed
from punchcard.models import Member, Order, ReferralCode, ReferralEvent

Ranking = Literal["points", "spend", "referrals"]
RANKINGS: tuple[str, ...] = get_args(Ranking)
MAX_LIMIT = 100


def top_members(
    session: Session, tenant_id: uuid.UUID, *, by: str = "points", limit: int = 10
) -> list[tuple[Member, int | Decimal]]:
    """``(member, score)`` best first (ties by id); ``limit`` 1..100. Members without
    an order (spend) or a conversion (referrals) are not ranked."""
    if by not in RANKINGS:
        raise ValidationFailed("by must be one of points, spend, referrals", field="by")
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    m = Member
    score: Any
    if by == "points":
        score = m.points_balance
        q = select(m, score.label("score")).where(m.tenant_id == tenant_id)
    elif by == "spend":
        o = Order
        spend = (
            select(o.member_id, func.sum(o.total - o.refunded_amount).label("score"))
            .where(o.tenant_id == tenant_id)
            .group_by(o.member_id)
            .subquery()
        )
        score = spend.c.score
        q = select(m, score).join(spend, spend.c.member_id == m.id).where(m.tenant_id == tenant_id)
    else:
        ev, code = ReferralEvent, ReferralCode
        refs = (
            select(code.member_id, func.count(ev.id).label("score"))
            .join(code, (code.id == ev.code_id) & (code.tenant_id == ev.tenant_id))
            .where(ev.tenant_id == tenant_id, ev.type == "conversion")
            .group_by(code.member_id)
            .subquery()
        )
        score = refs.c.score
        q = select(m, score).join(refs, refs.c.member_id == m.id).where(m.tenant_id == tenant_id)
    rows = session.execute(q.order_by(score.desc(), m.id).limit(limit)).all()
    if by == "spend":
        return [(member, Decimal(str(value))) for member, value in rows]
    return [(member, int(value)) for member, value in rows]
