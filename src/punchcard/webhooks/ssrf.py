"""Which webhook URLs may be called: http(s) only, and never an internal address.

The host is resolved here, at creation and again before every attempt, and *every*
address it resolves to must be public: a name that answers with one public and one
private address is refused, because the connection could pick either. The sender then
connects to an address from this check (see ``sender``), so a DNS answer that changes
between the check and the connection (DNS rebinding) cannot redirect the request.

``allow_private`` (``PUNCHCARD_WEBHOOKS_ALLOW_PRIVATE=1``) lifts the address rules for
local development and tests. Cloud metadata endpoints stay refused even then: no
legitimate receiver lives there, and they hand out credentials.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., list[tuple[Any, ...]]]

MAX_URL_LENGTH = 2048
SCHEMES = {"http": 80, "https": 443}

# Instance metadata services (AWS, GCP, Azure, ECS task roles, Alibaba, Oracle).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",
        "169.254.170.2",
        "100.100.100.200",
        "192.0.0.192",
        "fd00:ec2::254",
    )
)
METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
# 64:ff9b::/96 (NAT64) embeds an IPv4 address in its last 32 bits.
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# inet_aton's legacy numeric hosts: 2130706433, 0x7f000001, 0177.0.0.1, 127.1 ...
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}$", re.I)


class UnsafeUrl(ValueError):
    """The URL may not be called; the message says why."""


@dataclass(frozen=True)
class Target:
    """A checked URL and the addresses the sender may connect to."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]


def check(url: str, *, allow_private: bool, resolver: Resolver | None = None) -> Target:
    """Parse, resolve and vet ``url``; raise ``UnsafeUrl`` with the reason if refused."""
    parts = _parse(url)
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeUrl("URL has no host")
    port = _port(parts)
    if not 0 < port < 65536:
        raise UnsafeUrl("URL port must be between 1 and 65535")
    if host in METADATA_HOSTS:
        raise UnsafeUrl("URL points to a cloud metadata service")
    literal = literal_ip(host)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        addresses = _resolve(host, port, resolver or socket.getaddrinfo)
    for address in addresses:
        reason = refusal(address, allow_private=allow_private)
        if reason is None:
            continue
        if literal is None:
            raise UnsafeUrl(f"URL host {host} resolves to {address}, {reason}")
        shown = host if host.strip("[]") == str(literal) else f"{host} ({literal})"
        raise UnsafeUrl(f"URL host {shown} is {reason}")
    return Target(
        url=url,
        scheme=parts.scheme.lower(),
        host=host,
        port=port,
        addresses=tuple(str(a) for a in addresses),
    )


def _parse(url: str) -> SplitResult:
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl(f"URL is longer than {MAX_URL_LENGTH} characters")
    if any(c.isspace() for c in url) or any(ord(c) < 32 for c in url):
        raise UnsafeUrl("URL contains whitespace or control characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise UnsafeUrl(f"URL is not valid: {exc}") from exc
    if parts.scheme.lower() not in SCHEMES:
        raise UnsafeUrl("URL must use http or https")
    if not parts.hostname:
        raise UnsafeUrl("URL has no host")
    return parts


def _port(parts: SplitResult) -> int:
    return parts.port or SCHEMES[parts.scheme.lower()]


def literal_ip(host: str) -> IPAddress | None:
    """The address a host names literally, including inet_aton's decimal, hex, octal
    and short forms (``2130706433``, ``0x7f000001``, ``0177.0.0.1``, ``127.1``), which
    resolvers accept and a naive check would take for names."""
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare.split("%", 1)[0])
    except ValueError:
        pass
    if _NUMERIC_HOST.match(bare):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError as exc:
            raise UnsafeUrl(f"URL host {host} is not a valid address") from exc
    return None


def _resolve(host: str, port: int, resolver: Resolver) -> list[IPAddress]:
    try:
        infos = resolver(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeUrl(f"URL host {host} does not resolve") from exc
    found: list[IPAddress] = []
    for info in infos:
        raw = str(info[4][0]).split("%", 1)[0]
        address = ipaddress.ip_address(raw)
        if address not in found:
            found.append(address)
    if not found:
        raise UnsafeUrl(f"URL host {host} does not resolve")
    return found


def refusal(address: IPAddress, *, allow_private: bool) -> str | None:
    """Why ``address`` may not receive webhooks, or None when it may."""
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        if embedded in METADATA_ADDRESSES:
            return "a cloud metadata address"
        address = embedded
    if allow_private:
        return None
    checks = (
        ("is_unspecified", "an unspecified address"),
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_private", "a private address"),
        ("is_reserved", "a reserved address"),
    )
    for attribute, reason in checks:
        if getattr(address, attribute):
            return reason
    if not address.is_global:
        return "not a public address"
    return None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside a v4-mapped, 6to4, Teredo or NAT64 IPv6 address."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None
