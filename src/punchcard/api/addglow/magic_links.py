"""The document's Authentication group: ``POST /auth/magic-link``.

The core (``magiclinks.service``) enrols, attaches or updates the member and makes the
one-time token; this module builds the URL from ``PUNCHCARD_PUBLIC_URL`` and the path
the web pages serve. The document shows no status: a link is created, so 201.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import Field

from punchcard.api.addglow.auth import MembersWrite
from punchcard.api.addglow.schemas import Data, Omittable, Wire, WireInput
from punchcard.api.common.routing import DbSession, UnitOfWorkRoute
from punchcard.kit.schema import UtcTime
from punchcard.magiclinks import service as links

router = APIRouter(route_class=UnitOfWorkRoute, tags=["Authentication"])

_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
RESPONSES: dict[int | str, dict[str, object]] = {
    403: {
        "description": "Forbidden: the key lacks `members:write` (`INSUFFICIENT_SCOPE`), "
        "custom auth is not enabled for the brand (`CUSTOM_AUTH_DISABLED`), or the member "
        "is banned (`MEMBER_BANNED`)",
        "content": _ERROR,
    },
    409: {
        "description": "Conflict: the member with this email or phone has another "
        "`customAuthSub` (`CUSTOM_AUTH_SUB_CONFLICT`), or the email or phone belongs to "
        "another member (`DUPLICATE_MEMBER`)",
        "content": _ERROR,
    },
}


class MagicLinkInput(WireInput):
    """The member to sign in, as the brand's own auth knows them."""

    custom_auth_sub: str = Field(
        description="A stable identifier for the user within the custom auth system "
        "(e.g. the AWS Cognito ID or the Auth0 user ID); at most 255 characters",
        examples=["google-apps|117686103243408785895170"],
    )
    email: Omittable[str] = Field(
        default=None, description="Email address of the user (one of phone or email required)"
    )
    is_email_verified: Omittable[bool] = Field(
        default=None, description="Whether the email address is verified"
    )
    phone_number: Omittable[str] = Field(
        default=None, description="Phone number of the user (one of phone or email required)"
    )
    first_name: Omittable[str] = Field(default=None, description="First name (≤ 100 characters)")
    last_name: Omittable[str] = Field(default=None, description="Last name (≤ 100 characters)")
    profile_picture_url: Omittable[str] = Field(
        default=None, description="URL of the user profile picture (absolute http(s) URL)"
    )
    state: Omittable[str] = Field(
        default=None,
        max_length=256,
        description="State to be passed back in the redirect URL after login "
        "(≤ 256 characters), appended as the `state` query parameter",
    )
    return_to: Omittable[str] = Field(
        default=None,
        max_length=100,
        # The document's `^/`; the core also refuses `//` (a host) and a backslash.
        pattern=r"^/",
        description="Where to go after login: a path inside the brand's portal, starting "
        "with a single `/` (≤ 100 characters)",
    )


class MagicLink(Wire):
    """The link to send the member: a GET shows a confirmation page with a "Sign in"
    button (a mail scanner fetching it uses nothing); its POST signs the member in,
    sets the portal's session cookie and redirects (303) to `returnTo` with `state`.
    It works once, until `expiresAt` (15 minutes)."""

    url: str
    expires_at: UtcTime


@router.post(
    "/auth/magic-link", response_model=Data[MagicLink], status_code=201, responses=RESPONSES
)
def create_magic_link(
    p: MembersWrite, session: DbSession, request: Request, body: MagicLinkInput
) -> Data[MagicLink]:
    """Create a magic link for a user to log in to the brand's community (custom auth
    only, else 403); creates the user, or updates their email and phone."""
    created = links.create(
        session,
        p,
        data=links.NewLink(
            custom_auth_sub=body.custom_auth_sub,
            email=body.email,
            is_email_verified=body.is_email_verified,
            phone=body.phone_number,
            first_name=body.first_name,
            last_name=body.last_name,
            profile_picture_url=body.profile_picture_url,
            return_to=body.return_to,
            state=body.state,
        ),
    )
    base = request.app.state.settings.public_url.rstrip("/")
    return Data[MagicLink](data=MagicLink(url=base + created.path, expires_at=created.expires_at))
