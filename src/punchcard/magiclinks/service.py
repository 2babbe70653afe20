"""Magic links: create one for a brand's member, show it, consume it.

``create`` (the brand's API key, ``members:write``): only for a tenant with custom auth
enabled; finds the member by the brand's ``customAuthSub``, else by the email or phone
it gives (and attaches the sub), else enrols one; updates the member's email and phone
from the request; hands back a one-time token (stored only as its SHA-256) valid for
15 minutes and the portal path that consumes it.

``create_for_member`` (the member portal's join / sign-in form): a link for a member
the portal found or enrolled by email, whatever the custom-auth setting.

``consume`` (the member's browser, no credentials: the token is the secret): one
conditional UPDATE marks the link used, so of two concurrent consumptions exactly one
signs in; it opens a member session (kind ``magic_link``) and joins the member to the
community (``user.joined`` once per member). A banned member gets no link and no
session. On any error the caller rolls its transaction back, as always.

Field names in errors are the AddGlow document's (``customAuthSub``, ``phoneNumber``,
``returnTo``): this endpoint exists only there.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import (
    Conflict,
    DuplicateMember,
    Forbidden,
    Gone,
    NotFound,
    ValidationFailed,
)
from punchcard.identity.member_sessions import MemberSessionKind, open_session
from punchcard.identity.principal import Principal
from punchcard.kit.crypto import hash_token, random_token
from punchcard.kit.ids import new_id
from punchcard.magiclinks.repository import MagicLinkRepository
from punchcard.members import phones
from punchcard.members import service as members
from punchcard.members.schemas import CaptureSource, MemberStatus
from punchcard.models import MagicLink, Member, Tenant
from punchcard.tenants.service import get_by_partner_id, get_tenant

LINK_SECONDS = 15 * 60
# How long the portal stays signed in after a link was consumed (the cookie's Max-Age).
PORTAL_SESSION_SECONDS = 7 * 24 * 3600
MAX_SUB = 255
MAX_RETURN_TO = 100
MAX_STATE = 256
MAX_NAME = 100
MAX_PICTURE_URL = 2048


class LinkNotFound(NotFound):
    code = "MAGIC_LINK_NOT_FOUND"
    default_message = "This sign-in link is not valid"


class LinkGone(Gone):
    """The link existed but was used already or has expired."""

    code = "MAGIC_LINK_GONE"
    default_message = "This sign-in link was already used or has expired"


@dataclass(frozen=True)
class NewLink:
    """A ``POST /auth/magic-link`` body, snake_case (``None``: not given)."""

    custom_auth_sub: str
    email: str | None = None
    is_email_verified: bool | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    profile_picture_url: str | None = None
    return_to: str | None = None
    state: str | None = None


@dataclass(frozen=True)
class Created:
    member: Member
    token: str
    path: str  # served by the web package: GET confirms, POST consumes
    expires_at: datetime


@dataclass(frozen=True)
class SignedIn:
    tenant: Tenant
    member: Member
    session_token: str
    session_expires_at: datetime
    redirect: str  # /portal/{partnerId} + returnTo, with state appended


def link_path(partner_id: str, token: str) -> str:
    return f"/portal/{partner_id}/magic/{token}"


def portal_path(partner_id: str, return_to: str | None, state: str | None) -> str:
    """``/portal/{partnerId}`` + ``returnTo``, ``state`` added to its query (before any
    fragment)."""
    path, hash_, fragment = (return_to or "").partition("#")
    target = f"/portal/{partner_id}{path}"
    if state is not None:
        target += ("&" if "?" in path else "?") + urlencode({"state": state})
    return target + hash_ + fragment


# Checks ---------------------------------------------------------------------------


def _limit(value: str | None, field: str, max_len: int) -> None:
    if value is not None and len(value) > max_len:
        raise ValidationFailed(f"{field} is at most {max_len} characters", field=field)


def check_return_to(value: str | None) -> None:
    """A path inside the portal: starts with ``/``; not ``//`` nor ``/\\`` (a browser
    reads both as another host), no control characters, at most 100 characters."""
    if value is None:
        return
    _limit(value, "returnTo", MAX_RETURN_TO)
    if not value.startswith("/") or value[1:2] in ("/", "\\"):
        raise ValidationFailed(
            "returnTo must be a relative path starting with a single /", field="returnTo"
        )
    if "\\" in value or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValidationFailed(
            "returnTo must not contain backslashes or control characters", field="returnTo"
        )


def _check_picture(value: str | None) -> None:
    if value is None:
        return
    _limit(value, "profilePictureUrl", MAX_PICTURE_URL)
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationFailed(
            "profilePictureUrl must be an absolute http(s) URL", field="profilePictureUrl"
        )


def _checked(
    session: Session, principal: Principal, data: NewLink
) -> tuple[str | None, str | None]:
    """Every field's rule; the normalised email and phone."""
    if not data.custom_auth_sub.strip():
        raise ValidationFailed("customAuthSub is required", field="customAuthSub")
    _limit(data.custom_auth_sub, "customAuthSub", MAX_SUB)
    _limit(data.first_name, "firstName", MAX_NAME)
    _limit(data.last_name, "lastName", MAX_NAME)
    _check_picture(data.profile_picture_url)
    check_return_to(data.return_to)
    _limit(data.state, "state", MAX_STATE)
    email = members.normalize_email(data.email) if data.email is not None else None
    phone = (
        phones.normalize_phone(
            data.phone, country=phones.country(session, principal.tenant_id), field="phoneNumber"
        )
        if data.phone
        else None
    )
    if email is None and phone is None:
        raise ValidationFailed("Provide one of email or phoneNumber", field="email")
    return email, phone


