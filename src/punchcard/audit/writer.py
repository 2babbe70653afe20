"""A buffered audit writer.

Each API call appends one record to an in-memory buffer that a background thread
writes in batches (every second, and on shutdown). One fsync per batch instead of
one per request keeps the audit log off the hot path; at most the last second of
records is lost if the process is killed.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from punchcard.db.uow import Database, retry_lost
from punchcard.kit.ids import new_id
from punchcard.models import ApiKey, AuditRecord


@dataclass(frozen=True)
class AuditEntry:
    tenant_id: uuid.UUID
    api_key_id: uuid.UUID | None
    user_id: uuid.UUID | None
    method: str
    path: str
    status: int
    latency_ms: float
    client_ip: str | None
    at: datetime


class AuditWriter:
    def __init__(self, db: Database, *, interval: float = 1.0) -> None:
        self.db = db
        self.interval = interval
        self._buffer: list[AuditEntry] = []
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record(self, entry: AuditEntry) -> None:
        with self._lock:
            self._buffer.append(entry)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.flush()
            except Exception:
                import logging

                logging.getLogger("punchcard.audit").exception("audit flush failed")

    def flush(self) -> int:
        with self._flush_lock:
            with self._lock:
                batch, self._buffer = self._buffer, []
            if not batch:
                return 0
            last_used: dict[uuid.UUID, datetime] = {}
            rows = []
            for e in batch:
                rows.append(
                    {
                        "tenant_id": e.tenant_id,
                        "id": new_id(),
                        "api_key_id": e.api_key_id,
                        "user_id": e.user_id,
                        "method": e.method,
                        "path": e.path[:2000],
                        "status": e.status,
                        "latency_ms": round(e.latency_ms, 3),
                        "client_ip": e.client_ip,
                        "created_at": e.at,
                    }
                )
                if e.api_key_id is not None:
                    last_used[e.api_key_id] = max(e.at, last_used.get(e.api_key_id, e.at))

            def write() -> None:
                with self.db.transaction() as session:
                    # One multi-row INSERT (executemany), not one ORM object per call.
                    session.execute(insert(AuditRecord), rows)
                    for key_id, at in last_used.items():
                        session.execute(
                            update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=at)
                        )

            # A pooled connection found dead (no pre-ping) costs a retry, not the batch.
            retry_lost(write)
            return len(batch)


def write_now(session: Session, entry: AuditEntry) -> None:
    """One record in the caller's transaction, for a change made outside the API (the
    CLI): it commits, or is lost, with the change it records."""
    session.add(
        AuditRecord(
            tenant_id=entry.tenant_id,
            id=new_id(),
            api_key_id=entry.api_key_id,
            user_id=entry.user_id,
            method=entry.method,
            path=entry.path[:2000],
            status=entry.status,
            latency_ms=round(entry.latency_ms, 3),
            client_ip=entry.client_ip,
            created_at=entry.at,
        )
    )
    session.flush()
