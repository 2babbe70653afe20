"""Helpers of the SDK tests: a real ``punchcard serve`` process on a temporary SQLite
database (or ``PUNCHCARD_TEST_DATABASE_URL``), teams registered through the API with an
API key made by their owner, a fault-injecting proxy and a webhook receiver.

The server runs its webhook worker (so deliveries are real and signed), limits the
``starter`` plan to 2 requests a second (``PUNCHCARD_RATE_LIMITS``; teams start on
``unlimited``, a rate-limit test moves its own team to ``starter``), and looks every
API key up afresh (no 1 s cache), so a plan change applies to the next request.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from sqlalchemy import create_engine, make_url, text

PASSWORD = "sdk-test-password"


def _free_port() -> int:
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
                self.process.wait()


@contextlib.contextmanager
def server_database(tmp: Path) -> Iterator[str]:
    """A database of the server's own, of the suite's kind: a SQLite file, or with
    ``PUNCHCARD_TEST_DATABASE_URL`` a new PostgreSQL database beside the suite's, dropped
    afterwards. Never the suite's own: the server runs a webhook worker, which would
    deliver the main suite's events behind its back."""
    base = os.environ.get("PUNCHCARD_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp / 'sdk.db'}"
        return
    parsed = make_url(base)
    name = f"pc_sdk_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        parsed.set(drivername="postgresql+psycopg", database="postgres"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def start_server(tmp: Path, database: str) -> Server:
    """``punchcard serve`` (the same command as ``make run``; it migrates ``database``
    first) on a free port."""
    port = _free_port()
    log = tmp / f"server-{port}.log"
    env = {
        **os.environ,
        "PUNCHCARD_DATABASE_URL": database,
        "PUNCHCARD_DEMO_ON_FIRST_START": "false",
        "PUNCHCARD_MAIL_DIR": str(tmp / "mail"),
        "PUNCHCARD_LOG_LEVEL": "warning",
        "PUNCHCARD_RATE_LIMITS": '{"starter": "2/second"}',
        "PUNCHCARD_API_KEY_CACHE_SECONDS": "0",
        # Webhooks to the test's receiver on 127.0.0.1, delivered promptly.
        "PUNCHCARD_WEBHOOKS_ALLOW_PRIVATE": "1",
        "PUNCHCARD_WORKER_POLL_SECONDS": "0.05",
        "PUNCHCARD_WEBHOOK_RETRY_SCHEDULE": ",".join(["1"] * 9),
    }
    cmd = [sys.executable, "-m", "punchcard.cli.main", "serve", "--port", str(port)]
    process = subprocess.Popen(cmd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
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


@dataclass
class Team:
    """A registered team: its owner's session token (for settings) and an API key."""

    url: str
    session_token: str
    api_key: str

    def owner(self) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.url}/api/v2",
            headers={"Authorization": f"Bearer {self.session_token}"},
            timeout=30,
        )

    def new_key(self, preset: str) -> str:
        with self.owner() as owner:
            r = owner.post("/api-keys", json={"name": f"sdk {preset}", "preset": preset})
            assert r.status_code == 201, r.text
            return str(r.json()["key"])


def register(server: Server) -> Team:
    email = f"sdk-{uuid.uuid4().hex[:12]}@example.com"
    r = httpx.post(
        f"{server.url}/api/v2/auth/register",
        json={"email": email, "password": PASSWORD, "teamName": "SDK test"},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    team = Team(server.url, r.json()["token"], "")
    team.api_key = team.new_key("write")
    return team


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class Seen:
    """One request the proxy forwarded, and what became of its answer."""

    method: str
    path: str
    idempotency_key: str | None
    status: int
    replayed: bool
    fault: str | None  # "drop" (answer withheld), "502" (answer replaced), None
    at: float  # time.monotonic() when the request arrived


class FaultyProxy:
    """A tiny HTTP proxy in front of the real server that injects network faults.

    Every request is forwarded to the server. For the first ``faults`` requests that
    ``match``, the server's answer is then lost: ``"drop"`` closes the connection
    without a byte of it (the request *was* processed: what a client sees when a
    connection dies after sending), ``"502"`` answers a gateway error instead (as a
    load balancer would). ``seen`` records every request."""

    def __init__(self, upstream: str, *, match: str = "", fault: str = "drop", faults: int = 1):
        self.upstream = upstream
        self.match = match
        self.fault = fault
        self.faults = faults
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._http = httpx.Client(base_url=upstream, timeout=30)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _forward(self) -> None:
                proxy.handle(self)

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _forward

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        arrived = time.monotonic()
        length = int(h.headers.get("content-length") or 0)
        content = h.rfile.read(length) if length else b""
        skip = {"host", "content-length", "connection", "accept-encoding"}
        headers = {k: v for k, v in h.headers.items() if k.lower() not in skip}
        r = self._http.request(h.command, h.path, content=content, headers=headers)
        with self._lock:
            fault = None
            if self.match in f"{h.command} {h.path}" and self.faults > 0:
                self.faults -= 1
                fault = self.fault
            self.seen.append(
                Seen(
                    h.command,
                    h.path,
                    h.headers.get("idempotency-key"),
                    r.status_code,
                    r.headers.get("idempotent-replayed") == "true",
                    fault,
                    arrived,
                )
            )
        if fault == "drop":
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
            return
        status, body = (502, b"Bad Gateway") if fault == "502" else (r.status_code, r.content)
        h.send_response(status)
        for k, v in r.headers.items():
            if k.lower() not in {
                "content-length",
                "transfer-encoding",
                "connection",
                "date",
                "server",
                "content-encoding",
            }:
                h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._http.close()


class Receiver:
    """A webhook receiver on 127.0.0.1: keeps each delivery's raw body and headers."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[bytes, dict[str, str]]] = []
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                with receiver._cond:
                    receiver.deliveries.append((body, dict(self.headers.items())))
                    receiver._cond.notify_all()
                self.send_response(204)
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def wait_for(self, count: int, timeout: float = 20) -> list[tuple[bytes, dict[str, str]]]:
        with self._cond:
            self._cond.wait_for(lambda: len(self.deliveries) >= count, timeout=timeout)
            assert len(self.deliveries) >= count, f"{len(self.deliveries)} deliveries"
            return list(self.deliveries)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
