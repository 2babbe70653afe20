"""Settings: ``/settings`` — the team's loyalty settings and its SSO secret."""

from __future__ import annotations

from typing import cast

from fastapi import APIRouter, Request

from punchcard.api.common import inputs
from punchcard.api.common.auth import SettingsRead, SettingsWrite
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute, redact_on_replay
from punchcard.api.native.schemas.settings import (
    SsoSecretRead,
    TenantSettingsRead,
    TenantSettingsUpdate,
)
from punchcard.tenants import service
from punchcard.tenants.schemas import SettingsChanges

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Settings"])


@router.get("/settings", response_model=TenantSettingsRead)
def get_settings(p: SettingsRead, session: DbSession) -> TenantSettingsRead:
    """Read the team's settings (the SSO secret is never shown here)."""
    return TenantSettingsRead.of(service.read_settings(session, p))


@router.patch("/settings", response_model=TenantSettingsRead)
def update_settings(
    p: SettingsWrite, session: DbSession, body: TenantSettingsUpdate
) -> TenantSettingsRead:
    """Change settings: absent fields stay, `null` clears `pointsExpiryDays`, `portalUrl` or
    `country` (then derived: see `phoneCountry`). `maxPointsPerAward` bounds every award
    and order (422 `POINTS_LIMIT_EXCEEDED` above it)."""
    return TenantSettingsRead.of(service.change_settings(session, p, data=_changes(body)))


@router.post("/settings/sso-secret", response_model=SsoSecretRead)
def rotate_sso_secret(p: SettingsWrite, session: DbSession, request: Request) -> SsoSecretRead:
    """Rotate the SSO secret; the new one is shown only in this response."""
    redact_on_replay(request, "ssoSecret")
    return SsoSecretRead(sso_secret=service.rotate_sso(session, p))


def _changes(body: TenantSettingsUpdate) -> SettingsChanges:
    """The fields sent (absent ones stay untouched; null is kept, for the core to refuse
    or clear)."""
    return cast(SettingsChanges, inputs.sent(body))
