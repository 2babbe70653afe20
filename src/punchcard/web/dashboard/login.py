"""``/dashboard/login`` and ``/dashboard/logout``: the existing user sessions, in a
cookie. A wrong password stays on the form with one message for every failure (as the
API's login); the login throttle of the API (10 tries per account per 15 minutes)
applies here too."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from punchcard.config import Settings
from punchcard.errors import PunchcardError, RateLimited, Unauthenticated
from punchcard.identity import users
from punchcard.identity.service import authenticate
from punchcard.identity.throttle import login_throttle
from punchcard.web import csrf
from punchcard.web.dashboard.session import COOKIE, LOGIN, safe_next
from punchcard.web.run import in_thread
from punchcard.web.templating import render

router = APIRouter(include_in_schema=False)


def _form(request: Request, *, status: int = 200, email: str = "", error: str | None = None,
          next_url: str | None = None) -> Response:  # fmt: skip
    return render(
        request,
        "dashboard/login.html",
        status=status,
        email=email,
        error=error,
        next_url=safe_next(next_url or request.query_params.get("next")),
        tenant=None,
        ctx=None,
    )


@router.get("/dashboard/login")
async def login_form(request: Request) -> Response:
    return _form(request)


@router.post("/dashboard/login")
async def login(request: Request) -> Response:
    try:
        form = await csrf.checked_form(request)
    except csrf.CsrfRefused as exc:
        return _form(request, status=403, error=exc.message)
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    target = safe_next(str(form.get("next") or ""))
    if not email or not password:
        return _form(request, status=400, email=email, error="Enter your email and password.",
                     next_url=target)  # fmt: skip
    settings: Settings = request.app.state.settings

    def open_session(session: Session) -> users.NewSession:
        return users.login(
            session,
            email=email,
            password=password,
            ttl_seconds=settings.session_ttl_seconds,
            throttle=login_throttle(settings.redis_url),
        )

    try:
        new = await in_thread(request, open_session, write=True)
    except RateLimited as exc:
        return _form(request, status=429, email=email, error=exc.message, next_url=target)
    except Unauthenticated:
        return _form(request, status=401, email=email, error=users.BAD_LOGIN + ".",
                     next_url=target)  # fmt: skip
    except PunchcardError as exc:
        return _form(request, status=400, email=email, error=exc.message, next_url=target)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        new.token,
        max_age=settings.session_ttl_seconds,
        path="/dashboard",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
    return response


@router.post("/dashboard/logout")
async def logout(request: Request) -> Response:
    try:
        await csrf.checked_form(request)
    except csrf.CsrfRefused:
        return RedirectResponse(LOGIN, status_code=303)
    token = request.cookies.get(COOKIE)

    def end(session: Session) -> None:
        if not token:
            return
        try:
            principal = authenticate(session, token)
        except Unauthenticated:
            return
        if principal.user_id is not None:
            users.logout(session, principal)

    await in_thread(request, end, write=True)
    response = RedirectResponse(LOGIN, status_code=303)
    response.delete_cookie(COOKIE, path="/dashboard")
    return response
