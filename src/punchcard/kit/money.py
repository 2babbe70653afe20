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


# ISO 4217 minor units of the currencies whose exponent is not 2 (every other code,
# USD, EUR, GBP..., has cents). A price "in cents" of one of these is in its own minor
# unit: 500 JPY is ¥500, 1500 KWD is 1.500 KD.
_EXPONENTS = {
    **dict.fromkeys(
        [
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ],
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    "CLF": 4,
    "UYW": 4,
}


def currency_exponent(currency: str | None) -> int:
    """The number of decimal places of ``currency``'s minor unit (2 when unknown)."""
    return _EXPONENTS.get(currency or "", 2)


def from_minor(amount: int, currency: str | None) -> Decimal:
    """A price in the currency's minor unit as money (``2999 USD`` → ``29.99``). Money is
    kept to the cent: an amount finer than that (``1 KWD`` fils) is a ValueError."""
    value = Decimal(amount).scaleb(-currency_exponent(currency))
    if value != value.quantize(CENT):
        raise ValueError(f"is finer than {CENT} {currency}, the precision prices are kept to")
    if abs(value) > MAX_AMOUNT:
        raise ValueError("out of range")
    return value.quantize(CENT)


def to_minor(value: Decimal, currency: str | None) -> int:
    """Money in the currency's minor unit (``29.99 USD`` → ``2999``; ``500 JPY`` → 500)."""
    return int(Decimal(value).scaleb(currency_exponent(currency)).to_integral_value(ROUND_HALF_UP))
