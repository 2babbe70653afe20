"""Mail: .eml files when no SMTP server is configured, smtplib when one is."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

from punchcard.config import Settings
from punchcard.mail import service
from punchcard.mail.service import Mail, parse_smtp_url


def content(msg: EmailMessage) -> str:
    """The body with the file's CRLF line endings read back as newlines."""
    return str(msg.get_content()).replace("\r\n", "\n")


def read(path: Path) -> EmailMessage:
    msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(msg, EmailMessage)
    return msg


def test_without_smtp_a_message_is_written_as_an_eml_file(tmp_path: Path) -> None:
    settings = Settings(mail_dir=tmp_path / "new" / "mail", smtp_url=None)
    path = service.send(settings, to="ada@example.com", subject="Hello", text="Hi Ada\n")
    assert path is not None and path.parent == settings.mail_dir and path.suffix == ".eml"
    msg = read(path)
    assert msg["To"] == "ada@example.com"
    assert msg["From"] == settings.mail_from
    assert msg["Subject"] == "Hello"
    assert msg["Date"] and msg["Message-ID"]
    assert content(msg) == "Hi Ada\n"
    assert b"\r\n" in path.read_bytes()  # RFC 5322 line endings
    assert [p.name for p in settings.mail_dir.iterdir()] == [path.name]  # no temp files left


def test_long_ascii_lines_stay_unbroken(tmp_path: Path) -> None:
    link = "http://127.0.0.1:8000/reset-password?token=" + "t" * 60
    path = service.send(Settings(mail_dir=tmp_path), to="a@example.com", subject="s", text=link)
    assert path is not None and link.encode() in path.read_bytes()


def test_non_ascii_text_survives_the_round_trip(tmp_path: Path) -> None:
    text = "Grüße, Zoë — ça va ?\n"
    path = service.send(Settings(mail_dir=tmp_path), to="z@example.com", subject="Ça", text=text)
    assert path is not None
    msg = read(path)
    assert content(msg) == text and msg["Subject"] == "Ça"


def test_header_injection_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        service.send(
            Settings(mail_dir=tmp_path),
            to="a@example.com",
            subject="hi\r\nBcc: victim@example.com",
            text="x",
        )


def test_the_test_apps_mail_dir_is_a_temporary_directory(settings: Settings) -> None:
    assert settings.smtp_url is None
    assert "mail" in Path(settings.mail_dir).name


def test_smtp_urls_are_parsed() -> None:
    t = parse_smtp_url("smtp://user%40corp:p%3Ass@mail.example.com:2525")
    assert (t.host, t.port, t.ssl, t.username, t.password) == (
        "mail.example.com",
        2525,
        False,
        "user@corp",
        "p:ss",
    )
    t = parse_smtp_url("smtps://smtp.example.com")
    assert (t.port, t.ssl, t.username, t.password) == (465, True, None, None)
    assert parse_smtp_url("smtp://localhost").port == 25
    with pytest.raises(ValueError):
        parse_smtp_url("http://mail.example.com")


class FakeSMTP:
    """Records what smtplib would have done."""

    sent: list[tuple[str, Any]] = []

    def __init__(self, host: str, port: int, **kw: Any) -> None:
        self.sent.append(("connect", (type(self).__name__, host, port)))

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        self.sent.append(("quit", None))

    def ehlo(self) -> None:
        pass

    def has_extn(self, name: str) -> bool:
        return name == "starttls"

    def starttls(self, **kw: Any) -> None:
        self.sent.append(("starttls", None))

    def login(self, user: str, password: str) -> None:
        self.sent.append(("login", (user, password)))

    def send_message(self, msg: EmailMessage) -> None:
        self.sent.append(("send", (msg["To"], msg["Subject"])))


class FakeSMTPSSL(FakeSMTP):
    pass


@pytest.fixture
def fake_smtp(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    FakeSMTP.sent = []
    monkeypatch.setattr(service.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(service.smtplib, "SMTP_SSL", FakeSMTPSSL)
    return FakeSMTP.sent


def test_with_smtp_the_message_is_sent_after_starttls_and_login(
    tmp_path: Path, fake_smtp: list[tuple[str, Any]]
) -> None:
    settings = Settings(mail_dir=tmp_path, smtp_url="smtp://bob:secret@mx.example.com:587")
    assert service.send(settings, to="a@example.com", subject="Hi", text="x") is None
    assert fake_smtp == [
        ("connect", ("FakeSMTP", "mx.example.com", 587)),
        ("starttls", None),
        ("login", ("bob", "secret")),
        ("send", ("a@example.com", "Hi")),
        ("quit", None),
    ]
    assert list(tmp_path.iterdir()) == []


def test_smtps_connects_over_tls_from_the_start(
    tmp_path: Path, fake_smtp: list[tuple[str, Any]]
) -> None:
    settings = Settings(mail_dir=tmp_path, smtp_url="smtps://mx.example.com")
    service.send(settings, to="a@example.com", subject="Hi", text="x")
    assert fake_smtp == [
        ("connect", ("FakeSMTPSSL", "mx.example.com", 465)),
        ("send", ("a@example.com", "Hi")),
        ("quit", None),
    ]


def test_deliver_logs_instead_of_raising(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(*args: Any, **kw: Any) -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(service.smtplib, "SMTP", refuse)
    settings = Settings(mail_dir=tmp_path, smtp_url="smtp://mx.example.com")
    service.deliver(settings, Mail(to="a@example.com", subject="Reset", text="x"))
    assert "could not send mail" in caplog.text
