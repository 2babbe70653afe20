"""``punchcard``: serve, worker, migrate, tenants, verify."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from punchcard.config import get_settings
from punchcard.db.uow import Database

app = typer.Typer(help="Punchcard: loyalty, referral and advocacy engine.", no_args_is_help=True)
tenants_app = typer.Typer(help="Manage tenants.", no_args_is_help=True)
app.add_typer(tenants_app, name="tenants")
console = Console()


def _db() -> Database:
    settings = get_settings()
    return Database(settings.database_url, settings=settings)


@app.command()
def migrate() -> None:
    """Apply database migrations (idempotent)."""
    from punchcard.db.migrate import upgrade

    db = _db()
    upgrade(db.engine)
    db.dispose()
    console.print("[green]database is up to date[/green]")


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
    from punchcard.db.migrate import upgrade

    settings = get_settings()
    db = _db()
    upgrade(db.engine)
    if settings.demo_on_first_start:
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
            log_level=settings.log_level,
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

    settings = get_settings()
    db = _db()
    runner = Worker(db, settings, renderers=event_renderers())

    def _stop(signum: int, _frame: object) -> None:
        console.print("[yellow]worker stopping[/yellow]")
        runner.stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    runner.start()
    console.print(f"worker {runner.deliveries.name} running (Ctrl-C to stop)")
    runner.wait()
    db.dispose()


@tenants_app.command("create")
def tenants_create(
    name: str = typer.Option(..., help="Tenant (merchant) name"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """Create a tenant and an all-scopes API key (shown once)."""
    from punchcard.identity.keys import create_key
    from punchcard.tenants.service import create_tenant

    db = _db()
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


@app.command()
def verify() -> None:
    """Check every ledger invariant for every member; exit 1 on any violation."""
    from punchcard.ledger.verify import verify_all

    db = _db()
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
