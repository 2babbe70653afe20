"""Plan rate limits (SPEC §1): per API key, by the tenant's plan, on every face.

- **Who is counted**: API keys, each on its own counters. Dashboard users (session
  tokens) and signed-in members are not: the plan table is the API's, a dashboard page
  fans out into many calls of the merchant's own staff, and logins are throttled on
  their own (``identity/throttle.py``).
- **The plan** is the tenant's ``plan`` setting, read from the tenant snapshot
  (``tenants/snapshot.py``): the credentials lookup (a cache miss, at most once a
  second per key and process) checks the snapshot's version in its own read session,
  and a cached key reads the process's copy. So a plan change takes effect on every
  process within ``PUNCHCARD_API_KEY_CACHE_SECONDS`` (1 s), as a key revocation does,
  and the hot path reads no row. ``unlimited`` (the self-hosted default) counts
  nothing and sends no headers: one dictionary lookup.
- **Windows**: ``limits``' fixed window, done on its storage: per window of the plan
  one increment (EXPIRE on the first), whose answer is both the decision and the
  count the headers show; in Redis, every window of a request in one Lua script call
  (one round trip). A window opens at the key's first request and lasts its length
  (60 s, 1 day). Fixed rather than moving: a counter per window whatever the budget,
  where a moving window keeps a timestamp per request (100,000 a day for
  Professional). The cost: a client may spend up to twice a window's budget across
  the boundary of two windows. The shortest window is counted first and a refusal
  stops there, so requests refused per minute do not spend the day's budget.
  Refused requests count (a window's end never moves). Windows run on wall time
  (Redis expires the counters on its own clock), not the app's injected clock.
- **Headers** (every limited response, success or error): ``X-RateLimit-Limit``,
  ``X-RateLimit-Remaining``, ``X-RateLimit-Reset`` (Unix time, seconds, when that
  window ends) describe the window nearest exhaustion: the one with the fewest requests
  left (on a tie the shorter), i.e. the minute unless the day has fewer left. A refusal
  is 429 with ``Retry-After`` (seconds until the refusing window ends) in the face's
  own error body, before the scope check and the Idempotency-Key claim: a refused
  request does no work.
- **Storage**: Redis when ``PUNCHCARD_REDIS_URL`` is set (every process and node shares
  the counts), else this process's memory. The Redis client is synchronous, on the
  event loop (like the SQLite reads): a hop to a thread would add its own cost to the
  round trip's, and an asyncio client is tied to one event loop. If Redis fails (down,
  unreachable, slow beyond 0.25 s), the request is counted in this process's memory
  instead, with a logged warning, and Redis is left alone for ``OUTAGE_SECONDS``: an
  outage weakens the limits to per process but never fails a request nor stalls the
  event loop more than once per period.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, cast

from fastapi import Request, Response
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, RedisStorage, Storage, storage_from_string
from redis.backoff import NoBackoff
from redis.exceptions import NoScriptError
from redis.retry import Retry
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from punchcard.config import Settings
from punchcard.db.uow import Database, retry_lost
from punchcard.errors import RateLimited
from punchcard.identity.principal import Principal
from punchcard.tenants import snapshot
from punchcard.tenants.schemas import Plan

log = logging.getLogger("punchcard.ratelimit")

# Requests per window, by plan (the advocate document's table); a plan not listed, or
# listed with "", is not limited. ``PUNCHCARD_RATE_LIMITS`` replaces entries.
PLAN_LIMITS: Mapping[str, str] = {
    Plan.starter: "30/minute;1000/day",
    Plan.growth: "60/minute;10000/day",
    Plan.professional: "120/minute;100000/day",
    Plan.unlimited: "",
}
# After a failure of the shared store, count in memory this long before trying it again.
OUTAGE_SECONDS = 5.0
# A Redis call that takes longer has failed (connect and each read or write).
REDIS_TIMEOUT_SECONDS = 0.25
# The request's verdict, in the ASGI scope (read back by ``stamp``).
SCOPE_KEY = "punchcard.rate_limit"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the response's headers say: one window's limit, what is left, its end."""

    limit: int
    remaining: int
    reset: int  # Unix time, seconds
    window: str  # "1 minute", "1 day"

    def headers(self) -> list[tuple[bytes, bytes]]:
        return [
            (b"x-ratelimit-limit", str(self.limit).encode()),
            (b"x-ratelimit-remaining", str(self.remaining).encode()),
            (b"x-ratelimit-reset", str(self.reset).encode()),
        ]


