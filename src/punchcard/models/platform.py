"""Cross-cutting tables: idempotency records, the audit log, and the event outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from punchcard.models.base import Base, TenantOwned


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    # in_flight | done
    state: Mapped[str] = mapped_column(String(16))
    response_status: Mapped[int | None]
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    response_type: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    locked_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class AuditRecord(TenantOwned, Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_key", "tenant_id", "api_key_id", "created_at"),
        Index("ix_audit_log_time", "tenant_id", "created_at"),
    )

    api_key_id: Mapped[uuid.UUID | None]
    user_id: Mapped[uuid.UUID | None]
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(Text)
    status: Mapped[int]
    latency_ms: Mapped[float]
    client_ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class OutboxEvent(TenantOwned, Base):
    """An event written in the same transaction as the change it describes."""

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_time", "tenant_id", "created_at"),)

    type: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
