"""Ledger vocabulary the core uses: entry types and statuses.

The native face's points wire models live in ``punchcard.api.native.schemas.ledger``.
"""

from __future__ import annotations

ENTRY_TYPES = ("award", "redeem", "deduct", "expire", "clawback", "adjust")
STATUSES = (
    "pending",
    "approved",
    "auto_approved",
    "rejected",
    "auto_rejected",
    "redeemed",
    "deducted",
    "pending_deduction",
    "expired",
    "exhausted",
)
