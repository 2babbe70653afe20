"""Real ``punchcard serve`` processes over HTTP, on the suite's database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import database_url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_server(
    tmp: Path,
    *,
    env: dict[str, str] | None = None,
    name: str = "server",
    worker: bool = False,
    database: str | None = None,
    args: tuple[str, ...] = (),
) -> Server:
    """A ``punchcard serve`` process; ``worker=True`` runs the in-process webhook worker,
    ``database`` points it at another database than the suite's, ``args`` are more
    options of ``serve`` (``--workers 2``)."""
    port = free_port()
    log = tmp / f"{name}-{port}.log"
    full_env = {
        **os.environ,
        "PUNCHCARD_DATABASE_URL": database or database_url(),
        "PUNCHCARD_DEMO_ON_FIRST_START": "false",
        "PUNCHCARD_MAIL_DIR": str(tmp / "mail"),
        "PUNCHCARD_LOG_LEVEL": "warning",
        **(env or {}),
    }
    cmd = [sys.executable, "-m", "punchcard.cli.main", "serve", "--port", str(port)]
    if not worker:
        cmd.append("--no-worker")
    cmd.extend(args)
    process = subprocess.Popen(cmd, env=full_env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return Server(url, process, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not become ready:\n{log.read_text()}")


@pytest.fixture(scope="session")
def two_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    """Two independent server processes sharing one database."""
    tmp = tmp_path_factory.mktemp("servers")
    a = start_server(tmp, name="a")
    try:
        b = start_server(tmp, name="b")
    except Exception:
        a.stop()
        raise
    yield a, b
    a.stop()
    b.stop()


@pytest.fixture(scope="session")
def server(two_servers: tuple[Server, Server]) -> Server:
    return two_servers[0]
