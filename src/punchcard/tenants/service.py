"""Create tenants and read or change their settings."""

from __future__ import annotations

import re
import secrets
import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol, cast
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic.alias_generators import to_camel
from sqlalchemy import String, select
from sqlalchemy import cast as sa_cast
from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import NotFound, ValidationFailed
from punchcard.kit import phones
from punchcard.kit.crypto import random_token
from punchcard.kit.ids import new_id
from punchcard.models import Activity, Tenant
from punchcard.tenants.schemas import SETTINGS, SettingsChanges
from punchcard.tenants.snapshot import TenantSettings, snapshot

# The ledger's own bound on one entry (ledger.service.MAX_POINTS).
MAX_POINTS_LIMIT = 10**12
PLANS = ("starter", "growth", "professional", "unlimited")
TIER_PERIODS = ("year", "quarter", "month")
PURCHASE_ACTIVITY = "purchase"
# Settings a PATCH may not set to null (the others, expiry and portal URL, clear).
REQUIRED_SETTINGS = (
    "timezone",
    "currency",
    "points_per_currency_unit",
    "tier_period",
    "plan",
    "custom_auth_enabled",
    "max_points_per_award",
    "point_value",
    "storefront_origins",
)
# At most this many storefront origins (a shop, its staging, a few markets).
MAX_ORIGINS = 20
MAX_POINT_VALUE = Decimal(1_000_000)
MAX_RATE = Decimal(100_000_000)
MAX_EXPIRY_DAYS = 36_500


def create_tenant(session: Session, *, name: str, plan: str = "unlimited") -> Tenant:
    """A new tenant with a fresh partner id and the built-in purchase earning rule."""
    at = now(session)
    tenant = Tenant(
        id=new_id(),
        name=name,
        partner_id="pt_" + secrets.token_hex(8),
        plan=plan,
        created_at=at,
        updated_at=at,
    )
    session.add(tenant)
    session.flush()
    session.add(
        Activity(
            tenant_id=tenant.id,
            id=new_id(),
            key="made_a_purchase",
            name="Made a Purchase",
            kind="bonus_multiplier",
            points=0,
            multiplier=Decimal(1),
            approval="immediate",
            is_active=True,
            system_key=PURCHASE_ACTIVITY,
            created_at=at,
            updated_at=at,
        )
    )
    session.flush()
    return tenant


def get_tenant(session: Session, tenant_id: uuid.UUID) -> Tenant:
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("Tenant not found")
    return tenant


def get_by_partner_id(session: Session, partner_id: str) -> Tenant | None:
    return session.scalars(select(Tenant).where(Tenant.partner_id == partner_id)).first()


def list_tenants(session: Session) -> list[Tenant]:
    """Every tenant of the installation, oldest first (the operator's CLI)."""
    return list(session.scalars(select(Tenant).order_by(Tenant.created_at, Tenant.id)))


def update_settings(session: Session, tenant_id: uuid.UUID, changes: dict[str, Any]) -> Tenant:
    """Apply validated setting changes (keys are model attribute names)."""
    tenant = get_tenant(session, tenant_id)
    if "timezone" in changes:
        try:
            ZoneInfo(str(changes["timezone"]))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationFailed("Unknown IANA timezone", field="timezone") from exc
    if "plan" in changes and changes["plan"] not in PLANS:
        raise ValidationFailed(f"plan must be one of {', '.join(PLANS)}", field="plan")
    if "tier_period" in changes and changes["tier_period"] not in TIER_PERIODS:
        raise ValidationFailed(
            f"tierPeriod must be one of {', '.join(TIER_PERIODS)}", field="tierPeriod"
        )
    if "max_points_per_award" in changes:
        limit = changes["max_points_per_award"]
        if not isinstance(limit, int) or not 1 <= limit <= MAX_POINTS_LIMIT:
            raise ValidationFailed(
                f"maxPointsPerAward must be between 1 and {MAX_POINTS_LIMIT}",
                field="maxPointsPerAward",
            )
    if changes.get("country") is not None:
        country = str(changes["country"]).upper()
        if country not in phones.REGIONS:
            raise ValidationFailed(
                "country must be an ISO 3166 alpha-2 code, e.g. US", field="country"
            )
        changes["country"] = country
    if "point_value" in changes:
        value = changes["point_value"]
        if not isinstance(value, Decimal) or not Decimal(0) <= value <= MAX_POINT_VALUE:
            raise ValidationFailed(
                f"pointValue must be between 0 and {MAX_POINT_VALUE}", field="pointValue"
            )
    if "storefront_origins" in changes:
        changes["storefront_origins"] = storefront_origins(changes["storefront_origins"])
    _check_basics(changes)
    for key, value in changes.items():
        setattr(tenant, key, value)
    tenant.updated_at = now(session)
    session.flush()
    return tenant


