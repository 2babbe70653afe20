"""Schema fuzzing with schemathesis: every operation of every face, in-process (ASGI)
and against a live ``punchcard serve``, authenticated with a real key of a seeded
tenant. Every response must be free of server errors, match its documented schema,
carry a documented status code, and leak no secret.

Each mode (in-process, live) generates at least ``FUZZ_TARGET`` cases over all the
operations of every face (1,000 in CI, 10,000 under ``make soak``); the end-of-run
summary prints the counts, and the run fails if one falls short.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.e2e.conftest import Server, start_server
from tests.reliability.conftest import SOAK, SecretScanner, session_token
from tests.reliability.openapi import document, operations
from tests.reliability.seed import Seeded, loyalty_headers, path_values

# A fixed seed in CI makes a failure reproducible; the soak explores afresh. Another
# seed replays a soak's failure, or explores in a bounded run: PUNCHCARD_FUZZ_SEED=123.
_SEED = os.environ.get("PUNCHCARD_FUZZ_SEED")
SEED = int(_SEED) if _SEED else (None if SOAK else 20_250_101)


def _config(*, live: bool) -> schemathesis.Config:
    """In-process: every phase (the schema's examples, the coverage phase's boundary and
    malformed values, then random fuzzing). Live, in CI: random fuzzing only, enough to
    cross a real socket and server with every operation; under soak, every phase."""
    fuzz_only = live and not SOAK
    return schemathesis.Config.from_dict(
        {
            # A slow answer on a loaded CI machine is not a failure (no timing
            # assertions); a hung request still fails, after two minutes.
            "request-timeout": 120,
            **({} if SEED is None else {"seed": SEED}),
            "phases": {
                "examples": {"enabled": not fuzz_only},
                "coverage": {"enabled": not fuzz_only},
                "fuzzing": {"enabled": True},
            },
            "generation": {
                # Random cases per operation (the other phases add their own).
                "max-examples": 100 if SOAK else (12 if live else 4),
                "database": "none",
                # Unknown query parameters are ignored by design (as by most HTTP APIs;
                # bodies are strict): an extra one is not an invalid request.
                "allow-extra-parameters": False,
                # The credentials are real ones (see `_credentials`), not generated.
                "with-security-parameters": False,
            },
            "checks": {
                # Valid-looking input may still be refused by a business rule (an
                # unknown id is 404, a spent coupon 404, a duplicate 409, points short
                # 422): every such answer is documented, and the other checks hold it
                # to its schema.
                "positive_data_acceptance": {"enabled": False},
            },
            "operations": [
                {
                    # ShopSocially's document has `/users/{user_email}` (GET) and
                    # `/users/{uid}` (PUT): one URL, two templates. `Allow: GET, PUT` is
                    # right for the URL; the check compares it with one template.
                    "include-path-regex": "^/v2/loyalty/users/\\{(user_email|uid)\\}$",
                    "checks": {"allow_header_conformance": {"enabled": False}},
                }
            ],
        }
    )


# Filled by the fixtures before generation starts (hooks run while Hypothesis draws).
_IDS: dict[tuple[str, str], str] = {}
_STATE: dict[str, Any] = {}


class _SuiteApp:
    """The suite's app, known only once its fixture runs; schemathesis needs an ASGI
    callable when it builds the tests, at import."""

    app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


SUITE_APP = _SuiteApp()


def _schema(face: str, *, in_process: bool) -> Any:
    schema = schemathesis.openapi.from_dict(document(face), config=_config(live=not in_process))
    if in_process:
        schema.app = SUITE_APP
    return schema


NATIVE = _schema("native", in_process=True)
ADVOCATE = _schema("advocate", in_process=True)
LOYALTY = _schema("shopsocially", in_process=True)
ADDGLOW = _schema("addglow", in_process=True)
NATIVE_LIVE = _schema("native", in_process=False)
ADVOCATE_LIVE = _schema("advocate", in_process=False)
LOYALTY_LIVE = _schema("shopsocially", in_process=False)
ADDGLOW_LIVE = _schema("addglow", in_process=False)


def _with_real_ids(context: Any, path_parameters: dict[str, Any]) -> Any:
    """Half the cases address seeded objects, so they reach the code behind the lookup."""
    if not path_parameters:
        return st.just(path_parameters)
    real = {**path_parameters, **path_values(context.operation.path, _IDS)}
    return st.sampled_from([path_parameters, real])


for _each in (
    NATIVE,
    ADVOCATE,
    LOYALTY,
    ADDGLOW,
    NATIVE_LIVE,
    ADVOCATE_LIVE,
    LOYALTY_LIVE,
    ADDGLOW_LIVE,
):
    _each.hook("flatmap_path_parameters")(_with_real_ids)


def _credentials(case: schemathesis.Case) -> dict[str, str]:
    """The credentials the case's operation needs."""
    t = _STATE["seeded"].tenant
    scope = case.operation.definition.raw.get("x-required-scope")
    if case.operation.path.startswith("/v2/loyalty"):
        return loyalty_headers(t) if scope else {}
    if case.operation.path == "/api/v2/auth/logout":
        token = session_token(t)  # it ends the session it is called with
        _STATE["scanner"].known(token)
        return {"Authorization": f"Bearer {token}"}
    if scope in ("session", "admin-session"):
        return {"Authorization": f"Bearer {_STATE['owner']}"}
    if scope:
        return {"Authorization": f"Bearer {t.api.token}"}
    return {}


