"""Which members a caller may see: the one rule, applied at the member lookups.

A key or a dashboard user sees every member of its tenant (the repository already
scoped the lookup by tenant). A member principal (portal, SSO widget, magic link)
sees only its own member: another member is answered exactly as an unknown id is,
NotFound, so a member cannot learn which ids exist. It cannot list members at all.

Every member-scoped service reaches its member through ``members.service.get`` /
``lock`` / ``get_by_email`` / ``get_by_external_id`` (or ``captures.checkin``), and
each of those passes what it found through ``visible``; a new lookup must do the same,
a read model addressed by member ids filters them with ``may_see``, and a tenant-wide
list with a member filter takes it through ``member_filter``.
"""

from __future__ import annotations

import uuid

from punchcard.errors import InsufficientScope, NotFound
from punchcard.identity.principal import Principal
from punchcard.models import Member


def may_see(principal: Principal, member_id: uuid.UUID) -> bool:
    """The rule itself. For lists addressed by member ids (read models), which leave out
    the ids the caller may not see, as they leave out another tenant's."""
    return not principal.is_member or member_id == principal.member_id


def visible(principal: Principal, member: Member | None, *, field: str = "id") -> Member:
    """``member`` if ``principal`` may see it; else NotFound, as for a missing one."""
    if member is None or not may_see(principal, member.id):
        raise NotFound("Member not found", field=field)
    return member


def member_filter(
    principal: Principal, member_id: uuid.UUID | None, *, field: str = "memberId"
) -> uuid.UUID | None:
    """The member filter of a tenant-wide list (orders, coupons, captures, the ledger,
    referral activity): as asked for a key or a user; for a member principal always its
    own member, so it lists only its own rows. Another member's id is NotFound, as for
    an unknown one."""
    if not principal.is_member:
        return member_id
    if member_id is not None and member_id != principal.member_id:
        raise NotFound("Member not found", field=field)
    return principal.member_id


def refuse_listing(principal: Principal) -> None:
    """A member principal may not list or search members (it has no members scope)."""
    if principal.is_member:
        raise InsufficientScope("A member session cannot list members")
