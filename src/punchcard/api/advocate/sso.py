"""The document's SSO group: ``POST /sso/recognize``, ``GET|POST /sso/mappings``.

``recognize`` proves a customer signed in on the merchant's site (``sso.service``) and
answers ``{advocateId, sessionToken}``: the token is a member session, for the portal
and widgets; every API-key route refuses it (403). Mappings tie your customer ids to
advocates (scope ``members``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field, field_validator

from punchcard.api.advocate.auth import MembersRead, MembersWrite
from punchcard.api.advocate.paging import PageParams
from punchcard.api.common import ids
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute, redact_on_replay
from punchcard.api.common.wire import Wire, WireInput
from punchcard.models import SsoMapping
from punchcard.sso import service as sso

router = APIRouter(route_class=UnitOfWorkRoute, tags=["SSO"])

MAPPING = "map"


def _customer_id(value: Any) -> Any:
    # Customer ids are often numbers in the merchant's system; the signature covers
    # their decimal spelling, so a JSON integer is read as that string.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


class Recognize(WireInput):
    business_id: str = Field(description="Your business id: the tenant's partner id")
    external_customer_id: str = Field(description="The customer's id in your system")
    timestamp: int = Field(description="Unix seconds; accepted within ±300 s of now")
    signature: str = Field(
        description='Lowercase hex HMAC-SHA256 of "{businessId}:{externalCustomerId}:'
        '{timestamp}" keyed with your SSO secret'
    )

    _customer = field_validator("external_customer_id", mode="before")(_customer_id)

    @field_validator("timestamp", mode="before")
    @classmethod
    def _unix_seconds(cls, value: Any) -> Any:
        # A JSON integer, or its decimal string; never a boolean or a fraction.
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError("timestamp is unix seconds, an integer")
        if isinstance(value, str):
            text = value.strip()
            if not text.lstrip("-").isdigit() or len(text) > 20:
                raise ValueError("timestamp is unix seconds, an integer")
            return int(text)
        return value


class Recognized(Wire):
    advocate_id: str
    session_token: str


class MappingCreate(WireInput):
    advocate_id: str
    external_customer_id: str
    external_email: str | None = None
    external_name: str | None = None

    _customer = field_validator("external_customer_id", mode="before")(_customer_id)


class Mapping(Wire):
    id: str
    advocate_id: str
    external_customer_id: str
    external_email: str | None
    external_name: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: SsoMapping) -> Mapping:
        return cls(
            id=ids.render(MAPPING, row.id),
            advocate_id=ids.render("mem", row.member_id),
            external_customer_id=row.external_customer_id,
            external_email=row.external_email,
            external_name=row.external_name,
            created_at=row.created_at,
        )


class MappingOne(Wire):
    mapping: Mapping


class MappingList(Wire):
    mappings: list[Mapping]


@router.post("/sso/recognize", response_model=Recognized)
def recognize(request: Request, p: MembersWrite, session: DbSession, body: Recognize) -> Recognized:
    """Recognize a customer via SSO token (401: a bad, stale or replayed signature)."""
    # The token is shown once: an Idempotency-Key replay answers null, never a stored copy.
    redact_on_replay(request, "sessionToken")
    found = sso.recognize(
        session,
        p,
        business_id=body.business_id,
        external_customer_id=body.external_customer_id,
        timestamp=body.timestamp,
        signature=body.signature,
    )
    return Recognized(advocate_id=ids.render("mem", found.member.id), session_token=found.token)


@router.get("/sso/mappings", response_model=MappingList)
def list_mappings(p: MembersRead, session: DbSession, page: PageParams) -> MappingList:
    """List customer mappings, oldest first."""
    return MappingList(mappings=[Mapping.of(m) for m in sso.list_mappings(session, p, page=page)])


@router.post("/sso/mappings", response_model=MappingOne, status_code=201)
def create_mapping(p: MembersWrite, session: DbSession, body: MappingCreate) -> MappingOne:
    """Create a customer mapping (400: a field, or an externalCustomerId mapped already)."""
    row = sso.create_mapping(
        session,
        p,
        data=sso.NewMapping(
            member_id=ids.parse("mem", body.advocate_id),
            external_customer_id=body.external_customer_id,
            external_email=body.external_email,
            external_name=body.external_name,
        ),
        member_field="advocateId",
    )
    return MappingOne(mapping=Mapping.of(row))
