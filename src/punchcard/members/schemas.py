"""Member enums the core uses: statuses, capture and tag sources, batch outcomes.

The native face's member wire models (``MemberRead``, ``MemberCreate``...) live in
``punchcard.api.native.schemas.members``.
"""

from __future__ import annotations

from enum import StrEnum

TAG_KEY_PATTERN = r"^[a-z0-9_-]{1,64}$"


class MemberStatus(StrEnum):
    active = "active"
    inactive = "inactive"
    banned = "banned"


class CaptureSource(StrEnum):
    qr = "qr"
    portal = "portal"
    web = "web"
    pos = "pos"
    checkin = "checkin"
    api = "api"


class TagSource(StrEnum):
    manual = "manual"
    rule = "rule"


class BatchStatus(StrEnum):
    created = "created"
    updated = "updated"
    error = "error"
