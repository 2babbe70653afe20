"""``punchcard tenants create|list``."""

from __future__ import annotations

import json
import sys

import typer
from rich.console import Console

from punchcard.cli.database import open_db
from punchcard.cli.output import print_rows
from punchcard.identity.keys import create_key
from punchcard.kit.clock import iso_z
from punchcard.kit.ids import render
from punchcard.tenants.service import create_tenant, list_tenants

tenants_app = typer.Typer(help="Manage tenants.", no_args_is_help=True)
console = Console()


@tenants_app.command("create")
def create(
    name: str = typer.Option(..., help="Tenant (merchant) name"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """Create a tenant and an all-scopes API key (shown once)."""
    db = open_db()
    with db.transaction() as session:
        tenant = create_tenant(session, name=name)
        key = create_key(session, tenant.id, name="cli", preset="write")
        out = {
            "tenantId": f"ten_{tenant.id.hex}",
            "partnerId": tenant.partner_id,
            "apiKey": key.plaintext,
        }
    db.dispose()
    if as_json:
        sys.stdout.write(json.dumps(out) + "\n")
    else:
        for k, v in out.items():
            console.print(f"{k}: [bold]{v}[/bold]")


@tenants_app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """List every tenant with its partner id (what `--tenant` takes)."""
    db = open_db()
    with db.transaction(write=False) as session:
        out = [
            {
                "partnerId": t.partner_id,
                "tenantId": render("ten", t.id),
                "name": t.name,
                "plan": t.plan,
                "createdAt": iso_z(t.created_at),
            }
            for t in list_tenants(session)
        ]
    db.dispose()
    if as_json:
        sys.stdout.write(json.dumps(out) + "\n")
        return
    print_rows(
        console,
        ("partner id", "name", "plan", "created", "tenant id"),
        [
            (
                str(r["partnerId"]),
                str(r["name"]),
                str(r["plan"]),
                str(r["createdAt"]),
                str(r["tenantId"]),
            )
            for r in out
        ],
    )
