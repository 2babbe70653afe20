"""One webhook attempt over HTTP: vet the URL, connect to the vetted address, send the
signed body, and report what happened. Never raises for a receiver's failure.

The connection goes to an address that ``ssrf.check`` just approved (the request URL
carries the IP; the ``Host`` header and the TLS server name carry the original host,
so virtual hosting and certificate checks still work). Redirects are not followed and
proxy environment variables are ignored, either of which would bypass the check.
Keep-alive is off: a pooled connection is keyed by IP and would otherwise carry one
host's TLS session to another host that shares the address.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import unquote, urlsplit

import httpx

from punchcard import __version__
from punchcard.webhooks import signing, ssrf
from punchcard.webhooks.config import MAX_RETRY_AFTER

EXCERPT_BYTES = 1024
USER_AGENT = f"Punchcard-Webhooks/{__version__}"


@dataclass(frozen=True)
class Outgoing:
    url: str
    msg_id: str
    # None: the event could not be rendered (the attempt fails without sending).
    body: str | None
    secrets: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    status_code: int | None
    latency_ms: float
    response_excerpt: str | None = None
    error: str | None = None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def new_client(timeout: float) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_keepalive_connections=0),
    )


def send(client: httpx.Client, outgoing: Outgoing, *, at: datetime, allow_private: bool) -> Result:
    """POST ``outgoing`` signed with timestamp ``at``."""
    started = time.perf_counter()
    if outgoing.body is None:
        return Result(None, _ms(started), error="the event body could not be rendered")
    try:
        target = ssrf.check(outgoing.url, allow_private=allow_private)
    except ssrf.UnsafeUrl as exc:
        return Result(None, _ms(started), error=f"refused: {exc}")
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        **signing.headers(outgoing.msg_id, at, outgoing.body, outgoing.secrets),
    }
    content = outgoing.body.encode()
    last_error = "no address to connect to"
    for address in target.addresses:
        url, extensions, host_header = _pinned(target, address)
        try:
            with client.stream(
                "POST",
                url,
                content=content,
                headers={**headers, "host": host_header},
                extensions=extensions,
            ) as response:
                excerpt = _excerpt(response)
                return Result(
                    response.status_code,
                    _ms(started),
                    response_excerpt=excerpt,
                    retry_after=_retry_after(response, at),
                )
        except httpx.ConnectError as exc:
            # Nothing was sent: the next address of the host may be reachable.
            last_error = f"connection failed: {exc or type(exc).__name__}"
        except httpx.TimeoutException as exc:
            return Result(None, _ms(started), error=f"timeout: {type(exc).__name__}")
        except httpx.HTTPError as exc:
            return Result(None, _ms(started), error=f"{type(exc).__name__}: {exc}")
    return Result(None, _ms(started), error=last_error)


def _pinned(target: ssrf.Target, address: str) -> tuple[httpx.URL, dict[str, str], str]:
    """The request URL with ``address`` as its host, the TLS server name, and the
    ``Host`` header the receiver expects."""
    parts = urlsplit(target.url)
    url = httpx.URL(scheme=target.scheme, host=address, port=target.port, path=parts.path or "/")
    if parts.query:
        url = url.copy_with(query=parts.query.encode())
    if parts.username is not None:
        url = url.copy_with(
            username=unquote(parts.username), password=unquote(parts.password or "")
        )
    # A literal host (even 0x7f000001) is named by its canonical address.
    name = address if ssrf.literal_ip(target.host) is not None else target.host
    host = f"[{name}]" if ":" in name else name
    if target.port != ssrf.SCHEMES[target.scheme]:
        host = f"{host}:{target.port}"
    extensions = {"sni_hostname": name} if target.scheme == "https" else {}
    return url, extensions, host


def _excerpt(response: httpx.Response) -> str | None:
    """At most the first KiB of the answer; a body that stalls keeps what arrived."""
    data = b""
    try:
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) >= EXCERPT_BYTES:
                break
    except httpx.HTTPError:
        pass
    if not data:
        return None
    return data[:EXCERPT_BYTES].decode("utf-8", errors="replace")


def _retry_after(response: httpx.Response, at: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    if response.status_code != 429:
        return None
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - at).total_seconds()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
