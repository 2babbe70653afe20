"""``/dashboard/team``: the team's users and invitations, and ``/dashboard/invite/…``
where an invitee joins (issue 14).

The rules are the core's (``identity.team``, ``identity.invites``): viewers see the
team and change nothing; admins invite, re-role and remove viewers and admins; only
owners do so for owners; the last owner stays. An invitation mails a single-use link
valid 7 days (after the transaction commits); the invitee sets a name and a password
(the registration rules) and is logged in. A used, withdrawn, expired or unknown link
is a page saying so (410, or 404 for an unknown one).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask
from starlette.datastructures import FormData

from punchcard.audit.writer import AuditEntry
from punchcard.config import Settings
from punchcard.errors import Conflict, Forbidden, NotFound, PunchcardError, ValidationFailed
from punchcard.identity import invites, team
from punchcard.identity.invites import InvitationGone
from punchcard.identity.passwords import MIN_PASSWORD_LENGTH
from punchcard.identity.scopes import Role
from punchcard.identity.users import NewSession
from punchcard.kit.ids import parse, render
from punchcard.mail import service as mail
from punchcard.tenants.service import get_tenant
from punchcard.web import csrf
from punchcard.web.dashboard.session import COOKIE, LOGIN, Ctx, action, redirect, view
from punchcard.web.run import in_thread
from punchcard.web.templating import render as render_page

router = APIRouter(include_in_schema=False)

PATH = "/dashboard/team"


def _roles_for(ctx: Ctx) -> list[str]:
    """The roles this user may give (owners: all; admins: viewer and admin)."""
    if ctx.user.role == Role.owner.value:
        return [Role.viewer.value, Role.admin.value, Role.owner.value]
    return [Role.viewer.value, Role.admin.value]


def _page(ctx: Ctx, *, status: int = 200, email: str = "", role: str = "viewer",
          error: str | None = None) -> Response:  # fmt: skip
    return ctx.page(
        "dashboard/team/index.html",
        status=status,
        title="Team",
        users=team.list_users(ctx.session, ctx.tenant.id),
        invitations=invites.pending(ctx.session, ctx.tenant.id) if ctx.can_change else [],
        roles=_roles_for(ctx),
        ref=render,
        invite_email=email,
        invite_role=role,
        invite_error=error,
    )


@router.get(PATH)
async def team_page(request: Request) -> Response:
    return await view(request, _page)


@router.post(PATH + "/invite")
async def invite(request: Request) -> Response:
    settings: Settings = request.app.state.settings

    def work(ctx: Ctx, form: FormData) -> Response:
        email = str(form.get("email") or "").strip()
        role = str(form.get("role") or "")
        try:
            new = invites.invite(
                ctx.session, ctx.user, email=email, role=role, public_url=settings.public_url
            )
        except (ValidationFailed, Conflict) as exc:
            status = 409 if isinstance(exc, Conflict) else 400
            return _page(ctx, status=status, email=email, role=role, error=exc.message)
        response = redirect(f"{PATH}?notice=Invitation+sent+to+{new.invitation.email}")
        # Sent once the invitation is committed (the answer goes after the commit).
        response.background = BackgroundTask(mail.deliver, settings, new.mail)
        return response

    return await action(request, work)


def _id(prefix: str, value: str) -> uuid.UUID:
    found = parse(prefix, value)
    if found is None:
        raise NotFound("There is no such page")
    return found


@router.post(PATH + "/invitations/{ref}/revoke")
async def revoke(request: Request, ref: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        row = invites.revoke(ctx.session, ctx.user, _id("inv", ref))
        return redirect(f"{PATH}?notice=Invitation+to+{row.email}+withdrawn")

    return await action(request, work)


@router.post(PATH + "/users/{ref}/role")
async def change_role(request: Request, ref: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        user = team.change_role(ctx.session, ctx.user, _id("usr", ref), str(form.get("role") or ""))
        return redirect(f"{PATH}?notice={user.email}+is+now+{user.role}")

    return await action(request, work)


@router.post(PATH + "/users/{ref}/remove")
async def remove(request: Request, ref: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        removed = team.remove_user(ctx.session, ctx.user, _id("usr", ref))
        if removed.user.id == ctx.user.id:  # they removed themselves: their session ended
            response = RedirectResponse(LOGIN, status_code=303)
            response.delete_cookie(COOKIE, path="/dashboard")
            return response
        return redirect(f"{PATH}?notice={removed.user.email}+was+removed")

    return await action(request, work)


# The invitee's side: no login yet ---------------------------------------------------


def _invite_page(request: Request, *, status: int = 200, **context: Any) -> Response:
    return render_page(
        request, "dashboard/team/accept.html", status=status, tenant=None, ctx=None,
        min_length=MIN_PASSWORD_LENGTH, **context,
    )  # fmt: skip


def _gone(request: Request, exc: InvitationGone) -> Response:
    return _invite_page(
        request, status=404 if exc.state is None else 410, title="Invitation not valid",
        gone=exc.message, invitation=None, name="", error=None, field=None,
    )  # fmt: skip


@router.get("/dashboard/invite/{token}")
async def invitation(request: Request, token: str) -> Response:
    def read(session: Session) -> Response:
        try:
            row = invites.find(session, token)
        except InvitationGone as exc:
            return _gone(request, exc)
        team_name = get_tenant(session, row.tenant_id).name
        return _invite_page(request, title=f"Join {team_name}", gone=None, invitation=row,
                            team_name=team_name, name="", error=None, field=None)  # fmt: skip

    return await in_thread(request, read, write=False)


@router.post("/dashboard/invite/{token}")
async def accept(request: Request, token: str) -> Response:
    settings: Settings = request.app.state.settings
    try:
        form = await csrf.checked_form(request)
    except csrf.CsrfRefused as exc:
        return _invite_page(request, status=403, title="Not allowed", gone=exc.message,
                            invitation=None, name="", error=None, field=None)  # fmt: skip
    name = str(form.get("name") or "")
    password = str(form.get("password") or "")
    again = str(form.get("password_again") or "")

    def join(session: Session) -> NewSession:
        if password != again:
            invites.find(session, token)  # a dead link says so before a typo does
            raise ValidationFailed("The two passwords differ", field="password_again")
        return invites.accept(
            session, token=token, name=name, password=password,
            ttl_seconds=settings.session_ttl_seconds,
        )  # fmt: skip

    try:
        new = await in_thread(request, join, write=True)
    except InvitationGone as exc:
        return _gone(request, exc)
    except PunchcardError as exc:
        return await _refused(request, token, name, exc)
    _audit(request, new)
    response = RedirectResponse("/dashboard/?notice=Welcome+to+the+team", status_code=303)
    set_login_cookie(request, response, new)
    return response


async def _refused(request: Request, token: str, name: str, exc: PunchcardError) -> Response:
    def read(session: Session) -> Response:
        try:
            row = invites.find(session, token)
        except InvitationGone as gone:
            return _gone(request, gone)
        team_name = get_tenant(session, row.tenant_id).name
        status = 409 if isinstance(exc, Conflict) else 403 if isinstance(exc, Forbidden) else 400
        return _invite_page(request, status=status, title=f"Join {team_name}", gone=None,
                            invitation=row, team_name=team_name, name=name,
                            error=exc.message, field=exc.field)  # fmt: skip

    return await in_thread(request, read, write=False)


def set_login_cookie(request: Request, response: Response, new: NewSession) -> None:
    """The dashboard's login cookie, as ``login.py`` sets it."""
    settings: Settings = request.app.state.settings
    response.set_cookie(
        COOKIE,
        new.token,
        max_age=settings.session_ttl_seconds,
        path="/dashboard",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )


def _audit(request: Request, new: NewSession) -> None:
    """The joining is audited as the new user's first change (without the token: the
    path recorded is the page's, not the link's)."""
    db = request.app.state.db
    request.app.state.audit.record(
        AuditEntry(
            tenant_id=new.tenant.id,
            api_key_id=None,
            user_id=new.user.id,
            method="POST",
            path="/dashboard/invite",
            status=303,
            latency_ms=0.0,
            client_ip=request.client.host if request.client else None,
            at=db.clock.now(),
        )
    )
