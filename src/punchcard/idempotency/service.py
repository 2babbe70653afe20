"""Idempotency keys: claim, complete, release, replay.

The claim is its own short committed transaction, so a second request with the same
key sees it at once (409 while in flight). The result is stored in the *same*
transaction as the change, so a replay can never describe a change that was lost.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from punchcard.db.dialect import for_update
from punchcard.db.uow import Database, now, retry_lost
from punchcard.errors import IdempotencyKeyInFlight, IdempotencyKeyReused, ValidationFailed
from punchcard.kit.crypto import ENDPOINT_DIGITS
from punchcard.models import IdempotencyRecord

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes
    media_type: str | None


@dataclass(frozen=True)
class Claim:
    tenant_id: uuid.UUID
    key: str


def claim(
    db: Database,
    tenant_id: uuid.UUID,
    key: str,
    fingerprint: str,
    *,
    ttl_seconds: int,
    stale_seconds: int,
) -> Claim | StoredResponse:
    """Claim ``key`` for this request in a short transaction of its own, committed at
    once so that a concurrent request with the same key sees it (409 while in
    flight); or return the stored response to replay."""
    _check(key)

    def run() -> Claim | StoredResponse:
        with db.transaction() as session:
            return claim_in(
                session,
                tenant_id,
                key,
                fingerprint,
                ttl_seconds=ttl_seconds,
                stale_seconds=stale_seconds,
            )

    # Its own transaction, the request's first statement on PostgreSQL: a pooled
    # connection found dead here is replaced and the claim made again.
    return retry_lost(run)


def _check(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(
            f"Idempotency-Key must be 1..{MAX_KEY_LENGTH} characters", field="Idempotency-Key"
        )


def claim_in(
    session: Session,
    tenant_id: uuid.UUID,
    key: str,
    fingerprint: str,
    *,
    ttl_seconds: int,
    stale_seconds: int,
) -> Claim | StoredResponse:
    """Claim ``key`` inside ``session``'s transaction. Used directly by a grouped
    SQLite write, whose requests run one after another in one transaction (each
    sees the last one's claim and stored response), and whose claim rolls back with
    its savepoint if the request fails."""
    _check(key)
    at = now(session)
    stmt = select(IdempotencyRecord).where(
        IdempotencyRecord.tenant_id == tenant_id, IdempotencyRecord.key == key
    )
    record = session.scalars(for_update(session, stmt)).first()
    if record is not None and record.expires_at <= at:
        session.delete(record)
        session.flush()
        record = None
    if record is None:
        try:
            with session.begin_nested():
                session.add(
                    IdempotencyRecord(
                        tenant_id=tenant_id,
                        key=key,
                        fingerprint=fingerprint,
                        state="in_flight",
                        created_at=at,
                        locked_at=at,
                        expires_at=at + timedelta(seconds=ttl_seconds),
                    )
                )
        except IntegrityError:
            # Another process claimed it between our read and insert.
            raise IdempotencyKeyInFlight() from None
        return Claim(tenant_id, key)
    if record.fingerprint != fingerprint:
        if record.fingerprint[:ENDPOINT_DIGITS] != fingerprint[:ENDPOINT_DIGITS]:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was used with a different request (another endpoint)"
            )
        raise IdempotencyKeyReused()
    if record.state == "done" and record.response_status is not None:
        return StoredResponse(
            record.response_status, record.response_body or b"", record.response_type
        )
    if record.locked_at > at - timedelta(seconds=stale_seconds):
        raise IdempotencyKeyInFlight()
    # The first attempt's process died mid-request: its change never committed
    # (the result is stored in the same transaction), so this retry may run it.
    record.locked_at = at
    return Claim(tenant_id, key)


def complete(session: Session, claim_: Claim, response: StoredResponse) -> None:
    """Store the response in the request's own transaction."""
    record = session.get(IdempotencyRecord, (claim_.tenant_id, claim_.key))
    if record is None:  # pragma: no cover - the claim was committed before the request ran
        return
    record.state = "done"
    record.response_status = response.status
    record.response_body = response.body
    record.response_type = response.media_type
    session.flush()


def release(db: Database, claim_: Claim) -> None:
    """Forget a claim whose request failed, so a retry can run it afresh."""
    with db.transaction() as session:
        session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.tenant_id == claim_.tenant_id,
                IdempotencyRecord.key == claim_.key,
                IdempotencyRecord.state == "in_flight",
            )
        )


def purge_expired(session: Session) -> int:
    result = session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= now(session))
    )
    return int(getattr(result, "rowcount", 0) or 0)
