"""Settings, read from ``PUNCHCARD_*`` environment variables.

With none set, ``punchcard serve`` works: SQLite at ``./var/punchcard.db``, mail as
``.eml`` files in ``./var/mail``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PUNCHCARD_", extra="ignore")

    database_url: str = "sqlite:///./var/punchcard.db"
    # PostgreSQL connections per process: a pool of this many, plus this many more
    # under bursts. Size them so that processes x (pool + overflow) stays under the
    # server's max_connections (100 by default).
    db_pool_size: int = 10
    db_max_overflow: int = 20
    # Shared store of the plan rate limits and the login throttle (every process and
    # node counts in it); unset: each process counts in its own memory.
    redis_url: str | None = None
    # Prefix of the rate-limit counters' keys in Redis (one Redis, several installations).
    rate_limit_prefix: str = "punchcard:ratelimit"
    # Plan rate limits replacing the built-in table (api/common/ratelimit.py), as JSON:
    # {"starter": "30/minute;1000/day", "unlimited": ""}; an empty string: not limited.
    rate_limits: dict[str, str] = {}
    secret_key: str = "dev-insecure-change-me"  # noqa: S105 - dev default, override in production
    mail_dir: Path = Path("./var/mail")
    smtp_url: str | None = None
    mail_from: str = "Punchcard <no-reply@punchcard.local>"
    public_url: str = "http://127.0.0.1:8000"
    webhooks_allow_private: bool = False
    webhook_retry_schedule: str = "5,300,1800,7200,18000,36000,50400,72000,86400"
    # Per-operation HTTP timeout of one webhook attempt (connect, write, read).
    webhook_timeout_seconds: float = 15.0
    # How long a claimed delivery stays reserved for the worker that claimed it; if that
    # worker dies the attempt is retried once the lease runs out. None: 4 x timeout + 30 s.
    webhook_lease_seconds: float | None = None
    # Deliveries one worker sends at the same time (so a slow receiver cannot stall others).
    webhook_concurrency: int = 8
    # Run the webhook worker and scheduled jobs inside `punchcard serve`
    # (`--no-worker` sets PUNCHCARD_RUN_WORKER=0; tests build apps with it off).
    run_worker: bool = True
    # How often an idle worker looks for due deliveries and jobs.
    worker_poll_seconds: float = 0.5
    # SQLite durability: FULL fsyncs the WAL on every commit, so an acknowledged
    # award survives a power loss. NORMAL is faster and only risks the last commits.
    sqlite_synchronous: str = "FULL"
    # SQLite group commit (db/group.py): the write requests of a process share one
    # transaction, each in its own savepoint, and one fsync; each is answered only
    # after that COMMIT. A batch commits when nobody is queued behind it, or at this
    # many requests, or this old. Off: one transaction and one fsync per request.
    group_commit: bool = True
    group_commit_max_size: int = 64
    group_commit_max_wait_ms: float = 20.0
    # SQLite reads (GET) run on the event loop rather than in a worker thread: a WAL
    # read never waits for a lock, and at 32 clients the thread hand-offs cost more
    # than the reads (docs/benchmarks.md). A long read holds up the loop meanwhile.
    sqlite_inline_reads: bool = True
    # PostgreSQL: a hot read that is one prepared statement (GET /api/v2/members/{id})
    # runs on the event loop, on a small pool of psycopg async connections per event
    # loop (db/aio.py), instead of a thread hand-off (docs/benchmarks.md). Off: the
    # thread and the engine's pool, as every other request.
    pg_loop_reads: bool = True
    # Connections in each event loop's pool (one loop per server process).
    pg_loop_pool_size: int = 4
    # Idempotency keys are kept this long (SPEC section 2: 24 h).
    idempotency_ttl_seconds: int = 86_400
    # An in-flight idempotency record older than this is treated as abandoned (its
    # process died) and may be taken over by a retry.
    idempotency_stale_seconds: int = 120
    session_ttl_seconds: int = 30 * 86_400
    # A request body over this many bytes is refused with 413 before it is read whole
    # (api/common/guards.py ``BodyLimit``); the batch and bulk endpoints may take up to
    # ``max_bulk_body_bytes``.
    max_body_bytes: int = 1_048_576
    max_bulk_body_bytes: int = 10_485_760
    # An API key's principal is cached per process this long (identity/cache.py): a
    # key revoked on another node stops working within it. 0 looks every call up.
    api_key_cache_seconds: float = 1.0
    # First start of `serve` creates a demo tenant when the database has none.
    demo_on_first_start: bool = True
    log_level: str = "info"
    # Prometheus metrics at /metrics (api/common/metrics.py) are served to loopback
    # clients only, unless opened to every client here, or a bearer token is set (then
    # every scrape must present it, loopback included).
    metrics_public: bool = False
    metrics_token: str | None = None
    # Outbox events and finished webhook deliveries (with their attempts) older than
    # this are deleted by the worker's `events.prune` job; a pending delivery never is.
    retention_days: int = Field(default=30, ge=1)


@lru_cache
def get_settings() -> Settings:
    return Settings()
