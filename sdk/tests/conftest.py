"""Fixtures of the SDK tests (helpers in ``sdk_support``): one real server per session,
a fresh team per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from punchcard_sdk import Client
from sdk_support import Server, Team, register, server_database, start_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("sdk-server")
    with server_database(tmp) as database:
        s = start_server(tmp, database)
        yield s
        s.stop()


@pytest.fixture
def team(server: Server) -> Team:
    return register(server)


@pytest.fixture
def other_team(server: Server) -> Team:
    return register(server)


@pytest.fixture
def client(team: Team) -> Iterator[Client]:
    with Client(base_url=team.url, api_key=team.api_key, timeout=30) as c:
        yield c
