"""The portal's signed-in member, and the two ways a portal page runs.

The portal cookie (``punchcard_member``, set by the magic link or the SSO hand-off)
holds a member session token: a member principal of one tenant. :func:`member_view`
(reads) and :func:`member_action` (changes, CSRF-checked form, one write transaction)
resolve it for the tenant in the URL:

- an unknown partner id is a 404 page;
- no cookie, an expired or revoked one, a banned member's, or another tenant's member:
  the page sends the browser to ``/portal/{partnerId}/join?next=…`` (the join and
  sign-in form);
- a core error becomes a page (404 for another member's or tenant's id, 403, 400 with
  its message).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from punchcard.errors import Forbidden, NotFound, PunchcardError, Unauthenticated
from punchcard.identity import member_sessions
from punchcard.identity.principal import Principal
from punchcard.members import service as members
from punchcard.models import Member, Tenant
from punchcard.tenants.service import get_by_partner_id
from punchcard.web import csrf
from punchcard.web.run import in_thread
from punchcard.web.templating import render

COOKIE = member_sessions.PORTAL_COOKIE


@dataclass(frozen=True)
class MemberCtx:
    """What a portal page works with: the transaction, the member's principal (the
    core's services take it), the member and the tenant."""

    request: Request
    session: Session
    principal: Principal
    member: Member
    tenant: Tenant

    def page(self, template: str, *, status: int = 200, **context: Any) -> Response:
        self.request.state.member = self.member
        return render(self.request, template, status=status, tenant=self.tenant, **context)

    def url(self, path: str = "/") -> str:
        """A portal path of this tenant (``/history`` → ``/portal/pt_…/history``)."""
        return f"/portal/{self.tenant.partner_id}{path}"


class SignInNeeded(Exception):
    def __init__(self, tenant: Tenant) -> None:
        # Read now: the exception outlives the transaction (the row is then detached).
        self.partner_id = tenant.partner_id


class NoSuchPortal(Exception):
    pass


def tenant_of(session: Session, partner_id: str) -> Tenant:
    tenant = get_by_partner_id(session, partner_id)
    if tenant is None:
        raise NoSuchPortal()
    return tenant


def signed_in(request: Request, session: Session, partner_id: str) -> MemberCtx:
    """The member signed in to this tenant's portal; SignInNeeded / NoSuchPortal."""
    tenant = tenant_of(session, partner_id)
    token = request.cookies.get(COOKIE)
    if not token or not member_sessions.is_member_token(token):
        raise SignInNeeded(tenant)
    try:
        principal = member_sessions.resolve(session, token)
    except Unauthenticated:
        raise SignInNeeded(tenant) from None
    if principal.tenant_id != tenant.id or principal.member_id is None:
        raise SignInNeeded(tenant)
    member = members.get(session, principal, member_id=principal.member_id)
    return MemberCtx(request, session, principal, member, tenant)


def not_found_page(request: Request) -> Response:
    return render(
        request,
        "portal/message.html",
        status=404,
        tenant=None,
        title="Not found",
        message="There is no such portal.",
    )


def to_join(request: Request, partner_id: str) -> Response:
    target = f"/portal/{partner_id}/join?next={quote(request.url.path)}"
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def error_page(ctx: MemberCtx, exc: PunchcardError) -> Response:
    status, title = 400, "That did not work"
    if isinstance(exc, NotFound):
        status, title = 404, "Not found"
    elif isinstance(exc, Forbidden):
        status, title = 403, "Not allowed"
    return ctx.page("portal/message.html", status=status, title=title, message=exc.message)


async def member_view(
    request: Request, partner_id: str, work: Callable[[MemberCtx], Response]
) -> Response:
    """A page that reads, for the signed-in member of ``partner_id``."""

    def run(session: Session) -> Response:
        ctx = signed_in(request, session, partner_id)
        try:
            return work(ctx)
        except PunchcardError as exc:
            return error_page(ctx, exc)

    try:
        return await in_thread(request, run, write=False)
    except NoSuchPortal:
        return not_found_page(request)
    except SignInNeeded as exc:
        return to_join(request, exc.partner_id)


async def member_action(
    request: Request, partner_id: str, work: Callable[[MemberCtx, FormData], Response]
) -> Response:
    """A change by the signed-in member: CSRF-checked form, one write transaction (a
    core refusal rolls it back and shows its page)."""
    try:
        form = await csrf.checked_form(request)
    except csrf.CsrfRefused as exc:
        return render(
            request, "portal/message.html", status=403, tenant=None,
            title="Not allowed", message=exc.message,
        )  # fmt: skip

    def run(session: Session) -> Response:
        return work(signed_in(request, session, partner_id), form)

    try:
        return await in_thread(request, run, write=True)
    except NoSuchPortal:
        return not_found_page(request)
    except SignInNeeded as exc:
        return to_join(request, exc.partner_id)
    except PunchcardError as exc:
        refused = exc

        def page(session: Session) -> Response:
            return error_page(signed_in(request, session, partner_id), refused)

        try:
            return await in_thread(request, page, write=False)
        except (NoSuchPortal, SignInNeeded):
            return not_found_page(request)