@dataclass
class Fuzzer:
    """Sends each case, lets schemathesis check the answer, and scans it for secrets."""

    scanner: SecretScanner
    base_url: str | None = None
    cases: int = 0

    def run(self, case: schemathesis.Case) -> None:
        self.cases += 1
        # Real credentials, passed as the caller's headers: schemathesis' `ignored_auth`
        # check takes them off again and expects a 401.
        kwargs: dict[str, Any] = {"headers": _credentials(case)}
        if self.base_url is not None:
            kwargs["base_url"] = self.base_url
            # A request the server never answers fails the case, not the whole run.
            kwargs["timeout"] = 60
        response = case.call_and_validate(**kwargs)
        self.scanner.check(
            case.method.upper(), case.formatted_path, response.status_code, response.content
        )


def _record(request: pytest.FixtureRequest, mode: str, fuzzer: Fuzzer) -> None:
    faces = ("native", "advocate", "shopsocially", "addglow")
    face = next(f for f in faces if f in request.node.name)
    data = {"mode": mode, "face": face, "cases": fuzzer.cases, "operations": len(operations(face))}
    request.node.user_properties.append(("fuzz", json.dumps(data)))


@pytest.fixture(scope="module")
def fuzz_ids(seeded: Seeded, scanner: SecretScanner) -> Seeded:
    _IDS.clear()
    _IDS.update(seeded.path_ids())
    owner = session_token(seeded.tenant)
    _STATE.update(seeded=seeded, scanner=scanner, owner=owner)
    scanner.known(seeded.tenant.api.token, seeded.tenant.owner.token, owner)
    return seeded


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(Path(tmp_path_factory.mktemp("fuzz")), name="fuzz")
    yield server
    server.stop()


@pytest.fixture
def in_process(
    request: pytest.FixtureRequest, app: Any, fuzz_ids: Seeded, scanner: SecretScanner
) -> Iterator[Fuzzer]:
    SUITE_APP.app = app
    fuzzer = Fuzzer(scanner)
    yield fuzzer
    _record(request, "in-process", fuzzer)


@pytest.fixture
def over_http(
    request: pytest.FixtureRequest, live: Server, fuzz_ids: Seeded, scanner: SecretScanner
) -> Iterator[Fuzzer]:
    fuzzer = Fuzzer(scanner, base_url=live.url)
    yield fuzzer
    _record(request, "live", fuzzer)


# The fuzzer fixture is per operation on purpose: it counts that operation's cases.
PER_OPERATION = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@NATIVE.parametrize()
@PER_OPERATION
def test_native_in_process(case: schemathesis.Case, in_process: Fuzzer) -> None:
    in_process.run(case)


@ADVOCATE.parametrize()
@PER_OPERATION
def test_advocate_in_process(case: schemathesis.Case, in_process: Fuzzer) -> None:
    in_process.run(case)


@LOYALTY.parametrize()
@PER_OPERATION
def test_shopsocially_in_process(case: schemathesis.Case, in_process: Fuzzer) -> None:
    in_process.run(case)


@ADDGLOW.parametrize()
@PER_OPERATION
def test_addglow_in_process(case: schemathesis.Case, in_process: Fuzzer) -> None:
    in_process.run(case)


@pytest.mark.slow
@NATIVE_LIVE.parametrize()
@PER_OPERATION
def test_native_live(case: schemathesis.Case, over_http: Fuzzer) -> None:
    over_http.run(case)


@pytest.mark.slow
@ADVOCATE_LIVE.parametrize()
@PER_OPERATION
def test_advocate_live(case: schemathesis.Case, over_http: Fuzzer) -> None:
    over_http.run(case)


@pytest.mark.slow
@LOYALTY_LIVE.parametrize()
@PER_OPERATION
def test_shopsocially_live(case: schemathesis.Case, over_http: Fuzzer) -> None:
    over_http.run(case)


@pytest.mark.slow
@ADDGLOW_LIVE.parametrize()
@PER_OPERATION
def test_addglow_live(case: schemathesis.Case, over_http: Fuzzer) -> None:
    over_http.run(case)
