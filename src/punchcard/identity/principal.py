"""The authenticated caller, as every service sees it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Principal:
    tenant_id: uuid.UUID
    scopes: frozenset[str]
    api_key_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    role: str | None = None
    session_id: uuid.UUID | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_user(self) -> bool:
        return self.user_id is not None

    def has(self, scope: str) -> bool:
        return scope in self.scopes
