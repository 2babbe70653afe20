"""The authenticated caller, as every service sees it.

Three kinds of caller: an API ``key`` (its scopes), a dashboard ``user`` (its role's
scopes) and a signed-in ``member`` (a portal, SSO-widget or magic-link session). A
member principal carries its member's id and no API scope: it fails every scope check,
and the member services let it see only its own member (``members/visibility.py``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

PrincipalKind = Literal["key", "user", "member"]


@dataclass(frozen=True)
class Principal:
    tenant_id: uuid.UUID
    scopes: frozenset[str]
    api_key_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    role: str | None = None
    # The user session or member session behind the principal, if any.
    session_id: uuid.UUID | None = None
    extra: dict[str, str] = field(default_factory=dict)
    # Set for member principals only.
    member_id: uuid.UUID | None = None
    # An API key's expiry: the per-process cache (identity/cache.py) must not serve the
    # principal past it.
    expires_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.member_id is not None and (
            self.scopes or self.api_key_id is not None or self.user_id is not None
        ):
            raise ValueError("A member principal carries no scopes, API key or user")

    @classmethod
    def for_member(
        cls, tenant_id: uuid.UUID, member_id: uuid.UUID, *, session_id: uuid.UUID | None = None
    ) -> Principal:
        """A signed-in member: no scopes, sees only itself."""
        return cls(
            tenant_id=tenant_id, scopes=frozenset(), member_id=member_id, session_id=session_id
        )

    @property
    def kind(self) -> PrincipalKind:
        """Derived from the ids the principal holds, so the two can never disagree (a
        principal built without any, as jobs and tests do, acts like a key)."""
        if self.member_id is not None:
            return "member"
        if self.user_id is not None:
            return "user"
        return "key"

    @property
    def is_user(self) -> bool:
        return self.user_id is not None

    @property
    def is_member(self) -> bool:
        return self.member_id is not None

    def has(self, scope: str) -> bool:
        return scope in self.scopes
