"""Outgoing mail: SMTP when ``PUNCHCARD_SMTP_URL`` is set, else ``.eml`` files.

With no SMTP server configured (a laptop, the test suite) every message is written as
an RFC 5322 file into ``PUNCHCARD_MAIL_DIR``, where a developer can open it in any mail
client. ``smtp://user:pass@host:port`` sends with STARTTLS when the server offers it;
``smtps://…`` connects over TLS from the start.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formatdate, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

from punchcard.config import Settings
from punchcard.kit.ids import new_id

log = logging.getLogger("punchcard.mail")

SMTP_TIMEOUT_SECONDS = 10.0
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


@dataclass(frozen=True)
class Mail:
    """A plain-text message waiting to be sent (e.g. after the transaction commits)."""

    to: str
    subject: str
    text: str


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    ssl: bool
    username: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpTarget:
    """``smtp://user:pass@host:port`` or ``smtps://…``; user and password may be %-encoded."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError("PUNCHCARD_SMTP_URL must look like smtp://user:pass@host:port")
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or DEFAULT_PORTS[parts.scheme],
        ssl=parts.scheme == "smtps",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def build_message(
    settings: Settings, *, to: str, subject: str, text: str, at: datetime | None = None
) -> EmailMessage:
    """The RFC 5322 message. Header values with line breaks are refused (no injection)."""
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(at) if at is not None else formatdate(usegmt=True)
    # An explicit domain: the default asks the resolver for this host's FQDN, which
    # can block for seconds on a badly configured machine.
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "punchcard.local"
    msg["Message-ID"] = make_msgid(domain=domain)
    # Plain ASCII goes out as-is (7bit allows lines up to 998 octets), so a reset link
    # stays one clickable line; the automatic choice would quoted-print long lines.
    plain = text.isascii() and all(len(line) <= 998 for line in text.splitlines())
    msg.set_content(text, cte="7bit" if plain else None)
    return msg


def send(
    settings: Settings, *, to: str, subject: str, text: str, at: datetime | None = None
) -> Path | None:
    """Send one message. Returns the ``.eml`` path when written to the mail directory."""
    msg = build_message(settings, to=to, subject=subject, text=text, at=at)
    if settings.smtp_url:
        _send_smtp(parse_smtp_url(settings.smtp_url), msg)
        return None
    return _write_eml(Path(settings.mail_dir), msg)


def deliver(settings: Settings, mail: Mail) -> None:
    """Send ``mail`` and log, not raise, a failure: for work done after the response."""
    try:
        send(settings, to=mail.to, subject=mail.subject, text=mail.text)
    except Exception:
        log.exception("could not send mail %r", mail.subject)


def _write_eml(directory: Path, msg: EmailMessage) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    # Time-ordered names sort by sending order; write-then-rename so a reader polling
    # the directory never sees half a message.
    name = f"{new_id().hex}.eml"
    tmp = directory / f".{name}.tmp"
    tmp.write_bytes(msg.as_bytes(policy=policy.SMTP))
    os.replace(tmp, directory / name)
    return directory / name


def _send_smtp(target: SmtpTarget, msg: EmailMessage) -> None:
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if target.ssl:
        client = smtplib.SMTP_SSL(
            target.host, target.port, timeout=SMTP_TIMEOUT_SECONDS, context=context
        )
    else:
        client = smtplib.SMTP(target.host, target.port, timeout=SMTP_TIMEOUT_SECONDS)
    with client:
        if not target.ssl:
            client.ehlo()
            # Opportunistic: never send credentials in clear text when TLS is on offer.
            if client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
        if target.username:
            client.login(target.username, target.password or "")
        client.send_message(msg)
