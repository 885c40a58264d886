"""app.mail: the log when no server is configured, SMTP when it is, never an exception."""

from __future__ import annotations

import logging
import smtplib
from typing import ClassVar

import pytest

from app import mail
from tests.accounts.conftest import outbox


class FakeSMTP:
    """Records what the code asks of an SMTP server."""

    instances: ClassVar[list[FakeSMTP]] = []
    fail_with: ClassVar[Exception | None] = None

    def __init__(self, host, port, timeout=None, context=None):
        self.host, self.port, self.calls, self.sent = host, port, [], []
        self.context = context
        FakeSMTP.instances.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.calls.append("quit")

    def starttls(self, context=None):
        self.calls.append("starttls")

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        if FakeSMTP.fail_with is not None:
            raise FakeSMTP.fail_with
        self.sent.append(message)


@pytest.fixture
def fake_smtp(monkeypatch):
    FakeSMTP.instances = []
    FakeSMTP.fail_with = None
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(smtplib, "SMTP_SSL", FakeSMTP)
    return FakeSMTP


def test_without_a_server_the_message_goes_to_the_log(app, caplog, fake_smtp):
    with caplog.at_level(logging.INFO, logger="app.mail"):
        mail.send_mail("ada@example.com", "Hello", "Open https://example.com/x to continue")
    assert "Open https://example.com/x to continue" in caplog.text
    assert "ada@example.com" in caplog.text
    assert fake_smtp.instances == []
    assert outbox(app) == [
        {
            "to": "ada@example.com",
            "from": app.config["MAIL_FROM"],
            "subject": "Hello",
            "text_body": "Open https://example.com/x to continue",
        }
    ]


def test_smtp_with_starttls_and_login(app, fake_smtp):
    app.config.update(MAIL_SERVER="smtp.example.com", MAIL_USERNAME="bot", MAIL_PASSWORD="secret")
    assert mail.deliver("ada@example.com", "Hi", "Body")
    (server,) = fake_smtp.instances
    assert (server.host, server.port) == ("smtp.example.com", 587)
    assert server.calls[:2] == ["starttls", ("login", "bot", "secret")]
    (message,) = server.sent
    assert message["To"] == "ada@example.com"
    assert message.get_content().strip() == "Body"


def test_smtp_over_ssl_without_login(app, fake_smtp):
    app.config.update(MAIL_SERVER="smtp.example.com", MAIL_USE_SSL=True)
    assert mail.deliver("ada@example.com", "Hi", "Body")
    (server,) = fake_smtp.instances
    assert server.port == 465
    assert "starttls" not in server.calls
    assert not any(isinstance(call, tuple) for call in server.calls)


def test_a_failing_server_is_logged_not_raised(app, fake_smtp, caplog):
    app.config.update(MAIL_SERVER="smtp.example.com")
    fake_smtp.fail_with = smtplib.SMTPRecipientsRefused({})
    with caplog.at_level(logging.ERROR, logger="app.mail"):
        assert mail.deliver("ada@example.com", "Hi", "Body") is False
        mail.send_mail("ada@example.com", "Hi", "Body")  # no exception
    assert "failed" in caplog.text


def test_unreachable_server_is_logged_not_raised(app, caplog):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    with caplog.at_level(logging.ERROR, logger="app.mail"):
        assert mail.deliver("ada@example.com", "Hi", "Body") is False


def test_header_injection_is_flattened(app, fake_smtp):
    app.config.update(MAIL_SERVER="smtp.example.com")
    assert mail.deliver("ada@example.com", "Hi\r\nBcc: evil@example.com", "Body")
    (message,) = fake_smtp.instances[0].sent
    assert message["Bcc"] is None
    assert message["Subject"] == "Hi Bcc: evil@example.com"


def test_outbox_only_while_testing(app):
    app.testing = False
    try:
        mail.send_mail("ada@example.com", "Hi", "Body")
    finally:
        app.testing = True
    assert mail.sent_mail() == []
