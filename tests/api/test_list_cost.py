"""A page of 100 costs the same number of SQL statements as a page of 10, on every list
route of every mounted face.

The routes are found, not listed: every ``<prefix>/openapi.json`` the app serves is a
face, and every GET operation in it with a page-size parameter (``PAGE_SIZE_PARAMS``)
is a list. So a face mounted later is walked without a line here, provided its path
parameters are among the seeded ids (``tests/reliability/seed.py``) and its required
query parameters among ``REQUIRED``. The tenant holds at least 100 of everything a
route lists, and one member holds over 100 ledger entries of every kind.

The statements are counted on the app's engine (``before_cursor_execute``) during one
request at ``limit`` 10 and one at 100, after a warm-up request (which fills the
credential cache). A per-row query would add about 90.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from punchcard.app import create_app
from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.identity import cache as key_cache
from punchcard.kit.ids import new_id, parse
from punchcard.models import AuditRecord
from tests.factories import Tenant, make_tenant, unique
from tests.reliability.seed import Seeded, fill_path, loyalty_headers, seed

# The names a face gives its page size (native ``limit``, ShopSocially ``count``).
PAGE_SIZE_PARAMS = ("limit", "count", "page_size", "per_page", "pageSize", "perPage")
# Values for required query parameters, by name (a window covering every seeded row).
REQUIRED = {"from_date": "01/01/2000", "to_date": "12/31/2099"}
SMALL, LARGE = 10, 100
# Statements a bigger page may add whatever its size (e.g. a second batch of lots).
SLACK = 3
MANY = 100


@dataclass(frozen=True)
class ListRoute:
    prefix: str
    path: str
    page_size: str
    required: tuple[str, ...]
    scope: str | None

    @property
    def label(self) -> str:
        return f"GET {self.path}"


def _faces(app: Any) -> dict[str, dict[str, Any]]:
    """Each face's prefix and OpenAPI document, as the app serves them."""
    suffix = "/openapi.json"
    client = TestClient(app)
    docs = {}
    for route in app.routes:
        path = getattr(route, "path", "")
        if path.endswith(suffix):
            r = client.get(path)
            assert r.status_code == 200, r.text
            docs[path.removesuffix(suffix)] = r.json()
    return docs


def list_routes() -> list[ListRoute]:
    tmp = tempfile.mkdtemp(prefix="punchcard-openapi-")
    app = create_app(Settings(database_url=f"sqlite:///{tmp}/unused.db", run_worker=False))
    found = []
    for prefix, doc in _faces(app).items():
        for path, ops in doc["paths"].items():
            op = ops.get("get")
            if op is None:
                continue
            query = [p for p in op.get("parameters", []) if p["in"] == "query"]
            sizes = [p["name"] for p in query if p["name"] in PAGE_SIZE_PARAMS]
            if sizes:
                required = tuple(p["name"] for p in query if p.get("required"))
                # Paths in the document may or may not carry the prefix.
                full = path if path.startswith(prefix + "/") else prefix + path
                scope = op.get("x-required-scope")
                found.append(ListRoute(prefix, full, sizes[0], required, scope))
    return found


ROUTES = list_routes()


def test_every_face_has_list_routes_to_walk() -> None:
    assert {r.prefix for r in ROUTES} >= {"/api/v2", "/v2/loyalty"}


