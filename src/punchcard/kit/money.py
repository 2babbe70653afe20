"""Money as Decimal, rendered as a decimal string ("240.50")."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999999.99")


def to_money(value: object, *, field: str = "amount") -> Decimal:
    """Parse a money value (string, int or float) to a 2-place Decimal.

    Raises ValueError naming nothing; callers turn it into a validation error.
    """
    if isinstance(value, bool):
        raise ValueError("not a number")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError("not a decimal number") from exc
    if not amount.is_finite():
        raise ValueError("not a finite number")
    if abs(amount) > MAX_AMOUNT:
        raise ValueError("out of range")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def money_str(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))
