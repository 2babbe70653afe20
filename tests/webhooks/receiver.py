"""A real HTTP receiver for webhook tests: a threaded server on 127.0.0.1 that records
every request before answering it as the test scripted (status, headers, a hang)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    # Seconds to sit on the request before answering (ended early by `close`).
    hang: float = 0.0


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    def verify(self, secret: str) -> Any:
        """The official verifier's answer (raises WebhookVerificationError)."""
        return Webhook(secret).verify(self.body, self.headers)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Many workers connect at once; the default listen backlog (5) would refuse some.
    request_queue_size = 256


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        # Per path, the scripted replies still to give, each with the requests it is for.
        self._replies: dict[str, list[tuple[Callable[[Received], bool] | None, Reply]]] = {}
        self._cond = threading.Condition()
        self._closing = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                got = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                reply = receiver._record(got)
                if reply.hang:
                    receiver._closing.wait(reply.hang)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the sender gave up (timeout) or was killed

            def log_message(self, *args: Any) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def reply(
        self,
        *replies: Reply,
        path: str = "/hook",
        when: Callable[[Received], bool] | None = None,
    ) -> None:
        """Answer the next requests to ``path`` with ``replies``, then 200 again.

        With ``when``, only requests it accepts take these replies. Concurrent
        deliveries reach the receiver in no fixed order, so a test that fails one
        particular delivery says which one rather than relying on it arriving first.
        """
        with self._cond:
            self._replies.setdefault(path, []).extend((when, r) for r in replies)

    def _record(self, got: Received) -> Reply:
        with self._cond:
            self.requests.append(got)
            self._cond.notify_all()
            queue = self._replies.get(got.path.split("?", 1)[0], [])
            for i, (when, reply) in enumerate(queue):
                if when is None or _accepts(when, got):
                    del queue[i]
                    return reply
            return Reply()

    def wait_for(
        self, count: int, *, timeout: float = 30.0, path: str | None = None
    ) -> list[Received]:
        """Block until ``count`` requests (to ``path``, if given) have arrived."""

        def matching() -> list[Received]:
            return [r for r in self.requests if path is None or r.path == path]

        with self._cond:
            self._cond.wait_for(lambda: len(matching()) >= count, timeout=timeout)
            found = matching()
        assert len(found) >= count, f"expected {count} requests, got {len(found)}"
        return found

    def received(self, path: str | None = None) -> list[Received]:
        with self._cond:
            return [r for r in self.requests if path is None or r.path == path]

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()


def _accepts(when: Callable[[Received], bool], got: Received) -> bool:
    try:
        return when(got)
    except Exception:  # a body the predicate cannot read is not one it is for
        return False
