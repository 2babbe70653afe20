"""The document's Testimonials group."""

from __future__ import annotations

from fastapi import APIRouter

from punchcard.api.common.routing import UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Testimonials"])
