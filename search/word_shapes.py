"""Shapes of words every analyzer shares: Latin words, and the parts of codes and addresses."""

from __future__ import annotations

import re

_LATIN_WORD = r"[0-9A-Za-z\u00C0-\u024F\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]+"
LATIN_WORD_PATTERN = rf"{_LATIN_WORD}(?:['’.]{_LATIN_WORD})*"

_PIECE_RUNS = re.compile(r"[^\W\d_]+|\d+")
MIN_PART_CHARS = 2
"""Shorter pieces of a code or address (the 3 of v2.3.1) are not indexed on their own."""


def word_parts(word: str) -> list[str]:
    """What a dotted or letters-and-digits token is also indexed as (itself excluded).

    outlook.com → outlook, com; v2.3.1 → v2, v2.3; app.planwise.example →
    app, planwise, example, app.planwise; AADSTS650056 → aadsts, 650056 (a run
    of letters and a run of digits, when each is at least MIN_PART_CHARS long,
    so 2fa stays whole).
    """
    parts: list[str] = []
    pieces = word.split(".")
    if len(pieces) > 1:
        parts += pieces
        parts += [".".join(pieces[:n]) for n in range(2, len(pieces))]
    for piece in pieces:
        runs = _PIECE_RUNS.findall(piece)
        if len(runs) > 1 and all(len(run) >= MIN_PART_CHARS for run in runs):
            parts += runs
    return [p for p in dict.fromkeys(parts) if len(p) >= MIN_PART_CHARS and p != word]
