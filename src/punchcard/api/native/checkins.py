"""QR check-ins: ``POST /checkins``, a register scanning the member portal's code."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field

from punchcard.api.common import ids
from punchcard.api.common.auth import CapturesWrite
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.api.native.schemas.captures import CaptureRead
from punchcard.checkins import service
from punchcard.checkins.tokens import MAX_LENGTH
from punchcard.config import Settings
from punchcard.kit.schema import InputSchema, Schema

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Captures"])

_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {
        "description": "`INVALID_CHECKIN_TOKEN` (field `qr`): a forged, malformed or "
        "expired code; an unknown store (field `storeId`); a missing field",
        "content": _ERROR,
    },
    404: {"description": "A code of another tenant (field `qr`)", "content": _ERROR},
}


class QrCheckin(InputSchema):
    qr: str = Field(
        min_length=1,
        max_length=MAX_LENGTH,
        description="The text scanned from the member portal's QR code (`pc1.…`)",
    )
    store_id: str = Field(min_length=1, description="`st_…` id or store code")


class QrCheckinRead(Schema):
    member_id: str
    capture: CaptureRead
    is_new_capture: bool = Field(
        description="False when the member had checked in at this store today already: "
        "`capture` is that first check-in"
    )


@router.post("/checkins", response_model=QrCheckinRead, responses=_RESPONSES)
def check_in_by_qr(
    p: CapturesWrite, session: DbSession, request: Request, body: QrCheckin
) -> QrCheckinRead:
    """Check in the member whose portal QR code the register scanned; once per member,
    store and (tenant-local) day. The code is signed and valid for a few minutes."""
    settings: Settings = request.app.state.settings
    done = service.check_in(
        session,
        p,
        qr=body.qr,
        store_ref=ids.ref("st", body.store_id),
        secret_key=settings.secret_key,
    )
    return QrCheckinRead(
        member_id=ids.render("mem", done.member_id),
        capture=CaptureRead.of(done.capture),
        is_new_capture=done.is_new_capture,
    )
