"""``punchcard import`` and ``punchcard export``: a tenant's members, orders, products and
opening balances in from a file, its members, ledger and orders out to one. The work is
``punchcard.imports``'; here the options, the progress bar and the summary."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from punchcard.cli.database import fail, open_db
from punchcard.cli.keys import TENANT_HELP, operator
from punchcard.imports import apply, export, formats

console = Console(stderr=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]} rows, {task.fields[rate]} rows/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        # Not a terminal (a pipe, a log, a test): drawn once at the end, not refreshed.
        auto_refresh=console.is_terminal,
    )


def import_command(
    kind: str = typer.Argument(..., help="members, orders, products or balances"),
    file: Path = typer.Argument(..., help="The file to import (CSV or JSONL)"),
    tenant: str = typer.Option(..., "--tenant", help=TENANT_HELP),
    fmt: str | None = typer.Option(
        None,
        "--format",
        help="csv, jsonl, shopify, shopsocially, smile or yotpo (default: by the extension)",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would change; write nothing"),
    emit_events: bool = typer.Option(
        False, "--emit-events", help="Emit the events (and webhooks) the changes would"
    ),
    rejects: Path | None = typer.Option(
        None, "--rejects", help="Where rejected rows go (default: FILE.rejected.jsonl)"
    ),
    chunk: int = typer.Option(apply.CHUNK, "--chunk", min=1, max=500, help="Rows per batch"),
) -> None:
    """Import a file (streamed, resumable: rows imported before are skipped)."""
    if not file.is_file():
        raise fail(f"{file}: no such file")
    fmt = fmt or formats.guess_format(file)
    try:
        reader = formats.Reader(file, kind, fmt)
    except formats.UnsupportedFormat as exc:
        raise fail(str(exc)) from None
    side = rejects or file.with_name(file.name + ".rejected.jsonl")
    platform = fmt if fmt not in ("csv", "jsonl") else "import"
    db = open_db()
    try:
        with db.transaction(write=False) as session:
            tenant_id = operator(session, tenant).tenant_id
        started = time.monotonic()
        with side.open("w", encoding="utf-8") as out, _progress() as bar:
            task = bar.add_task(
                f"{'dry run: ' if dry_run else ''}{kind}", total=reader.size, rows=0, rate=0
            )

            def rejected(r: apply.Rejected) -> None:
                out.write(
                    json.dumps({"line": r.line, "reason": r.reason, "row": r.raw}, default=str)
                    + "\n"
                )

            def progress(summary: apply.Summary, read: int) -> None:
                elapsed = max(time.monotonic() - started, 1e-9)
                bar.update(
                    task, completed=read, rows=summary.rows, rate=int(summary.rows / elapsed)
                )

            try:
                summary = apply.run(
                    db,
                    tenant_id,
                    reader,
                    platform=platform,
                    dry_run=dry_run,
                    emit_events=emit_events,
                    on_rejected=rejected,
                    on_progress=progress,
                    chunk_size=chunk,
                )
            except formats.UnreadableFile as exc:
                raise fail(
                    f"{file}: {exc}; the import stopped there (the rows before it were "
                    "imported: fix the file and run the import again to resume)"
                ) from None
            bar.update(task, completed=reader.size)
        elapsed = max(time.monotonic() - started, 1e-9)
    finally:
        db.dispose()
    if not summary.rejected:
        side.unlink(missing_ok=True)
    verb = "would be" if dry_run else "were"
    lines = [
        f"{summary.rows} rows read in {elapsed:.1f}s ({summary.rows / elapsed:.0f} rows/s)",
        f"  created: {summary.created} {verb} created",
        f"  updated: {summary.updated} {verb} updated",
        f"  skipped: {summary.skipped} (imported before)",
        f"  rejected: {summary.rejected}" + (f" (reasons in {side})" if summary.rejected else ""),
    ]
    if kind == "balances":
        lines.append(f"  points: {summary.points} {verb} written as opening balances")
    if dry_run:
        lines.append("dry run: nothing was written")
    print("\n".join(lines))


def export_command(
    kind: str = typer.Argument(..., help="members, ledger or orders"),
    file: Path = typer.Argument(..., help="The file to write (.csv or .jsonl)"),
    tenant: str = typer.Option(..., "--tenant", help=TENANT_HELP),
    fmt: str | None = typer.Option(
        None, "--format", help="csv or jsonl (default: by the extension)"
    ),
) -> None:
    """Export a tenant's members, ledger or orders (streamed)."""
    if kind not in export.EXPORT_KINDS:
        raise fail(f"unknown kind {kind!r}: one of {', '.join(export.EXPORT_KINDS)}")
    fmt = fmt or formats.guess_format(file)
    if fmt not in ("csv", "jsonl"):
        raise fail(f"--format must be csv or jsonl, not {fmt!r}")
    db = open_db()
    written = 0
    try:
        with db.transaction(write=False) as session:
            tenant_id = operator(session, tenant).tenant_id
            total = export.count(session, tenant_id, kind)
            with file.open("w", encoding="utf-8", newline="") as out, _progress() as bar:
                task = bar.add_task(f"export {kind}", total=total or 1, rows=0, rate=0)
                writer = export.Writer(out, fmt, export.columns(kind))
                started = time.monotonic()
                for row in export.rows(session, tenant_id, kind):
                    writer.write(row)
                    written += 1
                    if written % export.STREAM == 0:
                        rate = int(written / max(time.monotonic() - started, 1e-9))
                        bar.update(task, completed=written, rows=written, rate=rate)
                bar.update(task, completed=total or 1, rows=written)
    finally:
        db.dispose()
    sys.stdout.write(f"{written} {kind} rows written to {file}\n")
