"""Fixtures of the insights tests: the seeded demo (tests/insights/demo_seed.py)."""

from tests.insights.demo_seed import demo, seeded_demo_file  # noqa: F401
