"""The reliability suite's fixtures: sizes (bounded in CI, full under ``make soak``,
i.e. ``PUNCHCARD_SOAK=1``), seeded tenants, owner sessions, and the scanner every
response of the suite goes through. What the suite measured is reported with
``report()`` and summed over xdist workers by ``summary.py``. See docs/reliability.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from punchcard.db.uow import Database
from punchcard.identity.users import open_session
from punchcard.kit.crypto import hash_token
from punchcard.models import ApiKey, User, UserSession
from punchcard.models import Tenant as TenantRow
from punchcard.models.webhooks import WebhookEndpoint
from tests.factories import Tenant, make_tenant
from tests.reliability.seed import Seeded, seed
from tests.reliability.summary import SOAK


def size(ci: int, soak: int) -> int:
    """``ci`` in the everyday suite, ``soak`` under ``make soak``."""
    return soak if SOAK else ci


def report(request: pytest.FixtureRequest, text: str) -> None:
    """A line for the end-of-run reliability summary (collected from xdist workers)."""
    request.node.user_properties.append(("reliability_report", text))
    print(text)


# --- tenants ------------------------------------------------------------------------


def session_token(t: Tenant) -> str:
    """A new session token of the tenant's owner (for operations that need a user)."""
    with t.db.transaction() as s:
        user = s.scalars(select(User).where(User.tenant_id == t.id, User.role == "owner")).one()
        token, _ = open_session(s, user, ttl_seconds=86_400)
    return token


def member_session_token(t: Tenant, member: str) -> str:
    """A new SSO session of ``member`` (``mem_…``) of ``t`` (for the ``/me`` routes)."""
    from punchcard.identity import member_sessions
    from punchcard.identity.principal import Principal
    from punchcard.kit.ids import parse
    from punchcard.members import service as members

    member_id = parse("mem", member)
    assert member_id is not None
    with t.db.transaction() as s:
        row = members.get(s, Principal(t.id, frozenset()), member_id=member_id)
        return member_sessions.open_session(s, row, kind="sso", ttl_seconds=86_400).token


@pytest.fixture(scope="session")
def seeded(db: Database, client: TestClient) -> Seeded:
    """One tenant with one of everything, shared by the suites that only read its ids
    or whose writes stay inside it (the fuzzers)."""
    return seed(make_tenant(db, client, name="Reliability Co"))


@pytest.fixture
def fresh(tenant: Tenant) -> Seeded:
    """A tenant with one of everything, for a test that compares snapshots of it."""
    return seed(tenant)


# --- secrets in responses -----------------------------------------------------------

_HASH_LIKE = re.compile(r"\$argon2(id|i|d)\$")
_SECRET_FIELDS = re.compile(
    r'"(password(_?hash)?|passwordHash|keyHash|key_hash|tokenHash|token_hash|secretHash)"\s*:',
    re.IGNORECASE,
)
_KEY_LIKE = re.compile(r"fl_live_[A-Za-z0-9_-]{20,}")
_WHSEC = re.compile(r"whsec_[A-Za-z0-9+/=_-]{16,}")

# Responses allowed to show a secret once, at creation: (method, path pattern, kind).
_SHOWN_ONCE = [
    ("POST", re.compile(r"/api/v2/api-keys$"), "key"),
    ("POST", re.compile(r"/api/v2/settings/sso-secret$"), "sso"),
    ("POST", re.compile(r"/api/v2/webhooks$"), "whsec"),
    ("POST", re.compile(r"/api/v2/webhooks/[^/]+/rotate-secret$"), "whsec"),
]


@dataclass
class SecretScanner:
    """Checks that no response body carries a password hash, an API key's hash or
    plaintext (beyond the one answer that creates it), a session token, an SSO secret
    or a webhook secret (beyond the answers that create or rotate them)."""

    db: Database
    tokens: set[str] = field(default_factory=set)
    scanned: int = 0

    def known(self, *tokens: str) -> None:
        self.tokens.update(tokens)

    def _secrets(self) -> dict[str, str]:
        """Hashes of every stored key and session, and every stored secret."""
        out: dict[str, str] = {}
        with self.db.transaction(write=False) as s:
            for h in s.scalars(select(ApiKey.key_hash)):
                out[h] = "an API key's hash"
            for h in s.scalars(select(UserSession.token_hash)):
                out[h] = "a session token's hash"
            for h in s.scalars(select(User.password_hash)):
                out[h] = "a password hash"
            for secret in s.scalars(select(TenantRow.sso_secret)):
                if secret:
                    out[secret] = "an SSO secret"
            for secret in s.scalars(select(WebhookEndpoint.secret)):
                if secret:
                    out[secret] = "a webhook secret"
        for token in self.tokens:
            out[token] = "a credential the client sent"
            out[hash_token(token)] = "a credential's hash"
        return out

    def check(self, method: str, path: str, status: int, body: bytes | str) -> None:
        """Fail if this response leaks; called for every response the suite sees."""
        text = body.decode(errors="replace") if isinstance(body, bytes) else body
        self.scanned += 1
        if not text:
            return
        where = f"{method} {path} -> {status}"
        assert not _HASH_LIKE.search(text), f"{where}: a password hash in the body"
        assert not _SECRET_FIELDS.search(text), f"{where}: a secret field in the body: {text}"
        allowed = {
            kind
            for m, pattern, kind in _SHOWN_ONCE
            if m == method and pattern.search(path) and 200 <= status < 300
        }
        if "key" not in allowed:
            assert not _KEY_LIKE.search(text), f"{where}: an API key's plaintext: {text}"
        if "whsec" not in allowed:
            assert not _WHSEC.search(text), f"{where}: a webhook secret: {text}"
        for secret, what in self._cached_secrets().items():
            if secret in text:
                if what == "an SSO secret" and "sso" in allowed:
                    continue
                if what == "a webhook secret" and "whsec" in allowed:
                    continue
                raise AssertionError(f"{where}: {what} in the body")

    def _cached_secrets(self) -> dict[str, str]:
        # Re-read every 50 responses: new keys, sessions and secrets appear as tests run,
        # and one query per response would dominate the fuzzers' time.
        if self.scanned % 50 == 1 or not hasattr(self, "_cache"):
            self._cache = self._secrets()
        return self._cache


@pytest.fixture(scope="session")
def scanner(db: Database) -> Iterator[SecretScanner]:
    s = SecretScanner(db)
    yield s
