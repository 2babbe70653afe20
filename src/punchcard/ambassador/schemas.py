"""Referral vocabulary the core uses: the referral code pattern and kinds.

The native face's referral and ambassador wire models (``ConversionRead``...) live in
``punchcard.api.native.schemas.ambassador``.
"""

from __future__ import annotations

from enum import StrEnum

CODE_PATTERN = r"^[A-Za-z0-9_-]{3,32}$"


class CodeKind(StrEnum):
    member = "member"
    affiliate = "affiliate"
