"""``punchcard members erase --tenant PARTNER_ID MEMBER_ID``: a data subject's erasure
from the console, through the same service as ``POST /api/v2/members/{id}/erase``,
with an audit record written in the same transaction."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import typer

from punchcard.audit.writer import AuditEntry, write_now
from punchcard.cli.database import fail, open_db
from punchcard.cli.keys import TENANT_HELP, operator
from punchcard.errors import PunchcardError
from punchcard.kit.clock import iso_z
from punchcard.kit.ids import parse, render
from punchcard.privacy import service

members_app = typer.Typer(help="A tenant's members: erasure on request.", no_args_is_help=True)


@members_app.command("erase")
def erase(
    member_id: str = typer.Argument(..., help="The member's id (mem_…)"),
    tenant: str = typer.Option(..., "--tenant", help=TENANT_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """Erase a member's personal data; points, orders and amounts stay (idempotent)."""
    uid = parse("mem", member_id.strip())
    if uid is None:
        raise typer.BadParameter(
            f"{member_id!r} is not a member id (mem_…)", param_hint="MEMBER_ID"
        )
    db = open_db()
    try:
        with db.transaction() as session:
            caller = operator(session, tenant)
            done = service.erase(session, caller, member_id=uid)
            write_now(
                session,
                AuditEntry(
                    tenant_id=caller.tenant_id,
                    api_key_id=None,
                    user_id=None,
                    method="CLI",
                    path=f"punchcard members erase {render('mem', uid)}",
                    status=200,
                    latency_ms=0.0,
                    client_ip=None,
                    at=datetime.now(UTC),
                ),
            )
            out = {
                "id": render("mem", done.member.id),
                "erased": True,
                "alreadyErased": not done.changed,
                "erasedAt": iso_z(done.member.erased_at),
            }
    except PunchcardError as exc:
        raise fail(f"{member_id}: {exc.message}") from None
    finally:
        db.dispose()
    if as_json:
        sys.stdout.write(json.dumps(out) + "\n")
        return
    note = " (already erased)" if out["alreadyErased"] else ""
    print(f"erased {out['id']} at {out['erasedAt']}{note}")
