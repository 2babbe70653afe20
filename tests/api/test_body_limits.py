"""Request size limits on every face: a body over ``PUNCHCARD_MAX_BODY_BYTES`` (1 MB by
default; the batch and bulk endpoints 10 MB) is a 413 in the face's own envelope,
whether it declares its length or arrives chunked, and nothing is written; a live
server refuses a chunked body without holding it in memory. A member's ``metadata`` is
capped in the core (16 KB of JSON, five levels deep), whichever face sends it."""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.api.bodies import (
    ADDGLOW,
    ADVOCATE,
    CREATE,
    FACES,
    NATIVE,
    SHOPSOCIALLY,
    create_body,
    error,
    headers,
    written,
)
from tests.e2e.conftest import start_server
from tests.factories import Tenant, insert_member, make_tenant

MB = 1_048_576


def _padded(face: str, size: int) -> bytes:
    """A valid create body of about ``size`` bytes (the padding in a text field)."""
    field = "name" if face == ADDGLOW else ("first_name" if face == SHOPSOCIALLY else "firstName")
    return json.dumps(create_body(face, **{field: "x" * size})).encode()


@pytest.mark.parametrize("face", FACES)
def test_a_declared_length_over_the_limit_is_a_413_and_writes_nothing(
    tenant: Tenant, face: str
) -> None:
    before = written(tenant, face)
    r = tenant.client.post(
        face + CREATE[face],
        content=_padded(face, MB + 10),
        headers=headers(tenant, face, "application/json"),
    )
    code, message, _ = error(r, face, 413)
    assert code in (None, "PAYLOAD_TOO_LARGE")
    assert "larger than 1048576 bytes" in message
    assert written(tenant, face) == before


@pytest.mark.parametrize("face", FACES)
def test_a_chunked_body_over_the_limit_is_a_413_and_writes_nothing(
    tenant: Tenant, face: str
) -> None:
    body = _padded(face, MB + 10)

    def chunks() -> Iterator[bytes]:  # no Content-Length: Transfer-Encoding: chunked
        for i in range(0, len(body), 65_536):
            yield body[i : i + 65_536]

    before = written(tenant, face)
    r = tenant.client.post(
        face + CREATE[face], content=chunks(), headers=headers(tenant, face, "application/json")
    )
    assert "content-length" not in {k.lower() for k in r.request.headers}
    code, message, _ = error(r, face, 413)
    assert code in (None, "PAYLOAD_TOO_LARGE") and "1048576" in message
    assert written(tenant, face) == before


@pytest.mark.parametrize("face", FACES)
def test_a_body_under_the_limit_is_read(tenant: Tenant, face: str) -> None:
    before = written(tenant, face)
    r = tenant.client.post(
        face + CREATE[face],
        content=json.dumps(create_body(face)).encode(),
        headers=headers(tenant, face, "application/json"),
    )
    assert r.status_code in (200, 201), r.text
    assert written(tenant, face) == before + 1


@pytest.mark.parametrize(
    ("face", "path"),
    [
        (NATIVE, "/members/batch"),
        (NATIVE, "/orders/batch"),
        (ADDGLOW, "/products/bulk"),
        (ADDGLOW, "/product-variants/bulk"),
    ],
)
def test_a_batch_endpoint_takes_more_than_the_default_limit(
    tenant: Tenant, face: str, path: str
) -> None:
    # 2 MB: over the default limit, within the bulk one; it reaches the endpoint's own
    # validation (an unknown field), not the size guard.
    body = json.dumps({"padding": "x" * (2 * MB)}).encode()
    r = tenant.client.post(
        face + path, content=body, headers=headers(tenant, face, "application/json")
    )
    code, _, field = error(r, face, 400)
    assert code == "VALIDATION_ERROR" and field is not None
    huge = b'{"padding": "' + b"x" * (10 * MB + 10) + b'"}'
    r = tenant.client.post(
        face + path, content=huge, headers=headers(tenant, face, "application/json")
    )
    code, message, _ = error(r, face, 413)
    assert code == "PAYLOAD_TOO_LARGE" and "10485760" in message


@pytest.mark.parametrize("face", FACES)
def test_every_face_documents_its_413(client: Any, face: str) -> None:
    doc = client.get(f"{face}/openapi.json").json()
    post = doc["paths"][face + CREATE[face]]["post"]
    assert "PUNCHCARD_MAX_BODY_BYTES" in post["responses"]["413"]["description"]
    for ops in doc["paths"].values():
        for method, op in ops.items():
            if method != "get":
                assert "413" in op["responses"], (method, op.get("summary"))