Counted = tuple[Verdict, int]


def _decide(
    items: tuple[RateLimitItem, ...],
    counts: list[int],
    end_of: Callable[[int], float],
    now: float,
) -> Counted:
    """The verdict on one request, from the counts of the windows it was counted in
    (shortest first, stopping at the first it overflowed): refused by that one, else
    described by the window with the fewest requests left (on a tie the shorter)."""
    last = len(counts) - 1
    if counts[last] > items[last].amount:
        end = end_of(last)
        verdict = Verdict(items[last].amount, 0, math.ceil(end), _window(items[last]))
        return verdict, max(1, math.ceil(end - now))
    i = min(range(len(counts)), key=lambda j: (items[j].amount - counts[j], j))
    left = items[i].amount - counts[i]
    return Verdict(items[i].amount, left, math.ceil(end_of(i)), _window(items[i])), 0


def _window(item: RateLimitItem) -> str:
    return f"{item.multiples} {item.GRANULARITY.name}"


def _key(ident: str, item: RateLimitItem) -> str:
    # The key's id in braces: a Redis Cluster keeps all of one key's windows on one node.
    return f"{{{ident}}}/{item.multiples}{item.GRANULARITY.name}"


class _Counters:
    """Fixed-window counters on a ``limits`` storage: one increment per window (the
    storage's own INCR, EXPIRE on the first), and the end of each window seen, so the
    headers' reset costs no call (known from a window's first request, or asked once
    per window and process)."""

    MAX_ENDS = 10_000

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.ends: dict[str, float] = {}

    def count(self, items: tuple[RateLimitItem, ...], ident: str) -> Counted:
        now = time.time()
        keys: list[str] = []
        counts: list[int] = []
        for item in items:
            keys.append(_key(ident, item))
            counts.append(self.storage.incr(keys[-1], item.get_expiry()))
            if counts[-1] > item.amount:
                break
        return _decide(
            items, counts, lambda i: self._end(keys[i], counts[i], items[i].get_expiry(), now), now
        )

    def _end(self, key: str, count: int, expiry: int, now: float) -> float:
        if count == 1:  # this request opened the window
            end = now + expiry
        else:
            found = self.ends.get(key)
            if found is not None and found > now:
                return found
            end = self.storage.get_expiry(key)
        if len(self.ends) >= self.MAX_ENDS:
            self.ends = {k: v for k, v in self.ends.items() if v > now}
            if len(self.ends) >= self.MAX_ENDS:
                self.ends.clear()
        self.ends[key] = end
        return end


# Every window of a request in ONE round trip: per window, shortest first, INCR and
# EXPIRE on the first as ``limits``' own fixed-window script does, stopping at the
# first overflowed; with each window's milliseconds left, for the headers. A round
# trip costs more than all the rest of the check (0.1-0.3 ms of CPU on a busy VM).
_REDIS_COUNT = b"""
local out = {}
for i, key in ipairs(KEYS) do
  local expiry = tonumber(ARGV[2 * i - 1])
  local count = redis.call('INCR', key)
  local left = redis.call('PTTL', key)
  if count == 1 or left < 0 then
    redis.call('EXPIRE', key, expiry)
    left = expiry * 1000
  end
  out[#out + 1] = count
  out[#out + 1] = left
  if count > tonumber(ARGV[2 * i]) then break end
end
return out
"""


