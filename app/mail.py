"""Outgoing mail: SMTP when TOUCHPOINT_MAIL_SERVER is set, otherwise the log.

`send_mail(to, subject, text_body)` queues the message as a job in the caller's
transaction (app/jobs/); the worker calls `deliver_job`, which retries with backoff
until the server accepts it. `deliver` sends at once and returns False on failure.
Without a server the message is written to the log at INFO, readable: recipient,
subject and the plain-text body (links included).
In tests (app.testing) every message is also appended to
`current_app.extensions["touchpoint_outbox_mail"]` as a dict with the keys
"to", "from", "subject" and "text_body".
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

from app.jobs.queue import JobFailed, enqueue

log = logging.getLogger("app.mail")

OUTBOX_KEY = "touchpoint_outbox_mail"
SMTP_TIMEOUT_SECONDS = 15


def _one_line(value: str) -> str:
    """Headers are one line: CR/LF (header injection) become spaces."""
    return " ".join(str(value).replace("\r", " ").replace("\n", " ").split())


def build_message(to: str, subject: str, text_body: str) -> EmailMessage:
    config = current_app.config
    sender = config["MAIL_FROM"]
    message = EmailMessage()
    message["From"] = _one_line(sender)
    message["To"] = _one_line(to)
    message["Subject"] = _one_line(subject)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=_one_line(sender).rpartition("@")[2].strip("> "))
    message.set_content(text_body)
    return message


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    host = config["MAIL_SERVER"]
    port = int(config["MAIL_PORT"] or (465 if config["MAIL_USE_SSL"] else 587))
    context = ssl.create_default_context()
    if config["MAIL_USE_SSL"]:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=SMTP_TIMEOUT_SECONDS, context=context
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS)
    with smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=context)
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def deliver(to: str, subject: str, text_body: str) -> bool:
    """Send (or log) one plain-text message; False if it could not be sent. Never raises."""
    try:
        message = build_message(to, subject, text_body)
    except (ValueError, TypeError):
        log.exception("mail to %r not built", to)
        return False
    if current_app.testing:
        current_app.extensions.setdefault(OUTBOX_KEY, []).append(
            {
                "to": message["To"],
                "from": message["From"],
                "subject": message["Subject"],
                "text_body": text_body,
            }
        )
    if not current_app.config["MAIL_SERVER"]:
        log.info(
            "mail to %s (not sent: no TOUCHPOINT_MAIL_SERVER configured)\nSubject: %s\n\n%s",
            message["To"],
            message["Subject"],
            text_body,
        )
        return True
    try:
        _send_smtp(message)
    except (OSError, smtplib.SMTPException):
        log.exception("mail to %s with subject %r failed", message["To"], message["Subject"])
        return False
    log.info("mail sent to %s: %s", message["To"], message["Subject"])
    return True


def send_mail(to: str, subject: str, text_body: str) -> None:
    """Queue a plain-text message in the current transaction (the caller commits)."""
    enqueue(
        "mail",
        {"to": to, "subject": subject, "text_body": text_body},
        summary=f"mail to {_one_line(to)}: {_one_line(subject)}",
    )


def deliver_job(payload: dict) -> None:
    """The job handler: send one queued message, raise JobFailed so it is retried."""
    if not deliver(payload["to"], payload["subject"], payload["text_body"]):
        raise JobFailed("the mail server did not take the message (see the app.mail log)")


def sent_mail() -> list[dict[str, str]]:
    """Messages sent by this app while testing (empty outside tests)."""
    return current_app.extensions.get(OUTBOX_KEY, [])
