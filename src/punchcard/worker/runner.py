"""The worker as a whole: the delivery loop and the job runner, started and stopped
together by ``punchcard serve`` (in-process) or ``punchcard worker``."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping

from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.events.data import Renderer
from punchcard.webhooks.config import DeliveryConfig
from punchcard.wiring import wire
from punchcard.worker.delivery import DeliveryWorker
from punchcard.worker.jobs import JobRegistry, JobRunner, default_registry

log = logging.getLogger("punchcard.worker")


class Worker:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        renderers: Mapping[str, Renderer],
        registry: JobRegistry | None = None,
    ) -> None:
        wire()  # a job that places or refunds an order owes the followers theirs
        self.deliveries = DeliveryWorker(
            db,
            DeliveryConfig.from_settings(settings),
            renderers=renderers,
            settings=settings,
            poll_seconds=settings.worker_poll_seconds,
        )
        self.jobs = JobRunner(db, registry if registry is not None else default_registry(settings))
        self._stopped = threading.Event()

    def start(self) -> None:
        log.info("worker %s started", self.deliveries.name)
        self.deliveries.start()
        self.jobs.start()

    def stop(self) -> None:
        self.deliveries.stop()
        self.jobs.stop()
        self.deliveries.close()
        self._stopped.set()

    def wait(self) -> None:
        """Block until ``stop`` (from a signal handler or another thread)."""
        while not self._stopped.wait(1.0):
            pass
