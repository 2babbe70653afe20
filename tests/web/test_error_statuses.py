"""One table of HTTP statuses (``punchcard.errors.HTTP_STATUS``): every core refusal
answers the same status on the native face and on the dashboard's error page, and
every one has a kind in the table (none falls through to a server error).

Each error is raised by a route of a real app (the app's own exception handlers render
the face's answer) and shown by the dashboard's own ``error_page``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import Request, Response
from fastapi.testclient import TestClient

import punchcard.app  # noqa: F401 - loads every module that defines an error
from punchcard import errors as E
from punchcard.api.native import errors as native
from punchcard.app import create_app
from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.identity.invites import InvitationGone, InviteState
from punchcard.magiclinks.service import LinkGone
from punchcard.web.csrf import CsrfRefused
from punchcard.web.dashboard.session import error_page


def _subclasses(cls: type[E.PunchcardError]) -> Iterator[type[E.PunchcardError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


# The refusals of the core and of the pages; the API's transport refusals (413, 415)
# and the MCP endpoint's own are no page's concern.
CORE = {
    cls: f"{cls.__module__}.{cls.__qualname__}"
    for cls in _subclasses(E.PunchcardError)
    if not cls.__module__.startswith("punchcard.api.")
}
BY_NAME = {name: cls for cls, name in CORE.items()}


# The errors whose constructor takes arguments, and some.
ARGS: dict[type[E.PunchcardError], tuple[object, ...]] = {
    E.RateLimited: (7,),
    InvitationGone: (InviteState.expired,),
}


def _instance(cls: type[E.PunchcardError]) -> E.PunchcardError:
    args = next((ARGS[k] for k in cls.__mro__ if k in ARGS), ())
    return cls(*args)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def raising(settings: Settings, db: Database) -> Iterator[TestClient]:
    """The app, with a native-face route and a dashboard page that raise any core error."""
    app = create_app(settings, db=db)

    def api_raise(name: str) -> None:
        raise _instance(BY_NAME[name])

    def page_raise(request: Request, name: str) -> Response:
        return error_page(request, _instance(BY_NAME[name]))

    # Inserted first: the face's own catch-alls (a 404 in its envelope) would match.
    app.add_api_route("/api/v2/test-raise/{name}", api_raise)
    app.add_api_route("/dashboard/test-raise/{name}", page_raise)
    app.router.routes.insert(0, app.router.routes.pop())
    app.router.routes.insert(0, app.router.routes.pop())
    with TestClient(app) as c:
        yield c


def test_the_walk_finds_the_core_errors_and_the_pages_own() -> None:
    assert {E.InsufficientPoints, E.ReferenceUsed, LinkGone, CsrfRefused} <= set(CORE)


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_the_api_and_the_pages_answer_the_same_status(raising: TestClient, name: str) -> None:
    api = raising.get(f"/api/v2/test-raise/{name}")
    page = raising.get(f"/dashboard/test-raise/{name}")
    # The route raised it (in the native face's words for the code, if it has its own).
    code = _instance(BY_NAME[name]).code
    assert api.json()["error"]["code"] == native.WORDS.get(code, (code,))[0]
    assert "text/html" in page.headers["content-type"]
    assert api.status_code == page.status_code
    # Every refusal has a kind in the table: none falls through to a server error.
    assert any(issubclass(BY_NAME[name], kind) for kind in E.HTTP_STATUS)


@pytest.mark.parametrize(
    ("cls", "status"),
    [
        (E.ValidationFailed, 400),
        (E.RefundExceedsOrder, 400),
        (E.Unauthenticated, 401),
        (CsrfRefused, 403),
        (E.InsufficientScope, 403),
        (E.TierNotFound, 404),
        (E.DuplicateMember, 409),
        (LinkGone, 410),
        (E.InsufficientPoints, 422),
        (E.RateLimited, 429),
        (E.ServiceUnavailable, 503),
    ],
)
def test_each_kind_answers_its_status(
    raising: TestClient, cls: type[E.PunchcardError], status: int
) -> None:
    name = CORE[cls]
    assert raising.get(f"/api/v2/test-raise/{name}").status_code == status
    assert raising.get(f"/dashboard/test-raise/{name}").status_code == status


def test_an_error_of_no_kind_is_a_server_error() -> None:
    class Unknown(E.PunchcardError):
        pass

    assert E.http_status(Unknown()) == 500
    assert E.http_status(E.RewardPoolExhausted()) == 409  # its nearest kind, PoolExhausted's