# --- seeding ------------------------------------------------------------------------


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def _many_members(t: Tenant, seeded: Seeded) -> None:
    """100 members, each tagged, each with a referral code, an enrolment capture and an
    order (so points and a last award), so every part of a profile has something to load."""
    rows = [
        {"email": f"{unique('l')}@example.com", "externalId": unique("x"), "firstName": "L"}
        for _ in range(MANY)
    ]
    created = _ok(t.api.post("/members/batch", json={"members": rows}))["results"]
    ids = [r["id"] for r in created]
    # Every member in two groups (the AddGlow face lists members with their group ids).
    groups = [
        _ok(t.api.post("/member-groups", json={"name": unique("g")}), 201)["id"] for _ in range(2)
    ]
    _ok(t.api.post(f"/members/{seeded.member}/tags", json={"tags": [f"t{i}" for i in range(MANY)]}))
    for i, member in enumerate(ids):
        _ok(t.api.post(f"/members/{member}/tags", json={"tags": [f"t{i}", "vip"]}))
        _ok(t.api.put(f"/members/{member}/groups", json={"groupIds": groups}))
        order = {"externalOrderId": unique("MO"), "memberId": member, "total": "10.00"}
        _ok(t.api.post("/orders", json=order), 201)
        # An SSO mapping each (advocate face: GET /api/v1/sso/mappings).
        mapping = {"advocateId": member, "externalCustomerId": unique("sso")}
        _ok(t.client.post("/api/v1/sso/mappings", json=mapping, headers=t.api.headers), 201)


def _long_history(t: Tenant, seeded: Seeded, clock: Any) -> None:
    """Over 100 entries on the seeded member: awards (some expired, some spent),
    orders and their refunds, redeems, deductions, pending awards and coupons."""
    member = seeded.member
    api = t.api
    clock.freeze(clock.now() - timedelta(days=30))
    for _ in range(10):
        _ok(api.post(f"/members/{member}/points", json={"amount": 7, "expiresAt": _iso(clock, 1)}))
    clock.advance(days=2)  # those lapse; the next write expires them
    key = unique("manual").replace("-", "_")
    _ok(
        api.post("/activities", json={"name": key, "key": key, "points": 3, "approval": "manual"}),
        201,
    )
    for _ in range(MANY):
        _ok(api.post(f"/members/{member}/points", json={"amount": 5}))
        clock.advance(seconds=1)
    for i in range(MANY):
        ext = unique("LO")
        _ok(
            api.post(
                "/orders", json={"externalOrderId": ext, "memberId": member, "total": "20.00"}
            ),
            201,
        )
        if i % 5 == 0:
            _ok(api.post(f"/orders/{ext}/refund", json={"amount": "5"}))
    for _ in range(20):
        _ok(api.post(f"/members/{member}/points", json={"amount": -3}))
        _ok(api.post(f"/activities/{key}/award", json={"memberId": member}), 201)
    pool = seeded.values["pool"]
    _ok(api.post("/coupons/issue", json={"poolId": pool, "memberId": member, "quantity": 40}), 201)
    clock.reset()


def _iso(clock: Any, days: int) -> str:
    return (clock.now() + timedelta(days=days)).isoformat().replace("+00:00", "Z")


