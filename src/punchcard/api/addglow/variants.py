"""The document's variants group. (Routes land with the group's issue work.)"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
