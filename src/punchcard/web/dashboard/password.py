"""``/dashboard/forgot-password`` and ``/dashboard/reset-password``: the existing reset
flow (``identity.users``) as pages.

The forgot form answers the same whether or not the email has an account, and mails
the link (``{public_url}/dashboard/reset-password?token=…``, valid one hour, single
use) after the token is committed and after the answer, as the API does. The reset
form takes the new password twice (the registration rules); success ends every session
of the user and sends them to the login with a notice.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from punchcard.config import Settings
from punchcard.errors import PunchcardError, ValidationFailed
from punchcard.identity import users
from punchcard.identity.passwords import MIN_PASSWORD_LENGTH, check_new_password
from punchcard.mail import service as mail
from punchcard.mail.service import Mail
from punchcard.web import csrf
from punchcard.web.dashboard.session import LOGIN
from punchcard.web.run import in_thread
from punchcard.web.templating import render

router = APIRouter(include_in_schema=False)

FORGOT = "/dashboard/forgot-password"
RESET = "/dashboard/reset-password"
SENT = "If an account has this email, a link to reset its password is on its way."


def _forgot(request: Request, *, status: int = 200, email: str = "", error: str | None = None,
            sent: bool = False) -> Response:  # fmt: skip
    return render(request, "dashboard/password/forgot.html", status=status, tenant=None,
                  ctx=None, title="Forgot your password?", email=email, error=error,
                  sent=SENT if sent else None)  # fmt: skip


def _reset(request: Request, *, token: str, status: int = 200, error: str | None = None,
           field: str | None = None) -> Response:  # fmt: skip
    return render(request, "dashboard/password/reset.html", status=status, tenant=None,
                  ctx=None, title="Choose a new password", token=token, error=error,
                  field=field, min_length=MIN_PASSWORD_LENGTH)  # fmt: skip


@router.get(FORGOT)
async def forgot_form(request: Request) -> Response:
    return _forgot(request)


@router.post(FORGOT)
async def forgot(request: Request) -> Response:
    try:
        form = await csrf.checked_form(request)
    except csrf.CsrfRefused as exc:
        return _forgot(request, status=403, error=exc.message)
    email = str(form.get("email") or "").strip()
    if not email or "@" not in email or len(email) > 320:
        return _forgot(request, status=400, email=email, error="Enter your email address.")
    settings: Settings = request.app.state.settings

    def ask(session: Session) -> Mail | None:
        return users.request_password_reset(session, email=email, public_url=settings.public_url)

    message = await in_thread(request, ask, write=True)
    response = _forgot(request, sent=True)
    if message is not None:
        # After the commit and after the answer: the timing says nothing either.
        response.background = BackgroundTask(mail.deliver, settings, message)
    return response


@router.get(RESET)
async def reset_form(request: Request) -> Response:
    token = request.query_params.get("token") or ""
    if not token:
        return _reset(request, token="", status=400,
                      error="This page needs the link from the reset mail.")  # fmt: skip
    return _reset(request, token=token)


@router.post(RESET)
async def reset(request: Request) -> Response:
    try:
        form = await csrf.checked_form(request)
    except csrf.CsrfRefused as exc:
        return _reset(request, token="", status=403, error=exc.message)
    token = str(form.get("token") or "")
    password = str(form.get("password") or "")
    again = str(form.get("password_again") or "")
    try:
        check_new_password(password)
        if password != again:
            raise ValidationFailed("The two passwords differ", field="password_again")
    except ValidationFailed as exc:
        return _reset(request, token=token, status=400, error=exc.message, field=exc.field)

    def spend(session: Session) -> int:
        return users.reset_password(session, token=token, new_password=password)

    try:
        await in_thread(request, spend, write=True)
    except PunchcardError as exc:
        return _reset(request, token=token, status=400, error=exc.message, field=exc.field)
    notice = quote("Your password was changed. Log in with the new one.")
    return RedirectResponse(f"{LOGIN}?notice={notice}", status_code=303)