def _check_basics(changes: dict[str, Any]) -> None:
    """The bounds the native face's body model also states, held here for every caller
    (the dashboard's settings form reaches the core without that model)."""
    if "currency" in changes:
        currency = changes["currency"]
        if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency):
            raise ValidationFailed("currency must be an ISO 4217 code, e.g. USD", field="currency")
        changes["currency"] = currency.upper()
    if "points_per_currency_unit" in changes:
        rate = changes["points_per_currency_unit"]
        # Numeric(12, 4): 8 integer digits and 4 decimals.
        if (
            not isinstance(rate, Decimal)
            or not rate.is_finite()
            or not Decimal(0) < rate < MAX_RATE
            or rate != rate.quantize(Decimal("0.0001"))
        ):
            raise ValidationFailed(
                "pointsPerCurrencyUnit must be a positive number below 100000000 with at "
                "most 4 decimals",
                field="pointsPerCurrencyUnit",
            )
    value = changes.get("point_value")
    if isinstance(value, Decimal) and value != value.quantize(Decimal("0.000001")):
        # Numeric(12, 6): a finer value would be rounded silently.
        raise ValidationFailed("pointValue may have at most 6 decimals", field="pointValue")
    if changes.get("points_expiry_days") is not None:
        days = changes["points_expiry_days"]
        if not isinstance(days, int) or not 1 <= days <= MAX_EXPIRY_DAYS:
            raise ValidationFailed(
                f"pointsExpiryDays must be between 1 and {MAX_EXPIRY_DAYS}",
                field="pointsExpiryDays",
            )
    if changes.get("portal_url") is not None:
        url = changes["portal_url"]
        parts = urlsplit(url) if isinstance(url, str) else None
        if (
            parts is None
            or len(url) > 500
            or parts.scheme not in ("http", "https")
            or not parts.netloc
        ):
            raise ValidationFailed(
                "portalUrl must be an absolute http(s) URL of at most 500 characters",
                field="portalUrl",
            )


def storefront_origins(values: Any) -> list[str]:
    """Browser origins as a browser sends them (``https://shop.example``, a port when
    not the scheme's own): http(s), a host, no path, query or credentials; lowercase,
    each once, at most :data:`MAX_ORIGINS`. ValidationFailed naming the entry."""
    if not isinstance(values, list):
        raise ValidationFailed("storefrontOrigins must be a list", field="storefrontOrigins")
    if len(values) > MAX_ORIGINS:
        raise ValidationFailed(
            f"storefrontOrigins: at most {MAX_ORIGINS} origins", field="storefrontOrigins"
        )
    out: list[str] = []
    for i, value in enumerate(values):
        field = f"storefrontOrigins[{i}]"
        if not isinstance(value, str) or len(value) > 200:
            raise ValidationFailed(f"{field} must be an origin", field=field)
        parts = urlsplit(value.strip().lower().removesuffix("/"))
        try:
            port = parts.port
        except ValueError:
            port = -1
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path
            or parts.query
            or parts.fragment
            or parts.username
            or parts.password
            or port == -1
        ):
            raise ValidationFailed(
                f"{field} must be an origin such as https://shop.example (no path)", field=field
            )
        default = 443 if parts.scheme == "https" else 80
        origin = f"{parts.scheme}://{parts.hostname}"
        if port is not None and port != default:
            origin += f":{port}"
        if origin not in out:
            out.append(origin)
    return out


def rotate_sso_secret(session: Session, tenant_id: uuid.UUID) -> str:
    tenant = get_tenant(session, tenant_id)
    tenant.sso_secret = "sso_" + random_token(32)
    tenant.updated_at = now(session)
    session.flush()
    return tenant.sso_secret


# Use cases of the native face (the caller's own tenant) ---------------------------


class Caller(Protocol):
    """What these use cases need of the caller: its tenant. Every principal
    (``identity.principal.Principal``) is one. Stated here rather than imported because
    tenants sit below identity (identity's sign-up creates a tenant)."""

    @property
    def tenant_id(self) -> uuid.UUID: ...


def read_settings(session: Session, principal: Caller) -> Tenant:
    """The caller's tenant, whose settings the face renders."""
    return get_tenant(session, principal.tenant_id)


def phone_country(settings: TenantSettings | Tenant) -> str:
    """The country a number without a country code is read in: the ``country``
    setting, else derived (``kit.phones.default_country``)."""
    return settings.country or phones.default_country(settings.timezone, settings.currency)


def change_settings(session: Session, principal: Caller, *, data: SettingsChanges) -> Tenant:
    """Apply a PATCH: absent fields are left alone, ``null`` clears nullable ones."""
    changes: dict[str, Any] = {}
    # Declared order, not set order: the first error reported is always the same one.
    sent = cast(dict[str, Any], data)
    for name in (f for f in SETTINGS if f in sent):
        value = sent[name]
        if value is None and name in REQUIRED_SETTINGS:
            raise ValidationFailed(f"{to_camel(name)} cannot be null", field=to_camel(name))
        changes[name] = value.value if isinstance(value, StrEnum) else value
    if not changes:
        return get_tenant(session, principal.tenant_id)
    return update_settings(session, principal.tenant_id, changes)


def rotate_sso(session: Session, principal: Caller) -> str:
    """A new SSO secret for the caller's tenant; the old one stops verifying at once."""
    return rotate_sso_secret(session, principal.tenant_id)


def origin_listed(session: Session, origin: str) -> bool:
    """Whether any tenant lists ``origin`` among its storefront origins (a CORS
    preflight carries no credential, so it cannot say whose storefront it is). The
    LIKE on the stored JSON narrows the rows; the list itself decides."""
    pattern = origin.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    stmt = select(Tenant.storefront_origins).where(
        sa_cast(Tenant.storefront_origins, String).like(f'%"{pattern}"%', escape="\\")
    )
    return any(origin in (listed or []) for listed in session.scalars(stmt))


def origin_allowed(session: Session, tenant_id: uuid.UUID, origin: str) -> bool:
    """Whether the tenant lists ``origin`` among its storefront origins (read from the
    tenant snapshot); an unknown tenant lists none."""
    try:
        listed = snapshot(session, tenant_id).settings.storefront_origins
    except NotFound:
        return False
    return origin in listed