@pytest.mark.parametrize(
    "path", ["/api/v2/members/batch", "/api/v2/orders/batch", "/addglow/v1/products/bulk"]
)
def test_a_batch_endpoint_documents_its_larger_limit(client: Any, path: str) -> None:
    face = "/" + "/".join(path.split("/")[1:3])
    doc = client.get(f"{face}/openapi.json").json()
    assert "10 MB" in doc["paths"][path]["post"]["responses"]["413"]["description"]


# metadata, capped in the core ----------------------------------------------------------


def _deep(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


@pytest.mark.parametrize("face", [NATIVE, ADVOCATE])
@pytest.mark.parametrize(
    "metadata",
    [{"notes": "x" * 17_000}, _deep(6)],
    ids=["over-16KB", "six-levels"],
)
def test_metadata_over_the_cap_is_a_400_naming_it(
    tenant: Tenant, face: str, metadata: dict[str, Any]
) -> None:
    before = written(tenant, face)
    r = tenant.client.post(
        face + CREATE[face],
        json=create_body(face, metadata=metadata),
        headers=headers(tenant, face),
    )
    code, _, field = error(r, face, 400)
    assert (code, field) == ("VALIDATION_ERROR", "metadata")
    assert written(tenant, face) == before


def test_metadata_within_the_cap_is_kept(tenant: Tenant) -> None:
    metadata = {"notes": "x" * 16_000, "deep": _deep(4)}
    r = tenant.api.post("/members", json=create_body(NATIVE, metadata=metadata))
    assert r.status_code == 201, r.text
    assert r.json()["metadata"] == metadata


def test_an_update_cannot_grow_metadata_past_the_cap(tenant: Tenant) -> None:
    member = insert_member(tenant)
    r = tenant.api.patch(f"/members/{member}", json={"metadata": {"notes": "x" * 17_000}})
    assert r.status_code == 400 and r.json()["error"]["field"] == "metadata", r.text
    assert tenant.api.get(f"/members/{member}").json()["metadata"] == {}


def test_a_batch_row_with_metadata_over_the_cap_fails_alone(tenant: Tenant) -> None:
    rows = [
        {"externalId": "big", "metadata": {"notes": "x" * 17_000}},
        {"externalId": "fine", "metadata": {"notes": "ok"}},
    ]
    r = tenant.api.post("/members/batch", json={"members": rows})
    assert r.status_code == 200, r.text
    statuses = [row["status"] for row in r.json()["results"]]
    assert statuses[0] == "error" and statuses[1] == "created", r.json()
    assert "metadata" in json.dumps(r.json()["results"][0])


# a real server process ------------------------------------------------------------------


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _send_chunked(url: str, path: str, token: str, total: int) -> tuple[bytes, int]:
    """Send up to ``total`` bytes as a chunked body until the server answers; return
    the answer and how many body bytes were sent."""
    parsed = urlparse(url)
    sock = socket.create_connection((parsed.hostname, parsed.port), timeout=30)
    sent = 0
    try:
        sock.sendall(
            (
                f"POST {path} HTTP/1.1\r\nHost: {parsed.netloc}\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                "Transfer-Encoding: chunked\r\n\r\n"
            ).encode()
        )
        chunk = b"x" * 65_536
        framed = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
        sock.sendall(b'7\r\n{"a":"x\r\n')
        while sent < total:
            if select.select([sock], [], [], 0)[0]:
                break  # the server has answered
            try:
                sock.sendall(framed)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        answer = b""
        deadline = time.monotonic() + 30
        while b"\r\n\r\n" not in answer and time.monotonic() < deadline:
            data = sock.recv(65_536)
            if not data:
                break
            answer += data
        return answer, sent
    finally:
        sock.close()


def test_a_live_server_refuses_a_chunked_body_without_holding_it(
    db: Any, client: Any, tmp_path: Path
) -> None:
    t = make_tenant(db, client)
    server = start_server(tmp_path, name="body-limit")
    try:
        pid = server.process.pid
        before = _rss_kb(pid)
        answer, sent = _send_chunked(server.url, "/api/v2/members", t.api.token, 64 * MB)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert b"PAYLOAD_TOO_LARGE" in answer or b"\r\n\r\n" in answer
        # It stopped reading near the limit: far less than the 64 MB offered was taken,
        # and the process did not grow by anything like the body.
        assert sent < 32 * MB
        assert _rss_kb(pid) - before < 16 * 1024
        assert written(t, NATIVE) == 0
    finally:
        server.stop()
