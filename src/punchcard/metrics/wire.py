"""The overview as JSON: the one rendering ``GET /api/v2/metrics`` answers and the MCP
tool ``get_metrics`` returns, so the two can never disagree.

camelCase keys; points are integers; money is a decimal string with two places
(``"12.50"``), as on the native face; ratios are decimal strings with four places
(``"0.1250"``) or ``null`` when nothing was issued; days are ISO dates.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from punchcard.kit.ids import render
from punchcard.kit.money import money_str
from punchcard.metrics.service import Bucket, Overview

# Bucket field -> wire name; money fields are rendered as strings.
FLOWS: dict[str, str] = {
    "issued": "pointsIssued",
    "redeemed": "pointsRedeemed",
    "expired": "pointsExpired",
    "clawed_back": "pointsClawedBack",
    "deducted": "pointsDeducted",
    "new_members": "newMembers",
    "orders": "orders",
    "gmv": "gmv",
    "refunds": "refunds",
    "referral_clicks": "referralClicks",
    "referral_conversions": "referralConversions",
    "referral_revenue": "referralRevenue",
    "reward_redemptions": "rewardRedemptions",
    "coupon_redemptions": "couponRedemptions",
}
MONEY = frozenset({"gmv", "refunds", "referral_revenue"})


def _ratio(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def bucket_json(b: Bucket) -> dict[str, Any]:
    out: dict[str, Any] = {"start": b.start.isoformat()}
    for name, wire in FLOWS.items():
        value = getattr(b, name)
        out[wire] = money_str(value) if name in MONEY else int(value)
    return out


def as_json(ov: Overview) -> dict[str, Any]:
    """Every figure of ``ov`` as the JSON document described above."""
    return {
        "from": ov.start.isoformat(),
        "to": ov.end.isoformat(),
        "interval": ov.interval,
        "timezone": ov.timezone,
        "currency": ov.currency,
        "pointValue": str(ov.point_value),
        "totals": bucket_json(ov.totals),
        "series": [bucket_json(b) for b in ov.series],
        "outstandingPoints": ov.outstanding_points,
        "liability": money_str(ov.liability),
        "breakage": _ratio(ov.breakage),
        "redemptionRate": _ratio(ov.redemption_rate),
        "netGmv": money_str(ov.net_gmv),
        "activeMembers": ov.active_members,
        "totalMembers": ov.total_members,
        "membersByTier": [
            {"tierId": render("tier", t.tier_id), "name": t.name, "members": t.members}
            for t in ov.members_by_tier
        ],
    }
