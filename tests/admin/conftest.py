"""Admin test helpers: cheap password hashing for every test here."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def fast_hashing(fast_hashing):
    """Every test here hashes passwords cheaply (the root fixture, made automatic)."""
    return fast_hashing
