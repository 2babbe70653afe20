"""``audit.log``: a tenant's audit records newest first, filtered by user, key and
path prefix (a ``%`` or ``_`` in the prefix is literal), paged, and its callers' names
— never another tenant's."""

from __future__ import annotations

from datetime import timedelta

from punchcard.audit import log
from punchcard.kit.ids import new_id
from punchcard.kit.paging import Page
from punchcard.models import AuditRecord
from tests.factories import Tenant


def _records(t: Tenant, rows: list[tuple[str, object, object]]) -> None:
    at = t.db.clock.now()
    with t.db.transaction() as s:
        for i, (path, user_id, key_id) in enumerate(rows):
            s.add(
                AuditRecord(
                    tenant_id=t.id, id=new_id(), api_key_id=key_id, user_id=user_id,
                    method="GET", path=path, status=200, latency_ms=1.0, client_ip="10.0.0.1",
                    created_at=at + timedelta(seconds=i),
                )
            )  # fmt: skip


def test_records_filter_page_and_name_their_callers(tenant: Tenant, other_tenant: Tenant) -> None:
    with tenant.db.transaction() as s:
        callers = log.callers(s, tenant.id)
    (user_id,) = callers.users
    assert callers.users[user_id] == tenant.owner_email
    key_id = next(iter(callers.keys))
    _records(
        tenant,
        [
            ("/api/v2/members", None, key_id),
            ("/api/v2/orders", None, key_id),
            ("/dashboard/keys", user_id, None),
            ("/api/v2/a%b_c", None, key_id),
            ("/api/v2/aXbYc", None, key_id),
        ],
    )
    _records(other_tenant, [("/api/v2/members", None, None)])
    with tenant.db.transaction() as s:
        rows, total = log.records(s, tenant.id, page=Page(limit=2))
        assert total == 5 and [r.path for r in rows] == ["/api/v2/aXbYc", "/api/v2/a%b_c"]
        rows, _ = log.records(s, tenant.id, page=Page(limit=2, offset=4))
        assert [r.path for r in rows] == ["/api/v2/members"]
        by_user = log.Filters(user_id=user_id)
        assert [r.path for r in log.records(s, tenant.id, page=Page(), filters=by_user)[0]] == [
            "/dashboard/keys"
        ]
        by_key = log.Filters(api_key_id=key_id, path_prefix="/api/v2/o")
        assert log.records(s, tenant.id, page=Page(), filters=by_key)[1] == 1
        literal = log.Filters(path_prefix="/api/v2/a%b_")
        assert [r.path for r in log.records(s, tenant.id, page=Page(), filters=literal)[0]] == [
            "/api/v2/a%b_c"
        ]
        assert log.callers(s, other_tenant.id).users.keys().isdisjoint(callers.users)
