"""Tenant wire models: the ``team`` object (``ten_`` ids) and the body and rendering of
``/settings``."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, StringConstraints, field_validator

from punchcard.api.common import ids
from punchcard.kit.schema import InputSchema, Schema
from punchcard.models import Tenant
from punchcard.tenants.schemas import Plan, TierPeriod
from punchcard.tenants.service import MAX_POINTS_LIMIT, phone_country

Currency = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z]{3}$", to_upper=True),
    Field(description="ISO 4217 code, e.g. `USD` (upper-cased on input)", examples=["USD"]),
]
Country = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z]{2}$", to_upper=True),
    Field(description="ISO 3166 alpha-2 code, e.g. `US` (upper-cased on input)", examples=["US"]),
]
# Numeric(12, 4) in the database: 8 integer digits and 4 decimals.
PointsRate = Annotated[
    Decimal,
    Field(
        gt=0,
        max_digits=12,
        decimal_places=4,
        description="Points per currency unit; a positive decimal, as a JSON number or string",
        examples=["1", "2.5"],
    ),
]
# Numeric(12, 6): what one point is worth in the tenant's currency.
PointValue = Annotated[
    Decimal,
    Field(
        ge=0,
        le=1_000_000,
        max_digits=12,
        decimal_places=6,
        description="What one point is worth in the tenant's currency (liability = "
        "outstanding points x this); a decimal, as a JSON number or string",
        examples=["0.01"],
    ),
]


def render_decimal(value: Decimal) -> str:
    """``Decimal('1.5000')`` → ``"1.5"``; never exponent notation."""
    return format(value.normalize(), "f")


class TeamRead(Schema):
    """The ``team`` object every native response about a user carries."""

    id: str = Field(examples=["ten_0190f3c2a4b87c4e9a1b2c3d4e5f6a7b"])
    name: str
    partner_id: str = Field(description="Public id, used by the ShopSocially face")

    @classmethod
    def of(cls, tenant: Tenant) -> TeamRead:
        return cls(id=ids.render("ten", tenant.id), name=tenant.name, partner_id=tenant.partner_id)


class TenantSettingsRead(Schema):
    timezone: str = Field(description="IANA timezone, e.g. `Europe/Paris`")
    currency: str
    points_per_currency_unit: str = Field(
        description='A decimal string (lossless), e.g. `"1"` or `"2.5"`', examples=["1"]
    )
    points_expiry_days: int | None = Field(description="null: points never expire")
    tier_period: TierPeriod
    plan: Plan
    custom_auth_enabled: bool = Field(description="Magic links for the member portal")
    portal_url: str | None
    max_points_per_award: int = Field(
        description="The most points one award or one order may credit; above it the award "
        "is refused (422 `POINTS_LIMIT_EXCEEDED`)",
        examples=[1_000_000],
    )
    country: str | None = Field(
        description="ISO 3166 alpha-2 country phones without a country code are read in; "
        "null: derived (see `phoneCountry`)",
        examples=["US"],
    )
    phone_country: str = Field(
        description="The country in use: `country`, else the timezone's country, else the "
        "currency's (`GBP` → `GB`), else `US`",
        examples=["US"],
    )
    point_value: str = Field(
        description="What one point is worth in `currency`, a decimal string: the "
        "program's liability is outstanding points times this",
        examples=["0.01"],
    )
    storefront_origins: list[str] = Field(
        description="Browser origins whose storefront widgets may call `/api/v2/me` with a "
        "member's credentials (CORS)",
        examples=[["https://shop.example"]],
    )
    sso_secret_set: bool = Field(
        description="Whether an SSO secret exists; the secret itself is shown only at rotation"
    )

    @classmethod
    def of(cls, tenant: Tenant) -> TenantSettingsRead:
        return cls(
            timezone=tenant.timezone,
            currency=tenant.currency,
            points_per_currency_unit=render_decimal(Decimal(tenant.points_per_currency_unit)),
            points_expiry_days=tenant.points_expiry_days,
            tier_period=TierPeriod(tenant.tier_period),
            plan=Plan(tenant.plan),
            custom_auth_enabled=tenant.custom_auth_enabled,
            portal_url=tenant.portal_url,
            max_points_per_award=tenant.max_points_per_award,
            country=tenant.country,
            phone_country=phone_country(tenant),
            point_value=render_decimal(Decimal(tenant.point_value)),
            storefront_origins=list(tenant.storefront_origins or []),
            sso_secret_set=tenant.sso_secret is not None,
        )


class TenantSettingsUpdate(InputSchema):
    """PATCH: only the fields present change; ``null`` clears the nullable ones."""

    timezone: str | None = Field(default=None, min_length=1, max_length=64)
    currency: Currency | None = None
    points_per_currency_unit: PointsRate | None = None
    points_expiry_days: int | None = Field(default=None, ge=1, le=36_500)
    tier_period: TierPeriod | None = None
    plan: Plan | None = None
    custom_auth_enabled: bool | None = None
    portal_url: str | None = Field(default=None, max_length=500)
    max_points_per_award: int | None = Field(
        default=None, ge=1, le=MAX_POINTS_LIMIT, description="Points; at most 10^12"
    )
    country: Country | None = None
    point_value: PointValue | None = None
    storefront_origins: list[str] | None = Field(
        default=None,
        max_length=20,
        description="Origins such as `https://shop.example` (no path); replaces the list",
    )

    @field_validator("portal_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an absolute http(s) URL")
        return value


class SsoSecretRead(Schema):
    sso_secret: str | None = Field(
        description="Shown only in this response; store it now (null on an Idempotency-Key replay)"
    )
