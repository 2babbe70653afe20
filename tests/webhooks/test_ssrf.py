"""SSRF: internal addresses are refused at creation (400 naming url) and at every send,
unless PUNCHCARD_WEBHOOKS_ALLOW_PRIVATE is on."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from punchcard.app import create_app, event_renderers
from punchcard.config import Settings
from punchcard.db.uow import Database
from punchcard.webhooks import sender, ssrf
from punchcard.webhooks.config import DeliveryConfig
from punchcard.worker.delivery import DeliveryWorker
from tests.factories import Api, Tenant, award, insert_member, make_tenant
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import create_endpoint, deliveries

BAD_URLS = [
    "http://127.0.0.1/hook",
    "http://127.0.0.1:8080/hook",
    "http://127.8.9.10/",
    "http://[::1]/hook",
    "http://10.0.0.1/hook",
    "http://10.255.255.254/",
    "http://172.16.0.1/hook",
    "http://172.31.255.255/",
    "http://192.168.0.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.1.1/",
    "http://0.0.0.0/",
    "http://[::]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://017700000001/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://[fd00:ec2::254]/",
    "http://224.0.0.1/",
    "http://100.64.0.1/",
    "http://[2002:7f00:1::]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://localhost/hook",
    "http://LOCALHOST:9000/hook",
    "http://metadata.google.internal/computeMetadata/v1/",
    "ftp://example.com/hook",
    "file:///etc/passwd",
    "gopher://127.0.0.1:25/",
    "javascript:alert(1)",
    "http:///no-host",
    "https://",
    "http://example.com:99999/",
    "https://example.com:0/",
    "http://./",
    "http://exa mple.com/",
]


@pytest.fixture(scope="module")
def strict_client(settings: Settings, db: Database) -> Iterator[TestClient]:
    """An app with PUNCHCARD_WEBHOOKS_ALLOW_PRIVATE off, as in production."""
    strict = settings.model_copy(update={"webhooks_allow_private": False})
    with TestClient(create_app(strict, db=db)) as c:
        yield c


@pytest.fixture(scope="module")
def strict_api(strict_client: TestClient, db: Database, client: TestClient) -> Api:
    """One tenant for the whole corpus (tenants are not what these tests are about)."""
    return Api(strict_client, make_tenant(db, client).api.token)


def test_the_corpus_is_large_enough() -> None:
    assert len(BAD_URLS) >= 20


@pytest.mark.parametrize("url", BAD_URLS)
def test_internal_and_non_http_urls_are_refused_as_400_naming_url(
    strict_api: Api, url: str
) -> None:
    r = strict_api.post("/webhooks", json={"url": url, "events": ["*"]})
    assert r.status_code == 400, (url, r.text)
    assert r.json()["error"]["field"] == "url"


def test_patching_to_an_internal_url_is_refused(strict_client: TestClient, tenant: Tenant) -> None:
    api = Api(strict_client, tenant.api.token)
    hook = create_endpoint(api, "https://93.184.216.34/hook")
    r = api.patch(f"/webhooks/{hook['id']}", json={"url": "http://10.1.2.3/"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "url"


def test_a_public_address_is_accepted(strict_client: TestClient, tenant: Tenant) -> None:
    api = Api(strict_client, tenant.api.token)
    r = api.post("/webhooks", json={"url": "https://93.184.216.34:8443/hook?x=1", "events": ["*"]})
    assert r.status_code == 201, r.text


def test_allow_private_lets_loopback_through(tenant: Tenant, receiver: Receiver) -> None:
    # The suite's own app runs with PUNCHCARD_WEBHOOKS_ALLOW_PRIVATE=1.
    assert (
        tenant.api.post("/webhooks", json={"url": receiver.url(), "events": ["*"]}).status_code
        == 201
    )


def test_metadata_stays_refused_even_when_private_is_allowed() -> None:
    for url in (
        "http://169.254.169.254/",
        "http://[fd00:ec2::254]/",
        "http://metadata.google.internal/",
    ):
        with pytest.raises(ssrf.UnsafeUrl, match="metadata"):
            ssrf.check(url, allow_private=True)


def _resolver(answers: dict[str, list[str]]) -> Any:
    def resolve(host: str, port: int, **_kw: Any) -> list[tuple[Any, ...]]:
        if host not in answers:
            raise socket.gaierror("unknown host")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answers[host]]

    return resolve


def test_a_name_with_any_private_address_is_refused() -> None:
    resolver = _resolver({"mixed.example": ["93.184.216.34", "10.0.0.5"]})
    with pytest.raises(ssrf.UnsafeUrl, match="private"):
        ssrf.check("https://mixed.example/", allow_private=False, resolver=resolver)


def test_a_name_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(ssrf.UnsafeUrl, match="does not resolve"):
        ssrf.check("https://nowhere.invalid/", allow_private=False, resolver=_resolver({}))


def test_a_public_name_resolves_to_its_addresses() -> None:
    resolver = _resolver({"hooks.example": ["93.184.216.34"]})
    target = ssrf.check("https://hooks.example/x", allow_private=False, resolver=resolver)
    assert target.addresses == ("93.184.216.34",) and target.port == 443


def test_an_address_that_turns_private_after_creation_is_refused_at_send(
    db: Database, tenant: Tenant, receiver: Receiver
) -> None:
    """Created while private addresses were allowed; a worker without that permission
    refuses the attempt (and will retry it) without ever connecting."""
    hook = create_endpoint(tenant.api, receiver.url(), events=["points.awarded"])
    award(tenant, insert_member(tenant), 10)
    strict = DeliveryConfig(retry_schedule=(60.0,), timeout=2.0, allow_private=False, jitter=0.0)
    worker = DeliveryWorker(db, strict, renderers=event_renderers(), tenant_id=tenant.id)
    try:
        assert worker.drain() == 1
    finally:
        worker.close()
    assert receiver.received() == []
    (log,) = deliveries(tenant.api, hook["id"])
    assert log["status"] == "pending"
    assert log["attempts"][0]["error"].startswith("refused: ")
    assert "loopback" in log["attempts"][0]["error"]


def test_the_connection_goes_to_the_checked_address(
    monkeypatch: pytest.MonkeyPatch, tenant: Tenant, receiver: Receiver, worker: DeliveryWorker
) -> None:
    """A name is resolved once, by the check; the request is sent to that address with
    the name in the Host header (no second lookup a rebinding DNS server could answer)."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "hooks.rebind.test":
            lookups.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    url = f"http://hooks.rebind.test:{receiver.port}/hook?source=punchcard"
    hook = create_endpoint(tenant.api, url, events=["points.awarded"])
    lookups.clear()
    award(tenant, insert_member(tenant), 10)
    worker.drain()
    (got,) = receiver.received()
    assert got.headers["host"] == f"hooks.rebind.test:{receiver.port}"
    assert got.path == "/hook?source=punchcard"
    assert lookups == ["hooks.rebind.test"]  # the check's lookup, and no other
    assert got.verify(hook["secret"])["type"] == "points.awarded"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI for a test CA")
