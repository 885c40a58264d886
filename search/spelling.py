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
from dataclasses import dataclass

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
(on a busy forum rows come all the time, and a rebuild reads the whole spell vocabulary);
whether they were is looked at no more often either."""

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
        # a key one edit away is at most one letter longer or shorter: only those are compared
        self._keys_by_length: dict[int, list[str]] = {}
        for key in best:
            self._keys_by_length.setdefault(len(key), []).append(key)

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
        near = [
            k
            for n in (len(key) - 1, len(key), len(key) + 1)
            for k in self._keys_by_length.get(n, ())
        ]
        close = process.extract(key, near, scorer=Levenshtein.distance, score_cutoff=1, limit=None)
        if not close:
            return None
        return max(self._best[k] for k, _distance, _index in close)[2]


@dataclass
class _BuiltKeys:
    """A locale's keys, the rows signature they were built from, when built and last checked
    (monotonic seconds)."""

    keys: SpellingKeys
    signature: tuple
    built: float
    checked: float


class DidYouMean:
    """A search store's did-you-mean: corrections through its backend's vocabulary."""

    def __init__(self, backend: SearchBackend) -> None:
        self.backend = backend
        self._keys: dict[str, _BuiltKeys] = {}
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
        runs = katakana_runs(text, locale)
        checked = []  # (word, start, end, Latin?) of the words to check, in order
        last_pos = None
        for t in plain_analyzer(text, mode="query"):
            word = t.text
            first, last_pos = t.pos != last_pos, t.pos
            latin = word.isascii() and word.isalpha()
            if latin or (first and spelling_key(word, locale) is not None):
                checked.append((word, t.start, t.end, latin))
        # one lookup for the katakana runs and every word of the query, not one per run or word
        asked = list(dict.fromkeys([run for _, _, run in runs] + [w[0] for w in checked]))
        known = self.backend.known(conn, locale, "spell", asked) if asked else set()
        replacements = self._katakana_replacements(conn, locale, runs, known)
        taken = [(start, end) for start, end, _ in replacements]
        # a word inside a corrected run is corrected with it
        words = [w for w in checked if not any(start <= w[1] < end for start, end in taken)]
        corrected: dict[str, str | None] = {}
        for word, start, end, latin in words:
            if word not in corrected:
                if word in known:
                    corrected[word] = None
                elif latin:
                    corrected[word] = self._closest(conn, locale, word)
                else:
                    corrected[word] = self._spelling_keys(conn, locale).correct(word)
            if corrected[word]:
                replacements.append((start, end, corrected[word]))
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

    def _katakana_replacements(
        self, conn, locale: str, runs: list[tuple[int, int, str]], known: set[str]
    ) -> list[tuple[int, int, str]]:
        """(start, end, correction) of the katakana runs of a Japanese query not ``known``."""
        found = []
        for start, end, word in runs:
            if word in known:
                continue
            correction = self._spelling_keys(conn, locale).correct(word)
            if correction:
                found.append((start, end, correction))
        return found

    def _spelling_keys(self, conn, locale: str) -> SpellingKeys:
        """The locale's keyed vocabulary, rebuilt when rows came or went or it grew old.

        Whether rows came or went is asked at most every SPELLING_KEYS_MIN_AGE seconds (a
        count of the locale's rows: 55k at full size), not on every search that needs a key.
        """
        now = time.monotonic()
        cached = self._keys.get(locale)
        if cached is not None and now - cached.checked < SPELLING_KEYS_MIN_AGE:
            return cached.keys
        c = docs_table.c
        signature = tuple(
            conn.execute(
                sa.select(sa.func.count(), sa.func.max(c.id)).where(c.locale == locale)
            ).one()
        )
        if (
            cached is not None
            and cached.signature == signature
            and now - cached.built < SPELLING_KEYS_MAX_AGE
        ):
            cached.checked = now
            return cached.keys
        words = self.backend.words(conn, locale, "spell")
        keys = SpellingKeys(
            locale, ((w, n) for w, n in words.items() if spelling_key(w, locale) is not None)
        )
        with self._lock:
            self._keys[locale] = _BuiltKeys(keys, signature, now, now)
        return keys

    def _closest(self, conn, locale: str, word: str) -> str | None:
        max_distance = fuzzy_distance(word)
        if not max_distance:
            return None
        found = self.backend.nearest_words(conn, locale, "spell", word, max_distance)
        return max(found, key=lambda c: (found[c], c)) if found else None
