"""Secrets, tokens and password hashing."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2id with RFC 9106's "low memory" parameters: 64 MiB, 3 passes, 4 lanes. Above
# OWASP's floor (19 MiB, 2 passes, 1 lane); written out so that a change of the
# library's defaults cannot lower them (tests/reliability/test_credentials.py).
PASSWORD_HASHER = PasswordHasher(
    time_cost=3, memory_cost=64 * 1024, parallelism=4, hash_len=32, salt_len=16, type=Type.ID
)
_hasher = PASSWORD_HASHER
# A fixed hash to verify against when the email is unknown, so that a login for an
# unknown email costs the same time as one with a wrong password.
_DUMMY_HASH = _hasher.hash("punchcard-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def random_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """SHA-256 of a high-entropy token (API keys, sessions, reset tokens).

    These tokens carry >= 192 bits of randomness, so a fast hash is enough and lets
    every request authenticate with one indexed lookup.
    """
    return hashlib.sha256(token.encode()).hexdigest()


def hmac_sha256_hex(key: str, message: str) -> str:
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def body_fingerprint(method: str, path: str, body: bytes) -> str:
    """64 hex digits: 16 naming the endpoint (method and path), then 48 of the whole
    request, so a reused key can say whether the endpoint or only the body differed."""
    endpoint = hashlib.sha256(method.encode() + b"\0" + path.encode()).hexdigest()
    h = hashlib.sha256()
    h.update(method.encode())
    h.update(b"\0")
    h.update(path.encode())
    h.update(b"\0")
    h.update(body)
    return endpoint[:ENDPOINT_DIGITS] + h.hexdigest()[: 64 - ENDPOINT_DIGITS]


ENDPOINT_DIGITS = 16
