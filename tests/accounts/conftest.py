"""Accounts test helpers: cheap password hashing and small page helpers."""

from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_token_from

RESET_LINK = re.compile(r"https?://[^\s]+/account/password-reset/([A-Za-z0-9_-]+)")


@pytest.fixture(autouse=True)
def fast_hashing(fast_hashing):
    """Every test here hashes passwords cheaply (the root fixture, made automatic)."""
    return fast_hashing


@pytest.fixture
def client(app):
    return app.test_client()


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
