"""SSO customer mapping wire models (``/sso/mappings``)."""

from __future__ import annotations

from pydantic import Field

from punchcard.api.common import ids
from punchcard.kit.schema import InputSchema, Schema, UtcTime
from punchcard.models import SsoMapping

MAPPING = "map"


class SsoMappingCreate(InputSchema):
    member_id: str = Field(description="The member (`mem_…`)")
    external_customer_id: str = Field(
        max_length=255, description="The customer's id in your system"
    )
    external_email: str | None = Field(default=None, max_length=320)
    external_name: str | None = Field(default=None, max_length=200)


class SsoMappingRead(Schema):
    id: str
    member_id: str
    external_customer_id: str
    external_email: str | None
    external_name: str | None
    created_at: UtcTime

    @classmethod
    def of(cls, row: SsoMapping) -> SsoMappingRead:
        return cls(
            id=ids.render(MAPPING, row.id),
            member_id=ids.render("mem", row.member_id),
            external_customer_id=row.external_customer_id,
            external_email=row.external_email,
            external_name=row.external_name,
            created_at=row.created_at,
        )


class SsoMappingList(Schema):
    mappings: list[SsoMappingRead]
    total: int
    limit: int
    offset: int
