"""Program metrics: ``GET /metrics`` (scope ``metrics:read``), the figures of
``metrics.service.overview`` as ``metrics.wire.as_json`` renders them."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from punchcard.api.common.auth import MetricsRead
from punchcard.api.common.params import IsoDate
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.metrics import MetricsRead as MetricsBody
from punchcard.db.uow import now
from punchcard.errors import ValidationFailed
from punchcard.metrics import service
from punchcard.metrics.wire import as_json
from punchcard.tenants.snapshot import snapshot

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Metrics"])

DEFAULT_DAYS = 30
From = Annotated[
    IsoDate | None,
    Query(
        alias="from",
        description="First local day (YYYY-MM-DD), inclusive; default 29 days before `to`",
    ),
]
To = Annotated[
    IsoDate | None,
    Query(
        description="Last local day (YYYY-MM-DD), inclusive; default today in the tenant's timezone"
    ),
]
Interval = Annotated[Literal["day", "week", "month"], Query(description="How the series is folded")]
# The core names the period's ends start/end; this face calls them from/to.
_FIELDS = {"start": "from", "end": "to"}


@router.get(
    "/metrics",
    response_model=MetricsBody,
    description=(
        f"At most {service.MAX_DAYS} days; a period that ends before it starts is a 400 "
        "naming `from`, a longer one a 400 naming `to`. Days are the tenant's local days."
    ),
)
def get_metrics(
    p: MetricsRead,
    session: DbSession,
    from_: From = None,
    to: To = None,
    interval: Interval = "day",
) -> MetricsBody:
    """The program's figures over a period: points flows, liability, breakage,
    members, orders and GMV, referrals, reward and coupon redemptions."""
    start, end = period(session, p.tenant_id, from_, to)
    try:
        result = service.overview(session, p.tenant_id, start=start, end=end, interval=interval)
    except ValidationFailed as exc:
        field = _FIELDS.get(exc.field or "", exc.field)
        raise ValidationFailed(exc.message, field=field) from None
    return MetricsBody.model_validate(as_json(result))


def period(
    session: Session, tenant_id: uuid.UUID, start: date | None, end: date | None
) -> tuple[date, date]:
    """Default ends: ``to`` today in the tenant's timezone, ``from`` 29 days earlier;
    a period ending before it starts names ``from``."""
    if end is None:
        tz = ZoneInfo(snapshot(session, tenant_id).settings.timezone or "UTC")
        end = now(session).astimezone(tz).date()
    if start is None:
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise ValidationFailed("`from` is after `to`", field="from")
    return start, end
