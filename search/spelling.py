"""Did you mean: the query with each word the content does not know corrected.

:class:`DidYouMean` corrects a query through the backend's vocabulary: a Latin word by
edit distance, Japanese kana and Arabic words by their spelling keys. It builds one
:class:`SpellingKeys` per locale from the curated text (the words
:func:`search.analysis.spelling_words` gives, with how many documents use each) and asks it
to correct each such word it does not know.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

import sqlalchemy as sa
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from search.analysis import katakana_runs, spelling_key
from search.backends.base import SearchBackend
from search.backends.tables import search_documents as docs_table
from search.query import clean_user_text, fuzzy_distance

SPELLING_KEYS_MAX_AGE = 300.0
"""Seconds a locale's did-you-mean keys (Japanese, Arabic) serve before they are rebuilt."""

SPELLING_KEYS_MIN_AGE = 30.0
"""Rows added or removed in the locale rebuild the keys sooner, but not more often than this
(on a busy forum rows come all the time, and a rebuild reads the whole spell vocabulary)."""

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


class DidYouMean:
    """A search store's did-you-mean: corrections through its backend's vocabulary."""

    def __init__(self, backend: SearchBackend) -> None:
        self.backend = backend
        # locale → (rows signature, monotonic time built, keys)
        self._keys: dict[str, tuple[tuple, float, SpellingKeys]] = {}
        self._lock = threading.Lock()

    def suggestion(self, conn, locale: str, plain_analyzer, text: str) -> str | None:
        """The query with each unknown word replaced by the word it most likely meant.

        The vocabulary is the unstemmed ``spell`` words (titles, summaries,
        tags, article bodies). A Latin word: words within 1 edit win over
        words within 2; among equals the most frequent wins. A Japanese kana
        word or an Arabic word: by spelling key (:class:`SpellingKeys`:
        パスワド, ぱすわーど → パスワード; الفواتر → الفواتير), the first token
        at its position only (the others are its keys and sub-words). None
        when nothing would change.
        """
        text = clean_user_text(text)
        replacements = self._katakana_replacements(conn, locale, text)
        taken = [(start, end) for start, end, _ in replacements]
        corrected: dict[str, str | None] = {}
        last_pos = None
        for t in plain_analyzer(text, mode="query"):
            word = t.text
            first, last_pos = t.pos != last_pos, t.pos
            if any(start <= t.start < end for start, end in taken):
                continue
            latin = word.isascii() and word.isalpha()
            keyed = not latin and first and spelling_key(word, locale) is not None
            if word not in corrected and (latin or keyed):
                if self.backend.known(conn, locale, "spell", [word]):
                    corrected[word] = None
                elif latin:
                    corrected[word] = self._closest(conn, locale, word)
                else:
                    corrected[word] = self._spelling_keys(conn, locale).correct(word)
            if (latin or keyed) and corrected[word]:
                replacements.append((t.start, t.end, corrected[word]))
        if not replacements:
            return None
        out, last = [], 0
        for start, end, word in sorted(replacements):
            out.append(text[last:start])
            out.append(word)
            last = end
        out.append(text[last:])
        suggestion = " ".join("".join(out).split())
        return suggestion if suggestion.casefold() != " ".join(text.split()).casefold() else None

    def _katakana_replacements(self, conn, locale: str, text: str) -> list[tuple[int, int, str]]:
        """(start, end, correction) of the unknown katakana runs of a Japanese query."""
        found = []
        for start, end, word in katakana_runs(text, locale):
            if self.backend.known(conn, locale, "spell", [word]):
                continue
            correction = self._spelling_keys(conn, locale).correct(word)
            if correction:
                found.append((start, end, correction))
        return found

    def _spelling_keys(self, conn, locale: str) -> SpellingKeys:
        """The locale's keyed vocabulary, rebuilt when rows came or went or it grew old."""
        c = docs_table.c
        signature = tuple(
            conn.execute(
                sa.select(sa.func.count(), sa.func.max(c.id)).where(c.locale == locale)
            ).one()
        )
        cached = self._keys.get(locale)
        if cached is not None:
            age = time.monotonic() - cached[1]
            if age < SPELLING_KEYS_MIN_AGE or (
                cached[0] == signature and age < SPELLING_KEYS_MAX_AGE
            ):
                return cached[2]
        words = self.backend.words(conn, locale, "spell")
        keys = SpellingKeys(
            locale, ((w, n) for w, n in words.items() if spelling_key(w, locale) is not None)
        )
        with self._lock:
            self._keys[locale] = (signature, time.monotonic(), keys)
        return keys

    def _closest(self, conn, locale: str, word: str) -> str | None:
        max_distance = fuzzy_distance(word)
        if not max_distance:
            return None
        found = self.backend.nearest_words(conn, locale, "spell", word, max_distance)
        return max(found, key=lambda c: (found[c], c)) if found else None
