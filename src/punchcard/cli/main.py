"""``punchcard``: serve, worker, migrate, tenants, keys, members, verify, backup, demo,
import, export, mcp."""

from __future__ import annotations

from importlib.metadata import version as package_version
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from punchcard.cli.backup import backup
from punchcard.cli.database import migrate as migrate_database
from punchcard.cli.database import open_db, settings, shown
from punchcard.cli.demo import demo
from punchcard.cli.imports import export_command, import_command
from punchcard.cli.keys import keys_app
from punchcard.cli.mcp import mcp
from punchcard.cli.members import members_app
from punchcard.cli.tenants import tenants_app
from punchcard.wiring import wire

app = typer.Typer(
    help="Punchcard: loyalty, referral and advocacy engine.",
    no_args_is_help=True,
    # A traceback must never print local variables: they hold keys and database URLs.
    pretty_exceptions_show_locals=False,
)
app.add_typer(tenants_app, name="tenants")
app.add_typer(keys_app, name="keys")
app.add_typer(members_app, name="members")
app.command()(backup)
app.command()(demo)
app.command("import")(import_command)
app.command("export")(export_command)
app.command()(mcp)
console = Console()


def _version(value: bool) -> None:
    if value:
        print(f"punchcard {package_version('punchcard')}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit"
    ),
) -> None:
    """Punchcard: loyalty, referral and advocacy engine."""
    # Before any command: `import`, `demo` and `serve`'s first start place orders, whose
    # followers (referral pay) must be registered; one call covers the commands to come.
    wire()


@app.command()
def migrate() -> None:
    """Apply database migrations (idempotent)."""
    db = open_db(migrated=False)
    migrate_database(db)
    db.dispose()
    console.print(f"[green]database {shown(db.url)} is up to date[/green]")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to bind"),
    port: int = typer.Option(8000, help="Port to bind"),
    workers: int = typer.Option(1, min=1, help="Server processes"),
    no_worker: bool = typer.Option(
        False, "--no-worker", help="Do not run background jobs in-process"
    ),
) -> None:
    """Run the API server (migrates first; creates a demo tenant on first start)."""
    import os
    import shutil
    import signal

    # Before anything imports prometheus-client (its mode is chosen at import).
    metrics_dir, own_dir = _metrics_dir()
    import uvicorn

    from punchcard.cli.bootstrap import first_start

    config = settings()
    # The file is named in full: a relative path is relative to where serve started.
    print(f"database: {shown(config.database_url)}", flush=True)
    db = open_db(migrated=False)
    migrate_database(db)
    if config.demo_on_first_start:
        first_start(db, console, base_url=f"http://{host}:{port}")
    db.dispose()
    if no_worker:
        os.environ["PUNCHCARD_RUN_WORKER"] = "0"
    # uvicorn ends on SIGTERM by raising it again once shut down: with Python's
    # default handler the process would die there, before the `finally` below.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        uvicorn.run(
            "punchcard.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=config.log_level,
        )
    finally:
        if own_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _metrics_dir() -> tuple[Path, bool]:
    """The directory where every server process writes its metrics (prometheus-client's
    multiprocess mode), emptied at start: the operator's PROMETHEUS_MULTIPROC_DIR, else
    a new temporary one, removed at exit (True: ours to remove)."""
    import os
    import tempfile

    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):  # a previous run's counters
            stale.unlink(missing_ok=True)
        return path, False
    path = Path(tempfile.mkdtemp(prefix="punchcard-metrics-"))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return path, True


@app.command()
def worker() -> None:
    """Deliver webhooks and run scheduled jobs (any number of nodes may run this)."""
    import signal

    from punchcard.app import event_renderers
    from punchcard.worker.runner import Worker

    db = open_db()
    runner = Worker(db, settings(), renderers=event_renderers())

    def _stop(signum: int, _frame: object) -> None:
        console.print("[yellow]worker stopping[/yellow]")
        runner.stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    runner.start()
    console.print(f"worker {runner.deliveries.name} running (Ctrl-C to stop)")
    runner.wait()
    db.dispose()


@app.command()
def verify() -> None:
    """Check every ledger invariant for every member; exit 1 on any violation."""
    from punchcard.ledger.verify import verify_all

    db = open_db()
    with db.transaction(write=False) as session:
        report = verify_all(session)
    db.dispose()
    console.print(f"checked {report.members} members, {report.entries} entries, {report.lots} lots")
    if report.ok:
        console.print("[green]ledger OK[/green]")
        return
    if console.is_terminal:
        table = Table("tenant", "member", "invariant", "expected", "found")
        for v in report.violations:
            table.add_row(v.tenant, v.member, v.invariant, str(v.expected), str(v.found))
        console.print(table)
    else:
        # One line per violation, never truncated, for logs and cron mail.
        for v in report.violations:
            print(
                f"VIOLATION {v.tenant} {v.member}: {v.invariant}: "
                f"expected {v.expected}, found {v.found}"
            )
    console.print(f"[red]{len(report.violations)} violation(s)[/red]")
    raise typer.Exit(1)


if __name__ == "__main__":  # pragma: no cover
    app()
