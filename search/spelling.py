"""Did you mean, beyond Latin words: Japanese kana and Arabic words by their spelling keys.

The engine builds one :class:`SpellingKeys` per locale from its curated text
(the words :func:`search.analysis.spelling_words` gives, with how many
documents use each) and asks it to correct each query word it does not know.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from search.analysis import spelling_key

MIN_FUZZY_KEY_CHARS = 4
"""Shorter keys are only corrected by an exact key match (a long vowel, a variant spelling)."""


class SpellingKeys:
    """A locale's vocabulary grouped by spelling key; the most frequent word speaks for a key."""

    def __init__(self, locale: str, words: Iterable[tuple[str, int]]) -> None:
        self.locale = locale
        # Japanese keys fold spelling variants (パスワド, ぱすわーど); Arabic keys only clitics
        self._folds_spelling = locale.replace("_", "-").split("-")[0].lower() == "ja"
        self.known: set[str] = set()
        best: dict[str, tuple[int, int, str]] = {}
        for word, frequency in words:
            self.known.add(word)
            key = spelling_key(word, locale)
            if key is None:
                continue
            if (frequency, -len(word), word) > best.get(key, (-1, 0, "")):
                best[key] = (frequency, -len(word), word)
        self._best = best
        self._keys = list(best)

    def correct(self, word: str) -> str | None:
        """The vocabulary word the user most likely meant, or None (known word, no close key).

        Same key first (パスワド → パスワード, ｻｰﾊﾞ → サーバー); else a key one edit
        away, most frequent first (الفواتر → الفواتير), for keys of at least
        MIN_FUZZY_KEY_CHARS letters.
        """
        if word in self.known:
            return None
        key = spelling_key(word, self.locale)
        if key is None:
            return None
        exact = self._best.get(key)
        if exact is not None:
            # an Arabic word that differs only by its article or clitics is no typo
            return exact[2] if self._folds_spelling and exact[2] != word else None
        if len(key) < MIN_FUZZY_KEY_CHARS:
            return None
        close = process.extract(
            key, self._keys, scorer=Levenshtein.distance, score_cutoff=1, limit=None
        )
        if not close:
            return None
        return max(self._best[k] for k, _distance, _index in close)[2]