# Creating ---------------------------------------------------------------------------


def create(
    session: Session, principal: Principal, *, data: NewLink, ttl_seconds: int = LINK_SECONDS
) -> Created:
    """A one-time sign-in link for the member ``data`` describes (enrolled, attached or
    updated as the module says). 403 ``CUSTOM_AUTH_DISABLED`` unless the tenant enabled
    custom auth; 403 ``MEMBER_BANNED`` for a banned member; 409 on an identity clash."""
    tenant = get_tenant(session, principal.tenant_id)
    if not tenant.custom_auth_enabled:
        raise Forbidden(
            "Magic links need custom auth: enable customAuthEnabled in the settings",
            code="CUSTOM_AUTH_DISABLED",
        )
    email, phone = _checked(session, principal, data)
    member = _member_for(session, principal, data, email, phone)
    return _issue(session, tenant, member, data.return_to, data.state, ttl_seconds)


def create_for_member(
    session: Session,
    member: Member,
    *,
    return_to: str | None = None,
    ttl_seconds: int = LINK_SECONDS,
) -> Created:
    """A one-time sign-in link for a member the caller found (the member portal's own
    sign-in mail: the member asked for it by email, so custom auth plays no part).
    403 ``MEMBER_BANNED`` for a banned member; ``returnTo`` is checked as in
    :func:`create`."""
    check_return_to(return_to)
    _refuse_banned(member)
    tenant = get_tenant(session, member.tenant_id)
    return _issue(session, tenant, member, return_to, None, ttl_seconds)


def _issue(
    session: Session,
    tenant: Tenant,
    member: Member,
    return_to: str | None,
    state: str | None,
    ttl_seconds: int,
) -> Created:
    at = now(session)
    token = random_token(32)
    link = MagicLinkRepository(session, tenant.id).add(
        MagicLink(
            id=new_id(),
            member_id=member.id,
            token_hash=hash_token(token),
            return_to=return_to,
            state=state,
            created_at=at,
            expires_at=at + timedelta(seconds=ttl_seconds),
        )
    )
    return Created(
        member=member,
        token=token,
        path=link_path(tenant.partner_id, token),
        expires_at=link.expires_at,
    )


def _member_for(
    session: Session, principal: Principal, data: NewLink, email: str | None, phone: str | None
) -> Member:
    repo = MagicLinkRepository(session, principal.tenant_id)
    sub = data.custom_auth_sub
    member = repo.member_by_sub(sub)
    if member is None:
        holders = repo.members_by_contact(email, phone)
        if len(holders) > 1:
            raise DuplicateMember(
                "email and phoneNumber belong to two different members", field="phoneNumber"
            )
        if holders:
            member = holders[0]
            if member.custom_auth_sub is not None:
                raise Conflict(
                    "The member with this email or phone has another customAuthSub",
                    field="customAuthSub",
                    code="CUSTOM_AUTH_SUB_CONFLICT",
                )
        else:
            return _enrol(session, principal, data, email, phone)
    _refuse_banned(member)
    _update_contact(session, principal, member, data, email, phone)
    if member.custom_auth_sub is None:
        _set_sub(session, member, sub)
    return member


