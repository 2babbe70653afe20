"""Ambassador use cases: rank candidates, report the program's ROI, issue affiliate codes."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from punchcard.ambassador import referrals
from punchcard.ambassador.repository import (
    AmbassadorRepository,
    CandidateRow,
    ProgramTotals,
    ReferralCodeRepository,
)
from punchcard.ambassador.schemas import CODE_PATTERN
from punchcard.db.uow import now
from punchcard.errors import Conflict, Unprocessable, ValidationFailed
from punchcard.identity.principal import Principal
from punchcard.kit.ids import new_id
from punchcard.kit.money import CENT
from punchcard.kit.paging import Page
from punchcard.members import service as members
from punchcard.models import Member, ReferralCode
from punchcard.tenants.service import get_tenant
from punchcard.tracking import period

DEFAULT_DAYS = 90
# Candidate score weights: they sum to 1 and the score is scaled to 0..100. Spend
# leads (a customer who buys), referrals follow (one who already brings others).
WEIGHTS = {"spend": 0.4, "orders": 0.2, "referrals": 0.3, "engagement": 0.1}

SCORING = (
    "score = 100 * (0.4·pct(spend) + 0.2·pct(orders) + 0.3·pct(referrals) + 0.1·pct(engagement)), "
    "over the window's active members with at least one order, referral conversion or tracking "
    "event. pct(x) is the share of those members whose value is ≤ x (cumulative distribution), "
    "and 0 when x is 0. spend = order totals net of refunds (status paid or partially_refunded, "
    "by placedAt); orders = their count; referrals = conversions of the member's referral codes; "
    "engagement = the member's tracking events. Ties go to the higher spend."
)

ROI_DOC = (
    "roi = revenue / pointsCostValue, where pointsCostValue = pointsCost / the tenant's "
    "pointsPerCurrencyUnit; null when pointsCost is 0."
)


@dataclass(frozen=True)
class Ranked:
    rows: list[tuple[CandidateRow, Member, bool]]
    total: int
    window: period.Window
    currency: str


@dataclass(frozen=True)
class Report:
    window: period.Window
    totals: ProgramTotals
    points_value: Decimal
    roi: float | None
    currency: str


def candidates(
    session: Session,
    principal: Principal,
    *,
    page: Page,
    first: date | None = None,
    last: date | None = None,
) -> Ranked:
    """Members ranked by the documented score (``SCORING``), default last 90 days."""
    window = period.resolve(session, first, last, default_days=DEFAULT_DAYS)
    repo = AmbassadorRepository(session, principal.tenant_id)
    rows, total = repo.candidates(window, page, weights=WEIGHTS)
    ids = [r.member_id for r in rows]
    found = repo.members(ids)
    holders = ReferralCodeRepository(session, principal.tenant_id).affiliate_holders(ids)
    return Ranked(
        rows=[
            (r, found[r.member_id], r.member_id in holders) for r in rows if r.member_id in found
        ],
        total=total,
        window=window,
        currency=get_tenant(session, principal.tenant_id).currency,
    )


def metrics(
    session: Session,
    principal: Principal,
    *,
    first: date | None = None,
    last: date | None = None,
) -> Report:
    """The affiliate program over the window (default last 90 days); see ``ROI_DOC``."""
    window = period.resolve(session, first, last, default_days=DEFAULT_DAYS)
    totals = AmbassadorRepository(session, principal.tenant_id).program(window)
    tenant = get_tenant(session, principal.tenant_id)
    rate = Decimal(tenant.points_per_currency_unit or 0)
    points_value = (
        (Decimal(totals.points) / rate).quantize(CENT, rounding=ROUND_HALF_UP)
        if rate > 0
        else Decimal(0)
    )
    roi = None
    if totals.points > 0 and rate > 0:
        # From the unrounded cost, then rounded to 4 places: a ratio, not money.
        cost = Decimal(totals.points) / rate
        roi = float((totals.revenue / cost).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))
    return Report(window, totals, points_value, roi, tenant.currency)


def issue_code(
    session: Session,
    principal: Principal,
    *,
    member_id: uuid.UUID,
    code: str | None,
    public_url: str,
) -> tuple[ReferralCode, str]:
    """Issue an affiliate code to a member, making them an ambassador.

    Returns the code and its referral URL ``{public_url}/r/{code}``.
    """
    # str(): members.get takes the wire's id until it takes a UUID (engineer idsa).
    member = members.get(session, principal, member_id=str(member_id))
    if member.status == "banned":
        raise Unprocessable("A banned member cannot be an ambassador", code="MEMBER_BANNED")
    repo = ReferralCodeRepository(session, principal.tenant_id)
    if code is None:
        code = referrals.generate_code(session, principal.tenant_id)
    else:
        if not re.fullmatch(CODE_PATTERN, code):
            raise ValidationFailed("code must be 3 to 32 letters, digits, '_' or '-'", field="code")
        if repo.taken(code):
            raise Conflict("This referral code is taken", field="code", code="DUPLICATE_CODE")
    row = repo.add(
        ReferralCode(
            id=new_id(), member_id=member.id, code=code, kind="affiliate", created_at=now(session)
        )
    )
    return row, f"{public_url.rstrip('/')}/r/{code}"
