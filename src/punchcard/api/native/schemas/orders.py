"""Order wire models: the bodies of ``/orders``, ``/orders/batch`` and refunds and the
renderings of orders (``ord_``/``mem_``/``st_`` ids); ShopSocially builds the refund body
to reuse its validation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field, StrictInt, field_validator

from punchcard.api.common import ids
from punchcard.kit.money import money_str, to_money
from punchcard.kit.schema import InputSchema, Schema, UtcTime
from punchcard.models import Order


def _money(value: Any) -> Decimal:
    try:
        return to_money(value)
    except ValueError as exc:
        raise ValueError(f"must be a decimal amount ({exc})") from exc


class OrderItem(InputSchema):
    sku: str | None = Field(default=None, max_length=128)
    product_id: str | None = Field(default=None, max_length=128)
    name: str | None = Field(default=None, max_length=500)
    quantity: StrictInt = Field(default=1, ge=1, le=1_000_000)
    price: Decimal = Field(description="Unit price")
    # Items marked false (gift cards, tax, shipping) earn nothing.
    eligible: bool = True

    @field_validator("price", mode="before")
    @classmethod
    def _price(cls, v: Any) -> Decimal:
        amount = _money(v)
        if amount < 0:
            raise ValueError("must not be negative")
        return amount


class OrderCreate(InputSchema):
    external_order_id: str = Field(min_length=1, max_length=128)
    member_id: str
    store_id: str | None = None
    channel: str = Field(default="online", min_length=1, max_length=32)
    total: Decimal
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    items: list[OrderItem] = Field(default_factory=list, max_length=1000)
    eligible_amount: Decimal | None = Field(
        default=None,
        description="The amount that earns points; default: eligible items, else total",
    )
    placed_at: UtcTime | None = None

    @field_validator("total", "eligible_amount", mode="before")
    @classmethod
    def _amounts(cls, v: Any) -> Decimal | None:
        if v is None:
            return None
        amount = _money(v)
        if amount < 0:
            raise ValueError("must not be negative")
        return amount


class OrderRead(Schema):
    id: str
    external_order_id: str
    member_id: str
    store_id: str | None
    channel: str
    total: str
    currency: str
    items: list[dict[str, Any]]
    status: str
    points_awarded: int
    points_clawed_back: int
    refunded_amount: str
    placed_at: UtcTime
    created_at: UtcTime

    @classmethod
    def of(cls, o: Order) -> OrderRead:
        return cls(
            id=ids.render("ord", o.id),
            external_order_id=o.external_order_id,
            member_id=ids.render("mem", o.member_id),
            store_id=ids.render_optional("st", o.store_id),
            channel=o.channel,
            total=money_str(o.total) or "0.00",
            currency=o.currency,
            items=o.items,
            status=o.status,
            points_awarded=o.points_awarded,
            points_clawed_back=o.points_clawed_back,
            refunded_amount=money_str(o.refunded_amount) or "0.00",
            placed_at=o.placed_at,
            created_at=o.created_at,
        )


class OrderCreated(OrderRead):
    balance: int


class OrderList(Schema):
    orders: list[OrderRead]
    total: int
    limit: int
    offset: int


class ReceiptList(Schema):
    """A member's orders (``GET /members/{id}/receipts``)."""

    receipts: list[OrderRead]
    total: int
    limit: int
    offset: int


class OrderBatch(InputSchema):
    # Rows are validated one by one so that one bad order does not fail the batch.
    orders: list[dict[str, Any]] = Field(min_length=1, max_length=500)


class BatchError(Schema):
    # Shares its class name with the members' BatchError: FastAPI then names both
    # OpenAPI components by module, so it keeps the module it was defined in before
    # moving here and the published document does not change.
    __module__ = "punchcard.orders.schemas"

    code: str
    message: str
    field: str | None


class OrderBatchResult(Schema):
    index: int
    external_order_id: str | None
    status: str
    id: str | None = None
    points_awarded: int | None = None
    error: BatchError | None = None


class OrderBatchResponse(Schema):
    results: list[OrderBatchResult]
    created: int
    duplicates: int
    failed: int


class RefundCreate(InputSchema):
    amount: Decimal | None = None
    refund_id: str | None = Field(default=None, min_length=1, max_length=128)
    reason: str | None = Field(default=None, max_length=500)

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, v: Any) -> Decimal | None:
        if v is None:
            return None
        amount = _money(v)
        if amount <= 0:
            raise ValueError("must be positive")
        return amount


class RefundResult(Schema):
    order: OrderRead
    points_clawed_back: int
    balance: int
