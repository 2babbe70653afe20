"""``punchcard keys create|list|revoke --tenant PARTNER_ID``: API keys of a running
install, through the same identity services as ``/api/v2/api-keys``."""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import typer
from rich.console import Console
from rich.panel import Panel
from sqlalchemy.orm import Session

from punchcard.cli.database import fail, open_db
from punchcard.cli.output import print_rows
from punchcard.errors import PunchcardError
from punchcard.identity import keys
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import PRESETS
from punchcard.kit.clock import as_utc, iso_z
from punchcard.kit.ids import parse, render
from punchcard.kit.paging import MAX_LIMIT, Page
from punchcard.models import ApiKey
from punchcard.tenants.service import get_by_partner_id

keys_app = typer.Typer(help="Manage a tenant's API keys.", no_args_is_help=True)
console = Console()

TENANT_HELP = "The tenant's partner id (`punchcard tenants list`)"
# The core names fields as the native face does; the CLI names its options.
OPTIONS = {"expiresAt": "--expires-at", "scopes": "--scopes", "preset": "--scopes"}
DURATION = re.compile(r"^\s*(\d{1,6})\s*([smhdw])\s*$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def operator(session: Session, partner_id: str) -> Principal:
    """The tenant named by ``partner_id``, as a caller of the key services (the
    operator at the console: no user, so nothing is recorded as created by one)."""
    tenant = get_by_partner_id(session, partner_id.strip())
    if tenant is None:
        raise fail(f"no tenant with partner id {partner_id!r} (see `punchcard tenants list`)")
    return Principal(tenant_id=tenant.id, scopes=frozenset())


def parse_scopes(value: str) -> list[str]:
    """``members:read,points:write`` or a preset (``read``, ``write``); commas or spaces."""
    scopes = [s for s in re.split(r"[,\s]+", value) if s]
    if not scopes:
        raise typer.BadParameter("give at least one scope or a preset (read, write)")
    return scopes


def expiry(expires_in: str | None, expires_at: str | None) -> datetime | None:
    """``--expires-in 30d`` (s, m, h, d or w) or ``--expires-at`` an ISO date-time (no
    offset: UTC), or neither (the key never expires)."""
    if expires_in is not None and expires_at is not None:
        raise typer.BadParameter("give --expires-in or --expires-at, not both")
    if expires_in is not None:
        match = DURATION.match(expires_in)
        if match is None or int(match[1]) == 0:
            raise typer.BadParameter(
                f"{expires_in!r} is not a duration like 90m, 12h, 30d or 2w",
                param_hint="--expires-in",
            )
        try:
            return datetime.now(UTC) + timedelta(**{UNITS[match[2]]: int(match[1])})
        except OverflowError:
            raise typer.BadParameter(
                f"{expires_in!r} is too far", param_hint="--expires-in"
            ) from None
    if expires_at is not None:
        try:
            return as_utc(datetime.fromisoformat(expires_at.strip()))
        except (ValueError, OverflowError):
            raise typer.BadParameter(
                f"{expires_at!r} is not an ISO-8601 date-time like 2027-01-31T00:00:00Z",
                param_hint="--expires-at",
            ) from None
    return None


def wire(key: ApiKey) -> dict[str, Any]:
    """A key as ``GET /api/v2/api-keys`` renders it (never its plaintext)."""
    return {
        "id": render("key", key.id),
        "name": key.name,
        "prefix": key.prefix,
        "scopes": list(key.scopes),
        "createdAt": iso_z(key.created_at),
        "lastUsedAt": iso_z(key.last_used_at),
        "expiresAt": iso_z(key.expires_at),
        "revokedAt": iso_z(key.revoked_at),
    }


def scopes_label(scopes: list[str]) -> str:
    for name in ("write", "read"):
        if sorted(scopes) == sorted(PRESETS[name]):
            return f"{name} (all {len(scopes)})"
    return ", ".join(scopes)


def minutes(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).strftime("%Y-%m-%d %H:%M")


def status(key: ApiKey, at: datetime) -> str:
    if key.revoked_at is not None:
        return "revoked"
    if key.expires_at is not None and key.expires_at <= at:
        return "expired"
    return "active"


@keys_app.command("create")
def create(
    tenant: str = typer.Option(..., "--tenant", help=TENANT_HELP),
    name: str = typer.Option(..., help="A name to recognise the key by"),
    scopes: str = typer.Option(
        ...,
        help="Comma-separated scopes (members:read,points:write) or a preset: "
        "read (every read scope), write (every scope)",
    ),
    expires_in: str | None = typer.Option(None, help="Expire after 90m, 12h, 30d, 2w…"),
    expires_at: str | None = typer.Option(
        None, help="Expire at an ISO date-time (UTC if no offset)"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """Create an API key; the key itself is printed once, here, and never again."""
    requested = parse_scopes(scopes)
    when = expiry(expires_in, expires_at)
    if not name.strip():
        raise typer.BadParameter("must not be empty", param_hint="--name")
    db = open_db()
    try:
        with db.transaction() as session:
            caller = operator(session, tenant)
            new = keys.create_key(
                session, caller.tenant_id, name=name.strip(), scopes=requested, expires_at=when
            )
            out = {**wire(new.key), "key": new.plaintext}
    except PunchcardError as exc:
        option = OPTIONS.get(exc.field or "", exc.field or "")
        raise fail(f"{option}: {exc.message}" if option else exc.message) from None
    finally:
        db.dispose()
    if as_json:
        sys.stdout.write(json.dumps(out) + "\n")
        return
    console.print(
        Panel.fit(
            "\n".join(
                [
                    f"API key (shown once): [bold]{out['key']}[/bold]",
                    f"id      : {out['id']}",
                    f"name    : {out['name']}",
                    f"scopes  : {scopes_label(out['scopes'])}",
                    f"expires : {out['expiresAt'] or 'never'}",
                ]
            ),
            title=f"new key for {tenant}",
        )
    )


@keys_app.command("list")
def list_(
    tenant: str = typer.Option(..., "--tenant", help=TENANT_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """List the tenant's API keys, revoked and expired ones included."""
    db = open_db()
    rows: list[ApiKey] = []
    try:
        with db.transaction(write=False) as session:
            caller = operator(session, tenant)
            while True:
                page, total = keys.list_keys(
                    session, caller, page=Page(limit=MAX_LIMIT, offset=len(rows))
                )
                rows.extend(page)
                if not page or len(rows) >= total:
                    break
    finally:
        db.dispose()
    if as_json:
        sys.stdout.write(json.dumps([wire(k) for k in rows]) + "\n")
        return
    at = datetime.now(UTC)
    if console.is_terminal:  # what fits 80 columns: minutes, no prefix or creation
        headers: tuple[str, ...] = ("id", "name", "status", "scopes", "expires", "last used")
        table: list[tuple[str, ...]] = [
            (
                render("key", k.id) or "",
                k.name,
                status(k, at),
                scopes_label(list(k.scopes)),
                minutes(k.expires_at) or "never",
                minutes(k.last_used_at) or "-",
            )
            for k in rows
        ]
    else:
        headers = ("id", "name", "status", "scopes", "expires", "created", "last used", "prefix")
        table = [
            (
                render("key", k.id) or "",
                k.name,
                status(k, at),
                ",".join(k.scopes),
                iso_z(k.expires_at) or "never",
                iso_z(k.created_at) or "",
                iso_z(k.last_used_at) or "-",
                k.prefix,
            )
            for k in rows
        ]
    print_rows(console, headers, table)


@keys_app.command("revoke")
def revoke(
    key_id: str = typer.Argument(..., metavar="KEY_ID", help="The key's id (key_…)"),
    tenant: str = typer.Option(..., "--tenant", help=TENANT_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """Revoke an API key: every request with it after this answers 401."""
    parsed = parse("key", key_id.strip())
    if parsed is None:
        raise typer.BadParameter(f"{key_id!r} is not a key id (key_…)", param_hint="KEY_ID")
    db = open_db()
    try:
        with db.transaction() as session:
            caller = operator(session, tenant)
            try:
                key = keys.revoke_key(session, caller, key_id=parsed)
            except PunchcardError:
                raise fail(f"no API key {key_id} in tenant {tenant}") from None
            out = wire(key)
    finally:
        db.dispose()
    if as_json:
        sys.stdout.write(json.dumps(out) + "\n")
    else:
        console.print(f"revoked {out['id']} ({out['name']}) at {out['revokedAt']}")
