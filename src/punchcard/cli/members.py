"""``punchcard members phone-duplicates --tenant PARTNER_ID``: the members whose phones
are one number written differently (kept apart by migration 0016, never merged)."""

from __future__ import annotations

import json
import sys

import typer
from rich.console import Console

from punchcard.cli.database import open_db
from punchcard.cli.keys import TENANT_HELP, operator
from punchcard.cli.output import print_rows
from punchcard.kit.ids import render
from punchcard.members import phones

members_app = typer.Typer(help="Members of a tenant.", no_args_is_help=True)
console = Console()


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
