"""Joining and signing in to the member portal, and signing out.

``GET/POST /portal/{partnerId}/join``: one form (email; phone and names optional) for
members and newcomers alike. The answer is the same "check your email" page whether or
not the email is known, so the form tells nobody who is a member. Behind it:

- a new email is enrolled through the members service (source ``portal``, which records
  the enrolment capture), with the referral code of the join link (``?ref=CODE``) as
  ``referredBy`` — the way the referral program attributes a referred member (an
  unknown code is dropped, not an error: the page must not say which codes exist);
- a known email is not changed (anyone can type it): phone and names apply to newcomers;
- a sign-in link is mailed: the magic link of ``magiclinks`` (the AddGlow face's, the
  same confirm page and consume POST in ``links.py``), returning to ``next`` or home;
- at most :data:`MAILS_PER_HOUR` mails per email (per tenant) and per client address
  (``limits``' moving window, in Redis when configured, like the login throttle); over
  either, the same answer and no mail, nothing enrolled. A banned member gets no link.

The SSO hand-off is ``sso.py``.

``POST /portal/{partnerId}/sign-out`` (CSRF): ends the member session and clears the
cookie.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from limits import RateLimitItemPerHour
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from punchcard.config import Settings
from punchcard.errors import DuplicateMember, NotFound, PunchcardError
from punchcard.identity import member_sessions
from punchcard.identity.principal import Principal
from punchcard.magiclinks import service as links
from punchcard.mail import service as mail
from punchcard.members import phones
from punchcard.members import service as members
from punchcard.members.schemas import CaptureSource, MemberStatus
from punchcard.models import Member, Tenant
from punchcard.web import csrf
from punchcard.web.portal.session import (
    MemberCtx,
    NoSuchPortal,
    member_action,
    not_found_page,
    tenant_of,
)
from punchcard.web.run import in_thread
from punchcard.web.templating import render

log = logging.getLogger("punchcard.web.portal")

router = APIRouter(include_in_schema=False)

MAILS_PER_HOUR = 5
_PER_EMAIL = RateLimitItemPerHour(MAILS_PER_HOUR, namespace="portal-mail-email")
_PER_CLIENT = RateLimitItemPerHour(MAILS_PER_HOUR, namespace="portal-mail-client")
MAX_NAME = 100
MAX_FIELD = 320
_lock = threading.Lock()


def _limiter(app: FastAPI) -> MovingWindowRateLimiter:
    """The app's sign-in mail counter (memory of this app, or the shared Redis)."""
    with _lock:
        found: MovingWindowRateLimiter | None = getattr(app.state, "portal_mail_limiter", None)
        if found is None:
            settings: Settings = app.state.settings
            found = MovingWindowRateLimiter(storage_from_string(settings.redis_url or "memory://"))
            app.state.portal_mail_limiter = found
        return found


def _may_mail(request: Request, tenant: Tenant, email: str) -> bool:
    """Takes a slot of the email's and of the client's hourly budget, or says no (and
    takes none) when either is spent."""
    limiter = _limiter(request.app)
    client = request.client.host if request.client else "unknown"
    keys = ((_PER_EMAIL, tenant.id.hex, email), (_PER_CLIENT, client))
    if not all(limiter.test(item, *ids) for item, *ids in keys):
        return False
    return all([limiter.hit(item, *ids) for item, *ids in keys])


# The form -----------------------------------------------------------------------------


@dataclass
class JoinForm:
    email: str = ""
    phone: str = ""
    first_name: str = ""
    last_name: str = ""
    next: str = ""
    ref: str = ""

    @classmethod
    def of(cls, form: FormData) -> JoinForm:
        def text(name: str) -> str:
            value = form.get(name)
            return value.strip()[:MAX_FIELD] if isinstance(value, str) else ""

        return cls(
            email=text("email"),
            phone=text("phone"),
            first_name=text("first_name"),
            last_name=text("last_name"),
            next=text("next"),
            ref=text("ref"),
        )


def _return_to(tenant: Tenant, next_url: str) -> str:
    """``next`` (a path of this portal, as ``session.to_join`` sends it) as the link's
    ``returnTo``; anything else, home."""
    base = f"/portal/{tenant.partner_id}"
    rest = next_url[len(base) :] if next_url.startswith(base) else ""
    if not rest.startswith("/"):
        return "/"
    try:
        links.check_return_to(rest)
    except PunchcardError:
        return "/"
    return rest


