"""The dashboard's audit log pages (issue 14)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
