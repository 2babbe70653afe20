"""The delivery loop: claim due deliveries, send them concurrently, record the outcome.

One thread owns the database: each turn of the loop is ONE short write transaction
that records every attempt finished since the last turn and claims as many due
deliveries as there are free senders. The senders (a thread pool) only speak HTTP, with
no transaction open, so a slow receiver never holds SQLite's write lock or a
PostgreSQL row lock, and one hanging receiver delays only itself. Batching the
bookkeeping keeps the writes per delivery at about one, which matters on SQLite, where
every writer of every process queues for the same lock.

If the process dies between sending and recording, nothing is lost: the claim's lease
runs out and the attempt is made again (with the same ``webhook-id``).
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.events.data import Renderer
from punchcard.mail import service as mail
from punchcard.webhooks import delivery, sender
from punchcard.webhooks.config import DeliveryConfig

log = logging.getLogger("punchcard.worker.delivery")

# How often the loop looks for parked deliveries that missed their hand-over (rare:
# see DeliveryQueue.stranded); at most this long is such a delivery late.
SWEEP_SECONDS = 10.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


@dataclass(frozen=True)
class Finished:
    claim: delivery.Claim
    at: datetime
    result: sender.Result


class DeliveryWorker:
    def __init__(
        self,
        db: Database,
        config: DeliveryConfig,
        *,
        renderers: Mapping[str, Renderer],
        settings: Settings | None = None,
        poll_seconds: float = 0.5,
        tenant_id: uuid.UUID | None = None,
        name: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.config = config
        # Each event type's wire body, by the face that defines it (injected: the
        # worker never imports a face). Types without one are left to other workers.
        self.renderers = dict(renderers)
        # Mail settings for "endpoint disabled" notices; None sends none.
        self.settings = settings
        self.poll_seconds = poll_seconds
        # A worker dedicated to one tenant (and the test suite's way to stay isolated).
        self.tenant_id = tenant_id
        self.name = name or worker_name()
        self.rng = rng
        self.client = sender.new_client(config.timeout)
        self._finished: list[Finished] = []
        self._inflight = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sweep(self) -> int:
        """Release parked deliveries that missed their hand-over; returns how many."""
        with self.db.transaction() as session:
            return delivery.release_stranded(
                session, now=self.db.clock.now(), tenant_id=self.tenant_id
            )

    def send(self, claim: delivery.Claim) -> Finished:
        """Make one attempt (HTTP only; never raises for the receiver's failures)."""
        at = self.db.clock.now()
        result = sender.send(
            self.client, claim.outgoing, at=at, allow_private=self.config.allow_private
        )
        return Finished(claim, at, result)

    def sync(self, finished: list[Finished], limit: int) -> list[delivery.Claim]:
        """One transaction: record ``finished`` attempts, then claim up to ``limit``
        due deliveries. Mail about disabled endpoints goes out after the commit."""
        mails: list[mail.Mail] = []
        with self.db.transaction() as session:
            # In id order, so two workers recording the same deliveries (after a lease
            # ran out) lock them in the same order and cannot deadlock.
            for done in sorted(finished, key=lambda f: f.claim.delivery_id):
                mails += delivery.record(
                    session,
                    done.claim,
                    done.result,
                    at=done.at,
                    now=self.db.clock.now(),
                    config=self.config,
                    worker=self.name,
                    rng=self.rng,
                )
            claims = []
            if limit > 0:
                claims = delivery.claim(
                    session,
                    now=self.db.clock.now(),
                    limit=limit,
                    config=self.config,
                    renderers=self.renderers,
                    tenant_id=self.tenant_id,
                )
        if self.settings is not None:
            for message in mails:
                mail.deliver(self.settings, message)
        return claims

    # Driven by hand (tests, and `drain`) ------------------------------------------

    def run_once(self) -> int:
        """Claim what is due now (up to ``concurrency``), deliver it, return how many."""
        claims = self.sync([], self.config.concurrency)
        if not claims:
            return 0
        with ThreadPoolExecutor(len(claims), thread_name_prefix="webhook") as pool:
            finished = list(pool.map(self.send, claims))
        self.sync(finished, 0)
        return len(claims)

    def drain(self, *, max_rounds: int = 1000) -> int:
        """Deliver until nothing is due (retries due "now" included)."""
        total = 0
        for _ in range(max_rounds):
            done = self.run_once()
            if not done:
                break
            total += done
        return total

    # The background loop ---------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="webhook-worker", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            self._thread = None

    def close(self) -> None:
        self.client.close()

    def _run(self) -> None:
        size = self.config.concurrency
        last_sweep = 0.0
        with ThreadPoolExecutor(size, thread_name_prefix="webhook") as pool:
            while not self._stop.is_set():
                if time.monotonic() - last_sweep >= SWEEP_SECONDS:
                    last_sweep = time.monotonic()
                    try:
                        self.sweep()
                    except Exception:
                        log.exception("could not release stranded webhook deliveries")
                with self._lock:
                    finished, self._finished = self._finished, []
                    free = size - self._inflight
                try:
                    claims = self.sync(finished, free)
                except Exception:
                    log.exception("webhook bookkeeping failed; claims will be retried")
                    claims = []
                for claim in claims:
                    with self._lock:
                        self._inflight += 1
                    pool.submit(self._send_in_pool, claim)
                # A full batch may mean more is due: look again at once. Otherwise wait
                # for the poll interval or a finished attempt, whichever comes first.
                if not claims or len(claims) < free:
                    self._wake.wait(self.poll_seconds)
                    self._wake.clear()
            # Record what finished while stopping, so it is not sent again.
            pool.shutdown(wait=True)
            with self._lock:
                finished, self._finished = self._finished, []
            if finished:
                try:
                    self.sync(finished, 0)
                except Exception:
                    log.exception("could not record the last webhook attempts")

    def _send_in_pool(self, claim: delivery.Claim) -> None:
        try:
            done = self.send(claim)
        except Exception:  # pragma: no cover - send() does not raise; belt and braces
            log.exception("webhook attempt %s crashed", claim.delivery_id)
            done = None
        with self._lock:
            self._inflight -= 1
            if done is not None:
                self._finished.append(done)
        self._wake.set()
