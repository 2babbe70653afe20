"""The chart of accounts: where member ``n``'s points live in hordak."""

CURRENCY = "EUR"
#: Root liability account every award is credited from ("points issued").
ISSUED_CODE = "2"
#: Root asset account whose children are the members' accounts.
MEMBERS_CODE = "1"


def member_code(n: int) -> str:
    """A member account's own code (hordak codes are at most 6 characters)."""
    return f"{n:05d}"


def member_full_code(n: int) -> str:
    """The full code hordak's trigger derives: the parent's code, then the child's."""
    return MEMBERS_CODE + member_code(n)
