"""Accounts test helpers: cheap password hashing and small page helpers."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher
from flask import g, request_started

from app.accounts import models as account_models
from tests.conftest import csrf_token_from

RESET_LINK = re.compile(r"https?://[^\s]+/account/password-reset/([A-Za-z0-9_-]+)")


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    """Argon2 with tiny costs: the same code path, milliseconds instead of 50 ms per hash."""
    monkeypatch.setattr(
        account_models, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


def _fresh_globals(sender, **extra) -> None:
    """Each request starts with an empty `g`, as in production.

    The test's app context is reused by every test-client request, so without this the
    user Flask-Login cached in `g` by one request would still be signed in at the next.
    """
    g.__dict__.clear()


def browser(app):
    """A test client whose requests do not share `g` (so sign-in state is the cookies')."""
    request_started.connect(_fresh_globals, app)
    return app.test_client()


@pytest.fixture
def client(app):
    return browser(app)


def token_for(client, path: str) -> str:
    return csrf_token_from(client.get(path).get_data(as_text=True))


def post_form(client, path: str, data: dict, csrf: str | None = None, **kwargs):
    """POST a form with a CSRF token (GETs the form for one unless given)."""
    csrf = csrf or token_for(client, path)
    return client.post(path, data={**data, "csrf_token": csrf}, **kwargs)


def outbox(app) -> list[dict[str, str]]:
    return app.extensions.setdefault("touchpoint_outbox_mail", [])


def reset_token_from(mail: dict[str, str]) -> str:
    match = RESET_LINK.search(mail["text_body"])
    assert match, mail["text_body"]
    return match.group(1)