def _enrol(
    session: Session, principal: Principal, data: NewLink, email: str | None, phone: str | None
) -> Member:
    new = members.NewMember(
        email=email,
        phone=phone,
        first_name=data.first_name,
        last_name=data.last_name,
        source=CaptureSource.api,
    )
    try:
        member = members.enroll(session, principal, data=new)
    except DuplicateMember as exc:
        raise _renamed(exc) from None
    member.is_email_verified = bool(data.is_email_verified) and email is not None
    member.profile_picture_url = data.profile_picture_url
    _set_sub(session, member, data.custom_auth_sub)
    return member


def _refuse_banned(member: Member) -> None:
    if member.status == MemberStatus.banned.value:
        raise Forbidden("A banned member cannot sign in", code="MEMBER_BANNED")


def _update_contact(
    session: Session,
    principal: Principal,
    member: Member,
    data: NewLink,
    email: str | None,
    phone: str | None,
) -> None:
    """The request's email and phone onto the member (409 when another member holds
    one); an email that changes is unverified unless the request vouches for it."""
    changes: members.MemberChanges = {}
    if email is not None and email != member.email:
        changes["email"] = email
    if phone is not None and phone != member.phone:
        changes["phone"] = phone
    if changes:
        try:
            members.update(session, principal, member_id=member.id, data=changes)
        except DuplicateMember as exc:
            raise _renamed(exc) from None
    verified = data.is_email_verified
    if verified is None and "email" in changes:
        verified = False
    if verified is not None and member.is_email_verified != verified:
        member.is_email_verified = verified
        member.updated_at = now(session)


def _set_sub(session: Session, member: Member, sub: str) -> None:
    """Attach ``sub``; in a savepoint, so a concurrent request that attached the same
    sub to another member first is a 409, not a 500."""
    savepoint = session.begin_nested()
    try:
        member.custom_auth_sub = sub
        member.updated_at = now(session)
        session.flush()
    except IntegrityError:
        savepoint.rollback()
        raise Conflict(
            "Another member has this customAuthSub (changed concurrently); retry",
            field="customAuthSub",
            code="CUSTOM_AUTH_SUB_CONFLICT",
        ) from None
    savepoint.commit()


def _renamed(exc: DuplicateMember) -> DuplicateMember:
    """The members service names ``phone``; this endpoint's field is ``phoneNumber``."""
    field = "phoneNumber" if exc.field == "phone" else exc.field
    message = exc.message.replace("phone", "phoneNumber") if field == "phoneNumber" else None
    return DuplicateMember(message or exc.message, field=field, extra=_ids(exc.extra))


def _ids(extra: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in extra.items() if isinstance(v, uuid.UUID)}


# Showing and consuming ----------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """A live link, as the confirmation page shows it."""

    tenant: Tenant
    expires_at: datetime


def _tenant(session: Session, partner_id: str) -> Tenant:
    tenant = get_by_partner_id(session, partner_id)
    if tenant is None:
        raise LinkNotFound()
    return tenant


def peek(session: Session, *, partner_id: str, token: str) -> Pending:
    """The link behind ``token``, without using it (the GET of its URL: a mail scanner
    fetching it consumes nothing). LinkNotFound, or LinkGone when used or expired."""
    tenant = _tenant(session, partner_id)
    link = MagicLinkRepository(session, tenant.id).by_token(hash_token(token))
    if link is None:
        raise LinkNotFound()
    if link.consumed_at is not None or link.expires_at <= now(session):
        raise LinkGone()
    return Pending(tenant=tenant, expires_at=link.expires_at)


def consume(session: Session, *, partner_id: str, token: str) -> SignedIn:
    """Use the link once: the member signed in (a new member session) and joined."""
    tenant = _tenant(session, partner_id)
    repo = MagicLinkRepository(session, tenant.id)
    digest = hash_token(token)
    used = repo.consume(digest, at=now(session))
    if used is None:
        raise LinkNotFound() if repo.by_token(digest) is None else LinkGone()
    # The tenant's own view: the link named the member, no caller's visibility applies.
    principal = Principal(tenant_id=tenant.id, scopes=frozenset())
    member = members.get(session, principal, member_id=used.member_id)
    _refuse_banned(member)  # the caller's rollback keeps the link unused
    opened = open_session(
        session, member, kind=MemberSessionKind.magic_link, ttl_seconds=PORTAL_SESSION_SECONDS
    )
    members.join(session, member)
    return SignedIn(
        tenant=tenant,
        member=member,
        session_token=opened.token,
        session_expires_at=opened.row.expires_at,
        redirect=portal_path(tenant.partner_id, used.return_to, used.state),
    )
