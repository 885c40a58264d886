"""Scrubbing personal data from search queries before they are stored."""

from __future__ import annotations

import re

# Order matters: the most specific patterns first.
SCRUBBERS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE), "[email]"),
    (re.compile(r"\b(?:\d[ -]?){12,18}\d\b"), "[card]"),
    (
        re.compile(r"(?<![\w])\+?\d{1,3}?[ .-]?\(?\d{2,4}\)?[ .-]?\d{3,4}[ .-]?\d{3,4}(?![\w])"),
        "[phone]",
    ),
    (
        re.compile(r"\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{20,}\b"),
        "[token]",
    ),
    (re.compile(r"\d{9,}"), "[number]"),
]


def scrub_query(text: str) -> str:
    """Replace e-mail addresses, phone, card-like and token-like numbers with placeholders."""
    for pattern, placeholder in SCRUBBERS:
        text = pattern.sub(placeholder, text)
    return text