def _many_of_everything(t: Tenant, seeded: Seeded) -> None:
    api = t.api
    for i in range(MANY):
        _ok(api.post("/stores", json={"code": unique("S"), "name": f"Store {i}"}), 201)
        _ok(api.post("/activities", json={"name": unique("a"), "points": 1}), 201)
        _ok(api.post("/tiers", json={"name": unique("T"), "minPoints": 1000 + i}), 201)
        reward = {"name": unique("r"), "pointsCost": 5, "tierIds": [seeded.values["tier"]]}
        _ok(api.post("/rewards", json=reward | {"codes": [unique("C"), unique("C")]}), 201)
        _ok(
            api.post(
                "/coupons/pools",
                json={"name": unique("p"), "discountType": "amount", "discountValue": "1.00"},
            ),
            201,
        )
        testimonial = {"memberId": seeded.member, "content": f"Nice {i}", "rating": 1 + i % 5}
        _ok(api.post("/testimonials", json=testimonial), 201)
        _ok(api.post("/feedback/boards", json={"name": unique("b")}), 201)
        _ok(api.post("/member-groups", json={"name": unique("g"), "brandMemberBadge": {}}), 201)
        idea = {"title": f"Idea {i}", "memberId": seeded.member}
        _ok(api.post(f"/feedback/boards/{seeded.values['board']}/ideas", json=idea), 201)
        tasks = [{"title": f"Task {j}", "points": j} for j in range(3)]
        _ok(api.post("/quests", json={"title": f"Quest {i}", "tasks": tasks}), 201)
        _ok(api.post("/rooms", json={"name": unique("room")}), 201)
        post = {"roomId": seeded.values["room"], "memberId": seeded.member, "content": f"P{i}"}
        _ok(api.post("/posts", json=post), 201)
        reply = {"memberId": seeded.member, "content": f"C{i}"}
        _ok(api.post(f"/posts/{seeded.values['post']}/comments", json=reply), 201)
        hook = {"url": f"http://127.0.0.1:9/h{i}", "events": ["member.created"]}
        _ok(api.post("/webhooks", json=hook), 201)
        _ok(t.owner.post("/api-keys", json={"name": unique("k"), "preset": "read"}), 201)
    products = [
        {
            "externalId": unique("p"),
            "title": f"Product {i}",
            "brand": f"Brand {i}",
            "category": f"Category {i}",
            "variants": [{"externalId": unique("v"), "price": "9.00"}],
        }
        for i in range(MANY)
    ]
    _ok(api.post("/catalog/import", json={"format": "generic", "products": products}))
    # A key's call log: written by the audit writer in the background, so written here.
    key_id = parse("key", seeded.values["api_key"])
    with t.db.transaction() as s:
        at = t.db.clock.now()
        for i in range(MANY):
            s.add(
                AuditRecord(
                    tenant_id=t.id,
                    id=new_id(),
                    api_key_id=key_id,
                    user_id=None,
                    method="GET",
                    path=f"/api/v2/members?{i}",
                    status=200,
                    latency_ms=1.0,
                    client_ip=None,
                    created_at=at,
                )
            )


def seed_lists(db: Database, client: TestClient, clock: Any) -> Seeded:
    """A tenant with at least 100 of everything a list route shows (also used by
    ``bench/lists.py``)."""
    t = make_tenant(db, client, name="Lists Co")
    seeded = seed(t)
    _long_history(t, seeded, clock)
    _many_members(t, seeded)
    _many_of_everything(t, seeded)
    return seeded


@pytest.fixture(scope="module")
def listed(db: Database, client: TestClient, clock: Any) -> Seeded:
    return seed_lists(db, client, clock)


# --- counting -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def steady_keys() -> Iterator[None]:
    """API keys stay cached for the module: a key looked up again because its 1 s
    cache entry lapsed between two requests is not the list's cost."""
    ttl, key_cache.api_keys.ttl = key_cache.api_keys.ttl, 3600.0
    yield
    key_cache.api_keys.ttl = ttl


