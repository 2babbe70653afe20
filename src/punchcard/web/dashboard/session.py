"""The dashboard's signed-in user: the login cookie, and the two ways a page runs.

A dashboard session is the existing user session (``identity.users``): logging in
opens one and keeps its token in the ``punchcard_user`` cookie (HttpOnly, SameSite=Lax,
Secure over HTTPS). Every page runs through :func:`view` (reads) or :func:`action`
(changes):

- without a valid user session, a page redirects to ``/dashboard/login?next=…`` (an
  htmx request gets ``HX-Redirect``); an API key's or a member's token is no login;
- an action checks the form's CSRF token first, needs the ``admin`` or ``owner`` role
  (a ``viewer`` sees, never changes: 403), runs in one write transaction, and is
  audited like an API call (method, path, status, the user, the client address);
- a core error becomes a page: not found (another tenant's id too) 404, forbidden 403,
  bad input 400 with its message. A handler that wants to show the message inside its
  own form catches ``PunchcardError`` itself.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from punchcard.audit.writer import AuditEntry
from punchcard.errors import (
    Forbidden,
    PunchcardError,
    Unauthenticated,
)
from punchcard.identity.principal import Principal
from punchcard.identity.repository import UserRepository
from punchcard.identity.scopes import Role
from punchcard.identity.service import authenticate
from punchcard.models import Tenant, User
from punchcard.tenants.service import get_tenant
from punchcard.web import csrf
from punchcard.web.errors import status_of
from punchcard.web.run import in_thread
from punchcard.web.templating import render

COOKIE = "punchcard_user"
LOGIN = "/dashboard/login"
HOME = "/dashboard/"
CHANGERS = frozenset({Role.owner.value, Role.admin.value})


@dataclass(frozen=True)
class Ctx:
    """What a dashboard page works with: the transaction, the user's principal (the
    core's services take it), the user and the tenant."""

    request: Request
    session: Session
    principal: Principal
    user: User
    tenant: Tenant

    @property
    def can_change(self) -> bool:
        return self.user.role in CHANGERS

    def page(self, template: str, *, status: int = 200, **context: Any) -> Response:
        """``template`` rendered for this user and tenant."""
        return render(
            self.request, template, status=status, tenant=self.tenant, ctx=self, **context
        )


class LoginNeeded(Exception):
    """No user session: the page sends the browser to the login form."""


def safe_next(value: str | None) -> str:
    """Where to go after logging in: a dashboard path only (no open redirect)."""
    if value and value.startswith("/dashboard") and "//" not in value and "\\" not in value:
        return value
    return HOME


def to_login(request: Request) -> Response:
    target = f"{LOGIN}?next={quote(request.url.path)}"
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _signed_in(request: Request, session: Session) -> Ctx:
    token = request.cookies.get(COOKIE)
    if not token:
        raise LoginNeeded()
    try:
        principal = authenticate(session, token)
    except Unauthenticated:
        raise LoginNeeded() from None
    if principal.user_id is None:  # an API key or a member token is no dashboard login
        raise LoginNeeded()
    user = UserRepository(session).get(principal.tenant_id, principal.user_id)
    if user is None:
        raise LoginNeeded()
    request.state.user = user
    return Ctx(request, session, principal, user, get_tenant(session, principal.tenant_id))


def error_page(request: Request, exc: PunchcardError, ctx: Ctx | None = None) -> Response:
    """A core refusal as a page of the dashboard (inside its layout when signed in)."""
    status, title = status_of(exc)
    context: dict[str, Any] = {"title": title, "message": exc.message, "field": exc.field}
    if ctx is not None:
        return ctx.page("dashboard/error.html", status=status, **context)
    return render(request, "dashboard/error.html", status=status, tenant=None, ctx=None, **context)


async def view(request: Request, work: Callable[[Ctx], Response]) -> Response:
    """A page that reads: signed in (else the login form), in a read transaction."""

    def run(session: Session) -> Response:
        ctx = _signed_in(request, session)
        try:
            return work(ctx)
        except PunchcardError as exc:
            return error_page(request, exc, ctx)

    try:
        return await in_thread(request, run, write=False)
    except LoginNeeded:
        return to_login(request)


async def action(
    request: Request,
    work: Callable[[Ctx, FormData], Response],
    *,
    roles: frozenset[str] = CHANGERS,
) -> Response:
    """A change: CSRF-checked form, signed in with a role in ``roles`` (admins and
    owners by default), one write transaction, audited with the user."""
    started = time.perf_counter()
    try:
        form = await csrf.checked_form(request)
    except csrf.CsrfRefused as exc:
        return error_page(request, exc)
    tenant_id: list[uuid.UUID] = []
    user_id: list[uuid.UUID] = []

    def run(session: Session) -> Response:
        ctx = _signed_in(request, session)
        tenant_id.append(ctx.tenant.id)
        user_id.append(ctx.user.id)
        if ctx.user.role not in roles:
            raise Forbidden("Your role can see this page but not change it", code="FORBIDDEN")
        return work(ctx, form)

    try:
        response = await in_thread(request, run, write=True)
    except LoginNeeded:
        return to_login(request)
    except PunchcardError as exc:  # rolled back: nothing of the change was written
        response = await _refused(request, exc)
    if tenant_id:
        _audit(request, tenant_id[0], user_id[0], response.status_code, started)
    return response


async def _refused(request: Request, exc: PunchcardError) -> Response:
    """The refusal's page, read in a transaction of its own (the change's was rolled
    back)."""

    def page(session: Session) -> Response:
        try:
            ctx = _signed_in(request, session)
        except LoginNeeded:
            return error_page(request, exc)
        return error_page(request, exc, ctx)

    return await in_thread(request, page, write=False)


def _audit(
    request: Request, tenant_id: uuid.UUID, user_id: uuid.UUID, status: int, started: float
) -> None:
    db = request.app.state.db
    request.app.state.audit.record(
        AuditEntry(
            tenant_id=tenant_id,
            api_key_id=None,
            user_id=user_id,
            method=request.method,
            path=request.url.path,
            status=status,
            latency_ms=(time.perf_counter() - started) * 1000,
            client_ip=request.client.host if request.client else None,
            at=db.clock.now(),
        )
    )


def redirect(url: str) -> Response:
    """After a change, back to a page (303: the browser GETs it)."""
    return RedirectResponse(url, status_code=303)