def _join_page(
    request: Request, tenant: Tenant, data: JoinForm, errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    return render(
        request,
        "portal/join.html",
        status=status,
        tenant=tenant,
        title=f"Join or sign in to {tenant.name}",
        form=data,
        errors=errors,
    )


@router.get("/portal/{partner_id}/join", response_class=HTMLResponse)
async def join_form(request: Request, partner_id: str) -> Response:
    """The join / sign-in form (``next`` and ``ref`` carried through it)."""
    try:
        tenant = await in_thread(request, lambda s: tenant_of(s, partner_id), write=False)
    except NoSuchPortal:
        return not_found_page(request)
    data = JoinForm(
        next=request.query_params.get("next", "")[:MAX_FIELD],
        ref=request.query_params.get("ref", "")[:64],
    )
    return _join_page(request, tenant, data, {})


@dataclass(frozen=True)
class _Checked:
    email: str
    phone: str | None


def _check(session: Session, tenant: Tenant, data: JoinForm) -> _Checked | dict[str, str]:
    """The normalised email and phone, or the errors by field (the same for a known and
    an unknown email: they are about the input only)."""
    errors: dict[str, str] = {}
    email = ""
    try:
        email = members.normalize_email(data.email, field="Email") if data.email else ""
        if not email:
            errors["email"] = "Email is required."
    except PunchcardError:
        errors["email"] = "Email is not a valid email address."
    phone = None
    if data.phone:
        try:
            phone = phones.normalize_phone(
                data.phone, country=phones.country(session, tenant.id), field="phone"
            )
        except PunchcardError as exc:
            errors["phone"] = f"Phone: {exc.message}"
    for key, label in (("first_name", "First name"), ("last_name", "Last name")):
        if len(getattr(data, key)) > MAX_NAME:
            errors[key] = f"{label} is at most {MAX_NAME} characters."
    return errors or _Checked(email, phone)


def _member(session: Session, tenant: Tenant, data: JoinForm, checked: _Checked) -> Member | None:
    """The member with this email, else a newly enrolled one."""
    principal = Principal(tenant_id=tenant.id, scopes=frozenset())
    try:
        return members.get_by_email(session, principal, email=checked.email)
    except NotFound:
        pass
    attempts = [(checked.phone, data.ref or None)]
    # A phone another member holds, or an unknown code, must not make the answer
    # differ: enrol without it (enroll refuses both before writing anything).
    attempts += [(None, data.ref or None), (None, None)]
    for phone, ref in attempts:
        new = members.NewMember(
            email=checked.email,
            phone=phone,
            first_name=data.first_name or None,
            last_name=data.last_name or None,
            source=CaptureSource.portal,
            referred_by=ref,
        )
        try:
            return members.enroll(session, principal, data=new)
        except DuplicateMember as exc:
            if exc.field == "email":  # enrolled concurrently: that member
                return members.get_by_email(session, principal, email=checked.email)
        except NotFound as exc:
            if exc.field != "referredBy":
                raise
    return None


@router.post("/portal/{partner_id}/join", response_class=HTMLResponse)
async def join(request: Request, partner_id: str) -> Response:
    """Enrol a newcomer, mail a sign-in link; one answer whoever the email belongs to."""
    try:
        form = await csrf.checked_form(request)
    except csrf.CsrfRefused as exc:
        return render(
            request, "portal/message.html", status=403, tenant=None,
            title="Not allowed", message=exc.message,
        )  # fmt: skip
    data = JoinForm.of(form)
    settings: Settings = request.app.state.settings

    def work(session: Session) -> tuple[Tenant, dict[str, str], mail.Mail | None]:
        tenant = tenant_of(session, partner_id)
        checked = _check(session, tenant, data)
        if isinstance(checked, dict):
            return tenant, checked, None
        if not _may_mail(request, tenant, checked.email):
            log.info("portal sign-in mail refused: over the hourly limit")
            return tenant, {}, None
        member = _member(session, tenant, data, checked)
        if member is None or member.status == MemberStatus.banned.value:
            return tenant, {}, None
        created = links.create_for_member(session, member, return_to=_return_to(tenant, data.next))
        return tenant, {}, _sign_in_mail(settings, tenant, checked.email, created)

    try:
        tenant, errors, message = await in_thread(request, work, write=True)
    except NoSuchPortal:
        return not_found_page(request)
    if errors:
        return _join_page(request, tenant, data, errors, status=400)
    if message is not None:  # after the commit: the link exists when it arrives
        await run_in_threadpool(mail.deliver, settings, message)
    return render(
        request,
        "portal/message.html",
        tenant=tenant,
        title="Check your email",
        message=(
            f"If {data.email} can sign in to {tenant.name}, a sign-in link is on its way "
            "to it. The link works once, for 15 minutes."
        ),
    )


def _sign_in_mail(
    settings: Settings, tenant: Tenant, email: str, created: links.Created
) -> mail.Mail:
    url = settings.public_url.rstrip("/") + created.path
    return mail.Mail(
        to=email,
        subject=f"Your sign-in link for {tenant.name}",
        text=(
            f"Open this link to sign in to {tenant.name}:\n\n{url}\n\n"
            f"It works once, for {links.LINK_SECONDS // 60} minutes. "
            "If you did not ask for it, ignore this mail.\n"
        ),
    )


# Signing out ---------------------------------------------------------------------------


@router.post("/portal/{partner_id}/sign-out", response_class=HTMLResponse)
async def sign_out(request: Request, partner_id: str) -> Response:
    """End this member session; the cookie goes with it."""

    def work(ctx: MemberCtx, form: FormData) -> Response:
        member_sessions.sign_out(ctx.session, ctx.principal)
        notice = urlencode({"notice": "You are signed out."}, quote_via=quote)
        return RedirectResponse(ctx.url(f"/join?{notice}"), status_code=303)

    response = await member_action(request, partner_id, work)
    if response.status_code == 303:
        response.delete_cookie(
            member_sessions.PORTAL_COOKIE,
            path="/",
            secure=request.url.scheme == "https",
            httponly=True,
            samesite="lax",
        )
    return response