@pytest.fixture(scope="module")
def statements(db: Database, steady_keys: None) -> Iterator[list[str]]:
    """SQL statements run on the app's engine by request threads (the audit writer's
    background flushes are not the request's)."""
    seen: list[str] = []

    def count(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        if threading.current_thread().name != "audit-writer":
            seen.append(sql)

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


def _largest_list(body: Any) -> int:
    """Items in the longest JSON array of a response: the page's rows."""
    if isinstance(body, list):
        return max([len(body), *(_largest_list(v) for v in body)])
    if isinstance(body, dict):
        return max([0, *(_largest_list(v) for v in body.values())])
    return 0


def _member_token(seeded: Seeded) -> str:
    """An SSO session of the seeded member (opened once, through the core)."""
    if "member_token" not in seeded.values:
        from punchcard.identity.member_sessions import open_session
        from punchcard.identity.principal import Principal
        from punchcard.kit.ids import parse
        from punchcard.members import service as members

        t = seeded.tenant
        member_id = parse("mem", seeded.member)
        assert member_id is not None
        with t.db.transaction() as s:
            row = members.get(s, Principal(t.id, frozenset()), member_id=member_id)
            opened = open_session(s, row, kind="sso", ttl_seconds=86_400)
            seeded.values["member_token"] = opened.token
    return seeded.values["member_token"]


def request(seeded: Seeded, route: ListRoute, size: int) -> tuple[str, dict[str, Any], Any]:
    """(path, query, headers) of a request for a page of ``size``."""
    t = seeded.tenant
    path = fill_path(route.path, seeded.path_ids())
    query: dict[str, Any] = {name: REQUIRED[name] for name in route.required}
    query[route.page_size] = size
    if route.scope == "member-session":  # /me/...: the seeded member's own session
        return path, query, {"Authorization": f"Bearer {_member_token(seeded)}"}
    # Routes for users (``session``) take the owner's token; the rest the all-scopes key.
    api = t.owner if route.scope in ("session", "admin-session") else t.api
    return path, query, api.headers | loyalty_headers(t)


def _get(seeded: Seeded, route: ListRoute, size: int, seen: list[str]) -> tuple[int, int]:
    """(statements, rows) of a request for a page of ``size``: the fewer of two, so that
    a once-a-while refresh (a cached row, a credential) is not counted as the page's."""
    path, query, headers = request(seeded, route, size)
    counts = []
    for _ in range(2):
        seen.clear()
        r = seeded.tenant.client.get(path, params=query, headers=headers)
        counts.append(len(seen))
        assert r.status_code == 200, f"{route.label}: {r.status_code} {r.text[:300]}"
    return min(counts), _largest_list(r.json())


@pytest.mark.parametrize("route", ROUTES, ids=[r.label for r in ROUTES])
def test_a_page_of_100_costs_no_more_statements_than_a_page_of_10(
    listed: Seeded, statements: list[str], route: ListRoute
) -> None:
    _get(listed, route, SMALL, statements)  # warm-up: credential cache, pinned rows
    small, _ = _get(listed, route, SMALL, statements)
    large, rows = _get(listed, route, LARGE, statements)
    assert rows > SMALL, f"{route.label}: seed more than {SMALL} of what it lists ({rows})"
    assert large <= small + SLACK, (
        f"{route.label}: {small} statements for a page of {SMALL}, {large} for {LARGE}"
    )


# --- a page of fixed size -----------------------------------------------------------


def _transactions_statements(t: Tenant, seen: list[str], rows: int) -> int:
    query = {"from_date": "01/01/2000", "to_date": "12/31/2099"}
    t.client.get("/v2/loyalty/transactions", params=query, headers=loyalty_headers(t))
    seen.clear()
    r = t.client.get("/v2/loyalty/transactions", params=query, headers=loyalty_headers(t))
    assert r.status_code == 200, r.text
    assert len(r.json()["data"]["transactions"]) == rows
    return len(seen)


def test_a_page_of_ten_transactions_costs_what_a_page_of_one_costs(
    db: Database, client: TestClient, statements: list[str]
) -> None:
    """ShopSocially's transaction pages are 10 long whatever is asked, so the walk above
    cannot vary their size: vary what is on the page instead (1 or 10 awards, each by
    its own member through its own activity)."""
    costs = []
    for rows in (1, SMALL):
        t = make_tenant(db, client, name=f"Page of {rows}")
        for _ in range(rows):
            key = unique("act").replace("-", "_")
            _ok(t.api.post("/activities", json={"name": key, "key": key, "points": 2}), 201)
            email = f"{unique('r')}@example.com"
            member = _ok(t.api.post("/members", json={"email": email}), 201)["id"]
            _ok(t.api.post(f"/activities/{key}/award", json={"memberId": member}), 201)
        costs.append(_transactions_statements(t, statements, rows))
    one, ten = costs
    assert ten <= one + SLACK, f"{one} statements for a page of 1 transaction, {ten} for 10"