def test_https_to_the_checked_address_still_verifies_the_hosts_certificate(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Pinning the IP keeps TLS honest: the server name sent and verified is the host's."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem"),
         "-subj", "/CN=hooks.tls.test", "-addext", "subjectAltName=DNS:hooks.tls.test"],
        check=True,
        capture_output=True,
    )  # fmt: skip

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["content-length"]))
            body = f"sni ok, host={self.headers['host']}".encode()
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    real = socket.getaddrinfo

    def fake(host: Any, p: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "hooks.tls.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", p))]
        return real(host, p, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    trust = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
    client = httpx.Client(
        verify=trust,
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_keepalive_connections=0),
    )
    secret = ("whsec_" + "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0",)
    try:
        by_name = sender.send(
            client,
            sender.Outgoing(f"https://hooks.tls.test:{port}/x", "msg_1", "{}", secret),
            at=datetime.now(UTC),
            allow_private=True,
        )
        by_ip = sender.send(
            client,
            sender.Outgoing(f"https://127.0.0.1:{port}/x", "msg_1", "{}", secret),
            at=datetime.now(UTC),
            allow_private=True,
        )
    finally:
        client.close()
        server.shutdown()
        server.server_close()
    assert by_name.status_code == 200
    assert by_name.response_excerpt == f"sni ok, host=hooks.tls.test:{port}"
    # The certificate names the host, not the address: verification is not skipped.
    assert by_ip.status_code is None and "certificate verify failed" in (by_ip.error or "")
