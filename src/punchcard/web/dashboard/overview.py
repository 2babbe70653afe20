"""The dashboard's overview at ``/dashboard/`` (issue 14): a period chooser (the last
7, 30 or 90 days, or from/to dates; a GET form), KPI cards and server-side SVG charts,
all from the core's metrics service (``punchcard.metrics.service.overview``)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from punchcard.db.uow import now
from punchcard.errors import ValidationFailed
from punchcard.metrics import service as metrics
from punchcard.web import charts
from punchcard.web.dashboard.session import Ctx, view

router = APIRouter(include_in_schema=False)
PERIODS = {"7": 7, "30": 30, "90": 90}
DEFAULT = "30"


def _day(raw: str, field: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationFailed(
            f"{'From' if field == 'from' else 'To'} date must be a date like 2026-12-31",
            field=field,
        ) from None


def choose(params: Any, today: date) -> tuple[date, date, str]:
    """The period asked for: ``from``/``to`` dates when either is given, else the last
    ``period`` days (7, 30, 90) up to today. Raises ``ValidationFailed`` naming the
    field."""
    raw_from, raw_to = (params.get("from") or "").strip(), (params.get("to") or "").strip()
    if raw_from or raw_to:
        if not raw_from:
            raise ValidationFailed("From date is required with a To date", field="from")
        start = _day(raw_from, "from")
        end = _day(raw_to, "to") if raw_to else today
        if end < start:
            raise ValidationFailed("To date must not be before the From date", field="to")
        if (end - start).days + 1 > metrics.MAX_DAYS:
            raise ValidationFailed(
                f"To date: the period may span at most {metrics.MAX_DAYS} days", field="to"
            )
        return start, end, "custom"
    period = params.get("period") or DEFAULT
    if period not in PERIODS:
        raise ValidationFailed("Period must be 7, 30 or 90 days", field="period")
    return today - timedelta(days=PERIODS[period] - 1), today, period


def _pct(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _money(value: Decimal, currency: str) -> str:
    return f"{value:,.2f} {currency}"


def cards(o: metrics.Overview) -> list[tuple[str, str]]:
    """The KPI cards: (label, value), as the page shows them."""
    t = o.totals
    return [
        ("Points issued", f"{t.issued:,}"),
        ("Points redeemed", f"{t.redeemed:,}"),
        ("Points expired", f"{t.expired:,}"),
        ("Points clawed back", f"{t.clawed_back:,}"),
        ("Outstanding points", f"{o.outstanding_points:,}"),
        ("Liability", _money(o.liability, o.currency)),
        ("Breakage", _pct(o.breakage)),
        ("Redemption rate", _pct(o.redemption_rate)),
        ("Active members", f"{o.active_members:,}"),
        ("New members", f"{t.new_members:,}"),
        ("Members", f"{o.total_members:,}"),
        ("Orders", f"{t.orders:,}"),
        ("GMV", _money(t.gmv, o.currency)),
        ("Net GMV (after refunds)", _money(o.net_gmv, o.currency)),
        ("Referral clicks", f"{t.referral_clicks:,}"),
        ("Referral conversions", f"{t.referral_conversions:,}"),
        ("Referral revenue", _money(t.referral_revenue, o.currency)),
    ]


def chart_set(o: metrics.Overview) -> list[charts.Chart]:
    labels = [b.start.strftime("%b %d") for b in o.series]
    points = charts.line_chart(
        "Points per day",
        labels,
        [
            charts.Series("Issued", [float(b.issued) for b in o.series]),
            charts.Series("Redeemed", [float(b.redeemed) for b in o.series]),
            charts.Series("Expired", [float(b.expired) for b in o.series]),
        ],
    )
    tiers = charts.bar_chart(
        "Members by tier",
        [t.name for t in o.members_by_tier],
        charts.Series("Members", [float(t.members) for t in o.members_by_tier]),
        categories=True,
    )
    orders = charts.bar_chart(
        "Orders per day", labels, charts.Series("Orders", [float(b.orders) for b in o.series])
    )
    return [points, tiers, orders]


@router.get("/dashboard/")
async def overview(request: Request) -> Response:
    def page(ctx: Ctx) -> Response:
        today = now(ctx.session).astimezone(ZoneInfo(ctx.tenant.timezone or "UTC")).date()
        params = request.query_params
        form = {
            "period": params.get("period") or ("" if params.get("from") else DEFAULT),
            "from": params.get("from") or "",
            "to": params.get("to") or "",
        }
        try:
            start, end, chosen = choose(params, today)
            result = metrics.overview(ctx.session, ctx.tenant.id, start=start, end=end)
        except ValidationFailed as exc:
            return ctx.page(
                "dashboard/overview.html",
                status=400,
                title="Overview",
                error=exc.message,
                error_field=exc.field,
                form=form,
                periods=list(PERIODS),
                result=None,
            )
        return ctx.page(
            "dashboard/overview.html",
            title="Overview",
            error=None,
            error_field=None,
            form=form,
            periods=list(PERIODS),
            chosen=chosen,
            result=result,
            cards=cards(result),
            charts=chart_set(result),
        )

    return await view(request, page)
