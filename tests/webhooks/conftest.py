"""Webhook fixtures: a live receiver and a worker bound to the test's tenant."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from punchcard.app import event_renderers
from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.webhooks.config import DeliveryConfig
from punchcard.worker.delivery import DeliveryWorker
from tests.conftest import TestClock
from tests.factories import Tenant
from tests.webhooks.receiver import Receiver

# Short waits so retries are reached by moving the clock a little, never by sleeping.
SCHEDULE = (10.0, 20.0, 30.0)


@pytest.fixture(autouse=True)
def _still_clock(clock: TestClock) -> None:
    """Webhook tests run on a clock that moves only when the test moves it.

    The worker compares times read at different moments: a delivery released when the
    one ahead of it finishes is due at that moment, and the next claim must see it due;
    a retry is due a schedule step after the failure, and the test moves the clock past
    it. On the live clock (real time plus an offset) both hold only as far as wall time
    behaves between the reads. Frozen, every claim sees exactly what the test set up,
    however slow or busy the machine is.
    """
    clock.freeze()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def config() -> DeliveryConfig:
    """The receivers answer at once, but on a loaded machine "at once" can take seconds,
    and an answer that misses the timeout is a failed attempt that the receiver did get
    (so a duplicate, and the resource's later events held back). The timeout is only a
    bound on a broken test; tests of timeouts make a worker with a short one."""
    return DeliveryConfig(retry_schedule=SCHEDULE, timeout=30.0, allow_private=True, jitter=0.0)


@pytest.fixture
def worker(
    db: Database, tenant: Tenant, config: DeliveryConfig, settings: Settings
) -> Iterator[DeliveryWorker]:
    """Delivers only this test's tenant, so parallel tests never take each other's work."""
    w = DeliveryWorker(
        db, config, renderers=event_renderers(), settings=settings, tenant_id=tenant.id
    )
    yield w
    w.close()
