"""Ledger wire models: the body of ``POST /members/{id}/points`` and the renderings of
points entries (``txn_``/``mem_``/``act_``/``ord_``/``st_`` ids) and statements."""

from __future__ import annotations

from pydantic import Field, StrictInt

from punchcard.api.common import ids
from punchcard.kit.schema import InputSchema, Schema, UtcTime
from punchcard.models import PointsEntry


class PointsChange(InputSchema):
    """``POST /members/{id}/points``: a manual award (positive) or deduction (negative)."""

    amount: StrictInt = Field(description="Non-zero integer; negative deducts")
    description: str | None = Field(default=None, max_length=500)
    store_id: str | None = None
    activity_id: str | None = None
    expires_at: UtcTime | None = None


class PointsChangeResult(Schema):
    transaction_id: str
    balance: int


class TransactionRead(Schema):
    id: str
    member_id: str
    type: str
    amount: int
    balance_after: int
    status: str
    description: str | None
    activity_id: str | None
    order_id: str | None
    store_id: str | None
    created_at: UtcTime
    expires_at: UtcTime | None

    @classmethod
    def of(cls, e: PointsEntry) -> TransactionRead:
        return cls(
            id=ids.render("txn", e.id),
            member_id=ids.render("mem", e.member_id),
            type=e.type,
            amount=e.amount,
            balance_after=e.balance_after,
            status=e.status,
            description=e.description,
            activity_id=ids.render_optional("act", e.activity_id),
            order_id=ids.render_optional("ord", e.order_id),
            store_id=ids.render_optional("st", e.store_id),
            created_at=e.created_at,
            expires_at=e.expires_at,
        )


class ExpirationItem(Schema):
    date: str
    points: int


class PointsStatement(Schema):
    balance: int
    pending: int
    lifetime: int
    expiration_schedule: list[ExpirationItem]
    transactions: list[TransactionRead]
    total: int
    limit: int
    offset: int
