"""Webhook fixtures: a live receiver and a worker bound to the test's tenant."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.webhooks.config import DeliveryConfig
from punchcard.worker.delivery import DeliveryWorker
from tests.factories import Tenant
from tests.webhooks.receiver import Receiver

# Short waits so retries are reached by moving the clock a little, never by sleeping.
SCHEDULE = (10.0, 20.0, 30.0)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def config() -> DeliveryConfig:
    return DeliveryConfig(retry_schedule=SCHEDULE, timeout=2.0, allow_private=True, jitter=0.0)


@pytest.fixture
def worker(
    db: Database, tenant: Tenant, config: DeliveryConfig, settings: Settings
) -> Iterator[DeliveryWorker]:
    """Delivers only this test's tenant, so parallel tests never take each other's work."""
    w = DeliveryWorker(db, config, settings=settings, tenant_id=tenant.id)
    yield w
    w.close()
