"""``punchcard members``: a tenant's members from the console.

- ``erase --tenant PARTNER_ID MEMBER_ID``: a data subject's erasure, through the same
  service as ``POST /api/v2/members/{id}/erase``, with an audit record written in the
  same transaction.
- ``phone-duplicates --tenant PARTNER_ID``: the members whose phones are one number
  written differently (kept apart by the phone migration, never merged).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import typer
from rich.console import Console

from punchcard.audit.writer import AuditEntry, write_now
from punchcard.cli.database import fail, open_db
from punchcard.cli.keys import TENANT_HELP, operator
from punchcard.cli.output import print_rows
from punchcard.errors import PunchcardError
from punchcard.kit.clock import iso_z
from punchcard.kit.ids import parse, render
from punchcard.members import phones
from punchcard.privacy import service

members_app = typer.Typer(
    help="A tenant's members: erasure on request, duplicate phones.", no_args_is_help=True
)
console = Console()


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


@members_app.command("phone-duplicates")
def phone_duplicates(
    tenant: str = typer.Option(..., "--tenant", help=TENANT_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """Members whose phones are the same number: the one holding it in E.164 and the
    others, whose phone was left as written (fix or clear them, then run this again)."""
    db = open_db()
    with db.transaction(write=False) as session:
        found = phones.duplicates(session, operator(session, tenant).tenant_id)
        out = [
            {
                "phone": d.e164,
                "memberId": render("mem", d.kept.id),
                "duplicates": [
                    {"memberId": render("mem", m.id), "phone": m.phone} for m in d.others
                ],
            }
            for d in found
        ]
        rows = [
            (d.e164, str(render("mem", d.kept.id)), m.phone or "", str(render("mem", m.id)))
            for d in found
            for m in d.others
        ]
    db.dispose()
    if as_json:
        sys.stdout.write(json.dumps(out) + "\n")
        return
    if not out:
        console.print("no duplicate phones")
        return
    print_rows(
        console,
        ("phone (E.164)", "held by", "also written as", "by member"),
        rows,
    )
