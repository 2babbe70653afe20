"""Invitations to a tenant's team: a single-use link, valid 7 days, mailed to the
invitee, who sets a name and a password and is in.

The token is random (``random_token``), mailed once and stored only as its SHA-256,
like session and reset tokens. Who may invite with which role is ``team``'s rule
(admins invite viewers and admins, only owners invite owners). Inviting an address
that already has an account is refused (emails are unique across the installation);
inviting one with a pending invitation replaces it (the old link stops working).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import Conflict, NotFound, ValidationFailed
from punchcard.identity.passwords import check_new_password
from punchcard.identity.repository import UserRepository
from punchcard.identity.team import check_may_grant, parse_role
from punchcard.identity.users import NewSession, normalize_email, open_session
from punchcard.kit.crypto import hash_password, hash_token, random_token
from punchcard.kit.ids import new_id
from punchcard.mail.service import Mail
from punchcard.models import Invitation, Tenant, User
from punchcard.tenants.service import get_tenant

INVITE_TTL = timedelta(days=7)
INVITE_PATH = "/dashboard/invite/"


class InviteState(StrEnum):
    pending = "pending"
    accepted = "accepted"
    revoked = "revoked"
    expired = "expired"


class InvitationGone(ValidationFailed):
    """The link is unknown, used, revoked or expired; ``state`` says which (None:
    unknown)."""

    def __init__(self, state: InviteState | None) -> None:
        messages = {
            None: "This invitation link is not valid",
            InviteState.accepted: "This invitation was already used",
            InviteState.revoked: "This invitation was withdrawn",
            InviteState.expired: "This invitation has expired",
        }
        super().__init__(
            messages[state] + "; ask the team for a new one.",
            field="token",
            code="INVITATION_" + (state.value.upper() if state else "INVALID"),
        )
        self.state = state


@dataclass(frozen=True)
class NewInvitation:
    """An invitation just made; ``token`` is its only plaintext copy (in ``mail``)."""

    invitation: Invitation
    token: str
    mail: Mail


def state_of(invitation: Invitation, at: datetime) -> InviteState:
    if invitation.accepted_at is not None:
        return InviteState.accepted
    if invitation.revoked_at is not None:
        return InviteState.revoked
    if invitation.expires_at <= at:
        return InviteState.expired
    return InviteState.pending


def check_email(value: str, *, field: str = "email") -> str:
    """A deliverable-looking address, lower-cased (as users' emails are stored)."""
    try:
        found = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed(f"Enter a valid email address ({exc})", field=field) from exc
    return normalize_email(found.normalized)


def invite(
    session: Session, actor: User, *, email: str, role: str, public_url: str
) -> NewInvitation:
    """Invite ``email`` to the actor's team with ``role``; the mail to send after commit."""
    role = parse_role(role)
    check_may_grant(actor, role)
    address = check_email(email)
    if UserRepository(session).get_by_email(address) is not None:
        raise Conflict(
            "This email already has a Punchcard account", field="email", code="EMAIL_TAKEN"
        )
    at = now(session)
    # A pending invitation to the same address is replaced: one live link per invitee.
    session.execute(
        update(Invitation)
        .where(
            Invitation.tenant_id == actor.tenant_id,
            Invitation.email == address,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=at)
    )
    token = random_token(32)
    row = Invitation(
        id=new_id(),
        tenant_id=actor.tenant_id,
        email=address,
        role=role,
        token_hash=hash_token(token),
        invited_by=actor.id,
        created_at=at,
        expires_at=at + INVITE_TTL,
    )
    session.add(row)
    session.flush()
    tenant = get_tenant(session, actor.tenant_id)
    return NewInvitation(row, token, _mail(tenant, actor, row, token, public_url))


def _mail(tenant: Tenant, actor: User, row: Invitation, token: str, public_url: str) -> Mail:
    link = f"{public_url.rstrip('/')}{INVITE_PATH}{token}"
    who = actor.name or actor.email
    text = (
        f"{who} invites you to join {tenant.name} on Punchcard as {row.role}.\n\n"
        f"Open this link within 7 days to choose your password:\n\n{link}\n\n"
        "The link works once. If you did not expect this, ignore this message.\n"
    )
    return Mail(to=row.email, subject=f"Join {tenant.name} on Punchcard", text=text)


def pending(session: Session, tenant_id: uuid.UUID) -> list[Invitation]:
    """The tenant's invitations still waiting for their invitee, newest first."""
    at = now(session)
    return list(
        session.scalars(
            select(Invitation)
            .where(
                Invitation.tenant_id == tenant_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > at,
            )
            .order_by(Invitation.created_at.desc(), Invitation.id)
        )
    )


def revoke(session: Session, actor: User, invitation_id: uuid.UUID) -> Invitation:
    """Withdraw a pending invitation (its link stops working)."""
    row = session.scalars(
        select(Invitation).where(
            Invitation.tenant_id == actor.tenant_id, Invitation.id == invitation_id
        )
    ).first()
    if row is None:  # another tenant's invitation too
        raise NotFound("No such invitation")
    check_may_grant(actor, row.role)
    state = state_of(row, now(session))
    if state is not InviteState.pending:
        raise Conflict(f"This invitation is already {state.value}", code="INVITATION_CLOSED")
    row.revoked_at = now(session)
    session.flush()
    return row


def find(session: Session, token: str) -> Invitation:
    """The pending invitation behind a link, or InvitationGone saying why not."""
    row = session.scalars(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    ).first()
    if row is None:
        raise InvitationGone(None)
    state = state_of(row, now(session))
    if state is not InviteState.pending:
        raise InvitationGone(state)
    return row


def accept(
    session: Session, *, token: str, name: str, password: str, ttl_seconds: int
) -> NewSession:
    """Spend the link: a new user of the inviting tenant with the invited role, and a
    session for them."""
    name = name.strip()
    if not name:
        raise ValidationFailed("Enter your name", field="name")
    if len(name) > 200:
        raise ValidationFailed("The name may have at most 200 characters", field="name")
    check_new_password(password)
    password_hash = hash_password(password)  # before the write lock (see users.register)
    row = find(session, token)
    at = now(session)
    # A conditional update: of two accepts of one link exactly one wins.
    won = session.execute(
        update(Invitation)
        .where(
            Invitation.id == row.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > at,
        )
        .values(accepted_at=at)
        .execution_options(synchronize_session=False)
    )
    if getattr(won, "rowcount", 0) != 1:
        raise InvitationGone(InviteState.accepted)
    users = UserRepository(session)
    if users.get_by_email(row.email) is not None:
        raise Conflict(
            "This email already has a Punchcard account; log in instead",
            field="email",
            code="EMAIL_TAKEN",
        )
    user = users.add(
        User(
            id=new_id(),
            tenant_id=row.tenant_id,
            email=row.email,
            name=name,
            role=row.role,
            password_hash=password_hash,
            created_at=at,
            updated_at=at,
        )
    )
    token_, expires_at = open_session(session, user, ttl_seconds=ttl_seconds)
    return NewSession(token_, expires_at, user, get_tenant(session, user.tenant_id))
