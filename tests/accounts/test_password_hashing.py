"""Stored passwords: Argon2id at its recommended cost (the other tests hash cheaply)."""

from __future__ import annotations

from tests.conftest import PRODUCTION_HASHER


def test_stored_passwords_use_argon2id_at_its_recommended_cost():
    hashed = PRODUCTION_HASHER.hash("correct horse battery")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PRODUCTION_HASHER.verify(hashed, "correct horse battery")
