"""``user.joined`` on the AddGlow face, end to end: the core's ``members.service.join``
writes the event, the webhook worker delivers it to a live HTTP receiver, and the
official ``standardwebhooks`` library verifies the signature. ``data`` is the member
exactly as ``GET /members/{id}`` renders it, with its group ids."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from punchcard.app import event_renderers
from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.members import service as members
from punchcard.models import Member
from punchcard.webhooks.config import DeliveryConfig
from punchcard.worker.delivery import DeliveryWorker
from tests.api.addglow.conftest import native_member, uuid_of
from tests.api.addglow.test_member_groups import BADGE, make_group
from tests.conftest import TestClock
from tests.factories import Api, Tenant
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import create_endpoint


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def worker(
    db: Database, tenant: Tenant, settings: Settings, clock: TestClock
) -> Iterator[DeliveryWorker]:
    """Delivers only this test's tenant, on a clock that moves only when told to."""
    clock.freeze()
    config = DeliveryConfig(retry_schedule=(10.0,), timeout=30.0, allow_private=True, jitter=0.0)
    w = DeliveryWorker(
        db, config, renderers=event_renderers(), settings=settings, tenant_id=tenant.id
    )
    yield w
    w.close()


def _join(t: Tenant, member_id: str) -> bool:
    with t.db.transaction() as s:
        row = s.get(Member, (t.id, uuid.UUID(member_id)))
        assert row is not None
        return members.join(s, row)


def test_user_joined_is_delivered_signed_with_the_member_as_the_api_renders_it(
    tenant: Tenant, api: Api, receiver: Receiver, worker: DeliveryWorker
) -> None:
    hook = create_endpoint(tenant.api, receiver.url(), events=["user.joined"])
    a, b = make_group(api, "A", BADGE)["id"], make_group(api, "B")["id"]
    member_id = uuid_of(native_member(tenant, firstName="Ada")["id"])
    r = api.patch(f"/members/{member_id}", json={"groupIds": [b, a]})
    assert r.status_code == 200, r.text

    assert _join(tenant, member_id) is True
    assert _join(tenant, member_id) is False  # once per member
    assert worker.drain() == 1
    (got,) = receiver.wait_for(1)

    payload = got.verify(hook["secret"])
    assert payload["type"] == "user.joined" and payload["timestamp"].endswith("Z")
    shown = api.get(f"/members/{member_id}").json()["data"]
    assert payload["data"] == shown
    assert payload["data"]["id"] == member_id and payload["data"]["groupIds"] == [a, b]
    assert payload["data"]["joinedAt"] is not None and payload["data"]["firstName"] == "Ada"
    assert len(receiver.received()) == 1