class _RedisCounters:
    """The same counters in ``limits``' Redis storage (its connection pool, options and
    key prefix), every window of a request in one script call, sent on a connection
    the calling thread keeps (the event loop's): redis-py's client layer around a
    command (pool checkout, retry wrapper, response callbacks) costs about as much CPU
    as the round trip itself, measured (docs/benchmarks.md)."""

    def __init__(self, storage: RedisStorage) -> None:
        self.storage = storage
        self.pool: Any = cast(Any, storage.get_connection()).connection_pool
        self.sha = hashlib.sha1(_REDIS_COUNT).hexdigest()  # noqa: S324 - Redis's script id
        self.local = threading.local()

    def count(self, items: tuple[RateLimitItem, ...], ident: str) -> Counted:
        keys = [self.storage.prefixed_key(_key(ident, item)) for item in items]
        args = [x for item in items for x in (item.get_expiry(), item.amount)]
        raw = self._eval(keys, args)
        now = time.time()
        counts = [int(c) for c in raw[0::2]]
        lefts = [int(ms) / 1000 for ms in raw[1::2]]
        return _decide(items, counts, lambda i: now + lefts[i], now)

    def _eval(self, keys: list[str], args: list[int]) -> Any:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = self.pool.get_connection()
        try:
            conn.send_command("EVALSHA", self.sha, len(keys), *keys, *args)
            try:
                return conn.read_response()
            except NoScriptError:  # a new or flushed Redis: load it, once
                conn.send_command("SCRIPT", "LOAD", _REDIS_COUNT)
                conn.read_response()
                conn.send_command("EVALSHA", self.sha, len(keys), *keys, *args)
                return conn.read_response()
        except BaseException:
            # What is left on the connection is unknown: drop it, connect afresh next time.
            self.local.conn = None
            conn.disconnect()
            raise


class _LocalStorage(MemoryStorage):
    """``limits``' memory storage without its expiry timer. That timer lasts 10 ms and
    every increment after it ran out starts a new thread (and waits for it to start):
    on a server whose requests come more than 10 ms apart, a thread start per request
    (measured: ~1 ms of CPU and latency each). The storage already drops an expired
    window when it is next read; the windows of keys gone quiet are swept here every
    ``SWEEP_EVERY`` increments instead."""

    SWEEP_EVERY = 10_000

    def __init__(self) -> None:
        super().__init__()
        self.timer.cancel()
        self._since_sweep = 0

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the timer's restart
        self._since_sweep += 1
        if self._since_sweep >= self.SWEEP_EVERY:
            self._since_sweep = 0
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


class Limiter:
    """A process's plan rate limits (``app.state.limiter``)."""

    def __init__(
        self,
        redis_url: str | None = None,
        *,
        plans: Mapping[str, str] | None = None,
        prefix: str = "punchcard:ratelimit",
    ) -> None:
        table = {**PLAN_LIMITS, **(plans or {})}
        self.plans: dict[str, tuple[RateLimitItem, ...]] = {}
        for name, spec in table.items():
            if name not in Plan.__members__:
                raise ValueError(f"rate limits for an unknown plan {name!r}")
            # Shortest window first: a refusal there spends nothing of the longer ones.
            items = sorted(parse_many(spec), key=lambda i: i.get_expiry()) if spec else []
            if items:
                self.plans[name] = tuple(items)
        self.redis_url = redis_url
        self._memory = _Counters(_LocalStorage())
        self._shared: _Counters | _RedisCounters | None = None
        if redis_url:
            options: dict[str, Any] = {
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                # One attempt: a retry (redis-py's default backs off for seconds) would
                # hold up the event loop; the next request tries again.
                "retry": Retry(NoBackoff(), 0),
            }
            storage = storage_from_string(redis_url, key_prefix=prefix, **options)
            assert isinstance(storage, Storage)
            self._shared = (
                _RedisCounters(storage) if isinstance(storage, RedisStorage) else _Counters(storage)
            )
        self._down_until = 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Limiter:
        return cls(
            settings.redis_url, plans=settings.rate_limits, prefix=settings.rate_limit_prefix
        )

    def check(self, api_key_id: uuid.UUID, plan: str) -> Counted | None:
        """Count one request of the key under ``plan``: None if the plan is not limited,
        else the verdict for the headers and, if refused, the seconds to wait (else 0)."""
        items = self.plans.get(plan)
        if items is None:
            return None
        return self.count(items, api_key_id.hex)

    def count(self, items: tuple[RateLimitItem, ...], ident: str) -> Counted:
        """Count one request of ``ident`` in ``items``' windows (shortest first), on the
        shared store when there is one and it answers, else in this process's memory."""
        shared = self._shared
        if shared is not None and time.monotonic() >= self._down_until:
            try:
                return shared.count(items, ident)
            except Exception as exc:  # any failure of the shared store: count here
                self._down_until = time.monotonic() + OUTAGE_SECONDS
                log.warning(
                    "rate limit store unavailable (%s); counting in this process's memory "
                    "for %.0f s",
                    exc,
                    OUTAGE_SECONDS,
                )
        return self._memory.count(items, ident)


