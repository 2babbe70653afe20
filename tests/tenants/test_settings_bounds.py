"""The core holds the bounds of every setting itself (the dashboard reaches it without
the native face's body model): each bad value is refused naming its field, and nothing
of the change is written."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from punchcard.errors import ValidationFailed
from punchcard.models import Tenant as TenantRow
from punchcard.tenants.service import update_settings
from tests.factories import Tenant

BAD: list[tuple[dict[str, Any], str]] = [
    ({"currency": "EURO"}, "currency"),
    ({"currency": "E1R"}, "currency"),
    ({"points_per_currency_unit": Decimal(0)}, "pointsPerCurrencyUnit"),
    ({"points_per_currency_unit": Decimal("1.00001")}, "pointsPerCurrencyUnit"),
    ({"points_per_currency_unit": Decimal("1e9")}, "pointsPerCurrencyUnit"),
    ({"points_per_currency_unit": Decimal("NaN")}, "pointsPerCurrencyUnit"),
    ({"points_per_currency_unit": 2.5}, "pointsPerCurrencyUnit"),
    ({"point_value": Decimal("0.0000001")}, "pointValue"),
    ({"points_expiry_days": 0}, "pointsExpiryDays"),
    ({"points_expiry_days": 36_501}, "pointsExpiryDays"),
    ({"portal_url": "javascript:alert(1)"}, "portalUrl"),
    ({"portal_url": "https://" + "a" * 500 + ".example"}, "portalUrl"),
]


@pytest.mark.parametrize(("changes", "field"), BAD)
def test_a_bad_value_is_refused_naming_its_field(
    tenant: Tenant, changes: dict[str, Any], field: str
) -> None:
    with tenant.db.transaction() as s, pytest.raises(ValidationFailed) as bad:
        update_settings(s, tenant.id, {"timezone": "Asia/Tokyo", **changes})
    assert bad.value.field == field
    with tenant.db.transaction(write=False) as s:
        row = s.get(TenantRow, tenant.id)
        assert row is not None and row.timezone != "Asia/Tokyo"


def test_good_values_pass_and_the_currency_is_upper_cased(tenant: Tenant) -> None:
    with tenant.db.transaction() as s:
        row = update_settings(
            s,
            tenant.id,
            {
                "currency": "jpy",
                "points_per_currency_unit": Decimal("99999999.9999"),
                "point_value": Decimal("0.000001"),
                "points_expiry_days": 36_500,
                "portal_url": "http://localhost:3000/rewards",
            },
        )
        assert (row.currency, row.points_expiry_days) == ("JPY", 36_500)