def refresh_plan(session: Session, principal: Principal) -> None:
    """In the credentials lookup's own read session: bring the process's copy of the
    key's tenant configuration (its plan) up to date with its version."""
    if principal.api_key_id is not None:
        snapshot.snapshot(session, principal.tenant_id)


async def _plan(db: Database, tenant_id: uuid.UUID) -> str:
    found = db.snapshots.get(tenant_id)
    if found is not None:
        plan: str = found.settings.plan
        return plan

    # The key was cached by another app of this process (the test suite holds many):
    # read the snapshot as the credentials lookup would have.
    def run() -> str:
        with db.transaction(write=False) as session:
            return str(snapshot.snapshot(session, tenant_id).settings.plan)

    if db.inline_reads:
        return retry_lost(run)
    return await run_in_threadpool(retry_lost, run)


async def enforce(request: Request, principal: Principal) -> None:
    """Count the request against its API key's plan: note the verdict for the response's
    headers, or refuse it (429) before it does anything."""
    key_id = principal.api_key_id
    if key_id is None:
        return
    app_state = request.app.state
    limiter: Limiter | None = getattr(app_state, "limiter", None)
    if limiter is None:
        return
    outcome = limiter.check(key_id, await _plan(app_state.db, principal.tenant_id))
    if outcome is None:
        return
    verdict, wait = outcome
    request.scope[SCOPE_KEY] = verdict
    if wait:
        raise RateLimited(
            wait,
            message=(
                f"Rate limit of {verdict.limit} requests per {verdict.window} exceeded; "
                f"retry in {wait} s"
            ),
        )


class EndpointLimit:
    """A limit on one endpoint per API key, whatever the plan (a document's own "rate
    limited to 10 queries per minute"), counted on the plan limits' storage (Redis when
    configured) under the endpoint's own name, so each endpoint and each key has its
    own counter. A caller without an API key (a dashboard session) is counted by its
    user. A refusal is 429 with ``Retry-After`` in the face's error body."""

    def __init__(self, name: str, spec: str) -> None:
        self.name = name
        self.items = tuple(sorted(parse_many(spec), key=lambda i: i.get_expiry()))

    async def enforce(self, request: Request, principal: Principal) -> None:
        limiter: Limiter | None = getattr(request.app.state, "limiter", None)
        who = principal.api_key_id or principal.user_id
        if limiter is None or who is None:
            return
        verdict, wait = limiter.count(self.items, f"{who.hex}/{self.name}")
        if wait:
            raise RateLimited(
                wait,
                message=(
                    f"Rate limit of {verdict.limit} calls per {verdict.window} to this "
                    f"endpoint exceeded; retry in {wait} s"
                ),
            )


def stamp(scope: MutableMapping[str, Any], response: Response) -> Response:
    """Add the request's rate-limit headers, if it was counted, to ``response``."""
    verdict: Verdict | None = scope.get(SCOPE_KEY)
    if verdict is not None:
        response.raw_headers.extend(verdict.headers())
    return response
