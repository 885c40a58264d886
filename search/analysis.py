"""Text analysis: one analyzer per language, used the same way to index and to query.

Each analyzer is a :class:`search.pipeline.Analyzer`: a tokenizer and filters.
Dictionaries (Sudachi) and stemmers load lazily on first use, one per thread.

Japanese uses Elasticsearch-style "search mode": a Sudachi split-mode-C
compound is emitted together with its mode-A sub-words at the same position,
at index and at query time alike. The query builder reads a token and the
sub-words sharing its position as one requirement (see :func:`word_groups`):
the compound itself, or all of its parts. So 請求 finds 請求書, and
スマホアプリ finds a text that only says スマホ and アプリ separately.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterator

from search.arabic import (
    ARABIC_ARTICLES,
    ARABIC_STOP_WORDS,
    MIN_ARABIC_STEM,
    ArabicNormalizeFilter,
    arabic_clitic_variants,
    arabic_light_stem,
    normalize_arabic,
)
from search.japanese import MIN_KEY_CHARS, JapaneseTokenizer, is_kana, japanese_words, kana_key
from search.pipeline import Analyzer, Mode, RegexTokenizer, Token
from search.stop_words import SNOWBALL_ENGLISH
from search.word_shapes import word_parts

ANALYZER_VERSION = 5
"""Bump whenever an analyzer emits different tokens: every index must be rebuilt."""

SECTION_SEPARATOR = "\x1f"
"""Separates sections (title, summary) that :func:`word_bigrams` never pairs across."""

WORD_PATTERN = r"\w+(?:['’.]\w+)*"
# Arabic combining marks and tatweel are not \w; keep them inside the token so
# character offsets still point into the original text, then strip them.
ARABIC_WORD_PATTERN = (
    r"[\w\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]+"
    r"(?:['’.][\w\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]+)*"
)

# Directional words decide meaning in help-center queries ("sign up", "turn off").
ENGLISH_STOP_WORDS = (SNOWBALL_ENGLISH - {"up", "down", "off", "out", "over", "under", "on"}) | {
    "can't",
    "cannot",
    "could",
    "would",
    "don't",
    "doesn't",
    "i'm",
    "i've",
    "it's",
    "cant",
    "dont",
    "doesnt",
    "im",
    "ive",
    "also",
    "please",
    "on",
    # colloquial contractions, typed with or without the apostrophe
    "won't",
    "wont",
    "didn't",
    "didnt",
    "isn't",
    "isnt",
    "aren't",
    "arent",
    "wasn't",
    "wasnt",
    "weren't",
    "werent",
    "haven't",
    "havent",
    "hasn't",
    "hasnt",
    "couldn't",
    "couldnt",
    "wouldn't",
    "wouldnt",
    "shouldn't",
    "shouldnt",
    "you're",
    "youre",
    "what's",
    "whats",
    "how's",
    "hows",
    "that's",
    "thats",
    "there's",
    "theres",
    "i'd",
    "i'll",
    "u",
    "ur",
    "pls",
    "plz",
    "wanna",
    "gonna",
    "hi",
    "hello",
    "thanks",
}

MAX_TOKEN_CHARS = 100
"""Longer tokens (pasted keys, base64, what Sudachi can't split) are dropped, unsearched."""


class TextFoldFilter:
    """NFKC-normalizes and case-folds token text (full-width → ASCII, 'ﾊﾟ' → 'パ')."""

    def __call__(self, tokens: Iterator[Token], mode: Mode) -> Iterator[Token]:
        for t in tokens:
            text = t.text
            if len(text) > MAX_TOKEN_CHARS:
                continue
            if not text.isascii():
                text = unicodedata.normalize("NFKC", text).replace("’", "'")
            t.text = text.casefold()
            yield t


class WordPartsFilter:
    """When indexing, a token is followed at its position by its :func:`word_parts`.

    A query keeps the whole token: outlook.com asks for outlook.com, while
    outlook alone or AADSTS alone finds the text that says outlook.com or
    AADSTS650056.
    """

    def __call__(self, tokens: Iterator[Token], mode: Mode) -> Iterator[Token]:
        for t in tokens:
            if mode == "query" or len(t.text) < 4:
                yield t
                continue
            parts = [t.but(part) for part in word_parts(t.text)]
            yield t
            yield from parts


QUESTION_WORDS = frozenset({"what", "which"})
QUESTION_FRAME_FILLERS = frozenset({"is", "was", "are", "were", "the", "a", "an"})
QUESTION_FRAME_NOUNS = frozenset({"kind", "type", "sort", "name"})
QUESTION_QUANTITY_WORDS = frozenset({"many", "much"})


class QuestionFrameFilter:
    """In a query, drops the words of a question's frame: what it asks for, not what about.

    "How many teams…", "What kind of forest…", "What is the name of the
    stadium…": the text that answers says "three teams", "a moist broadleaf
    forest", "Levi's Stadium", never many, kind or name. Dropped: many/much
    right after how, and kind/type/sort/name between what/which (with only
    is/was/are/were/the/a/an between) and "of". Elsewhere ("display name",
    "file type", "too many requests") the words stay; indexing is unchanged.
    The words after a dropped one move back, as after a stop word.
    """

    def __call__(self, tokens: Iterator[Token], mode: Mode) -> Iterator[Token]:
        if mode != "query":
            yield from tokens
            return
        words = list(tokens)
        dropped_at = {t.pos for i, t in enumerate(words) if _in_question_frame(words, i)}
        for t in words:
            if t.pos in dropped_at:
                continue
            t.pos -= sum(1 for p in dropped_at if p < t.pos)
            yield t


def _in_question_frame(words: list[Token], i: int) -> bool:
    """Whether ``words[i]`` is how-many/much or the noun of a what/which … of frame."""
    text = words[i].text
    if text in QUESTION_QUANTITY_WORDS:
        return i > 0 and words[i - 1].text == "how"
    if text not in QUESTION_FRAME_NOUNS or i + 1 >= len(words) or words[i + 1].text != "of":
        return False
    j = i - 1
    while j >= 0 and words[j].text in QUESTION_FRAME_FILLERS:
        j -= 1
    return j >= 0 and words[j].text in QUESTION_WORDS


PARTICLES = frozenset({"in", "up", "out", "on", "off", "down"})
"""Particles that close up with a verb: log in / login, set up / setup, log out / logout."""

MAX_PHRASAL_VERB_CHARS = 8


class PhrasalCompoundFilter:
    """A word followed by a particle is also the closed compound (log in → login).

    People write log in, log-in, login and logging in for one thing. The
    compound (the word's Snowball stem + the particle: logging in → login,
    signed up → signup) comes first at the word's position, followed by the
    word and a particle that is not a stop word ("set up" → setup, or set and
    up; "log in" → login, or log), the same when indexing and in a query: a
    text with either spelling matches, phrases see one token sequence, and
    synonyms (login ↔ signin) apply to the one compound token.
    """

    def __call__(self, tokens: Iterator[Token], mode: Mode) -> Iterator[Token]:
        previous: Token | None = None  # a word that may be a phrasal verb, held back
        shift = 0
        for t in tokens:
            t.pos -= shift
            if previous is not None:
                if t.text in PARTICLES and t.pos == previous.pos + 1:
                    compound = previous.but(_snowball("english").stemWord(previous.text) + t.text)
                    at = compound.pos  # before later filters (stop words) move the yielded token
                    yield compound
                    yield previous
                    previous = None
                    if t.text not in ENGLISH_STOP_WORDS:
                        t.pos = at  # set up: setup, or set and up, at one position
                        shift += 1
                    yield t  # a stop word is dropped by the stop filter, which closes the gap
                    continue
                yield previous
                previous = None
            if _can_be_phrasal_verb(t.text):
                previous = t
            else:
                yield t
        if previous is not None:
            yield previous


def _can_be_phrasal_verb(text: str) -> bool:
    return (
        text.isalpha()
        and 2 <= len(text) <= MAX_PHRASAL_VERB_CHARS
        and text not in PARTICLES
        and text not in ENGLISH_STOP_WORDS
    )


_stemmers = threading.local()


def _snowball(language: str):
    """One snowballstemmer per thread and language: its objects keep state while stemming."""
    cache = getattr(_stemmers, "by_language", None)
    if cache is None:
        cache = _stemmers.by_language = {}
    stemmer = cache.get(language)
    if stemmer is None:
        import snowballstemmer

        stemmer = cache[language] = snowballstemmer.stemmer(language)
    return stemmer


class StopWordFilter:
    """Drops stop words, closing the position hole each leaves.

    Each later token moves back by the number of stop words dropped so far, so
    the words around a stop word become adjacent (reset the password: reset,
    password) and tokens sharing a position keep sharing it.
    """

    def __init__(self, stoplist: frozenset[str]) -> None:
        self.stops = frozenset(stoplist)

    def __call__(self, tokens: Iterator[Token], mode: Mode) -> Iterator[Token]:
        stops = self.stops
        dropped = 0
        for t in tokens:
            if t.text in stops:
                dropped += 1
                continue
            if dropped:
                t.pos -= dropped
            yield t


class SnowballStemFilter:
    """Stems with snowballstemmer; a bounded memo makes repeated words cheap."""

    stems = True
    cache_size = 50_000

    def __init__(self, language: str = "english") -> None:
        self.language = language
        self._memo: dict[str, str] = {}

    def stem(self, word: str) -> str:
        """The stem of one already-folded word."""
        memo = self._memo
        stem = memo.get(word)
        if stem is None:
            stem = self._stem(word)
            if len(memo) >= self.cache_size:
                memo.clear()
            memo[word] = stem
        return stem

    def _stem(self, word: str) -> str:
        return _snowball(self.language).stemWord(word)

    def __call__(self, tokens: Iterator[Token], mode: Mode) -> Iterator[Token]:
        stem = self.stem
        for t in tokens:
            t.text = stem(t.text)
            yield t

    def could_stem_to(self, terms: frozenset[str]) -> Callable[[str], bool] | None:
        """A cheap test of a surface word: False means it cannot stem to any of ``terms``.

        Highlighting uses it to skip stemming most words of a result's text.
        English Snowball stems keep a word's first two letters (but for three
        listed exceptions); None (no shortcut) for other languages.
        """
        if self.language != "english":
            return None
        starts = frozenset(t[:2] for t in terms)

        def possible(word: str) -> bool:
            folded = _fold(word)
            return (
                folded[:2] in starts
                or folded in ENGLISH_STEM_EXCEPTIONS
                or any(part[:2] in starts for part in word_parts(folded))
            )

        return possible


def _fold(word: str) -> str:
    """What TextFoldFilter makes of one word."""
    if not word.isascii():
        word = unicodedata.normalize("NFKC", word).replace("’", "'")
    return word.casefold()


ENGLISH_STEM_EXCEPTIONS = frozenset({"dying", "lying", "tying"})
"""Words whose Snowball English stem changes their first two letters (die, lie, tie)."""

# Hamza carriers, waw and yeh are one letter to the Arabic shortcut: Snowball rewrites
# ؤ → و, ئ → ي and a final ئ → ء, and a stem may come back with either.
_ARABIC_LOOSE = str.maketrans({"ؤ": "ي", "ئ": "ي", "ء": "ي", "و": "ي"})


class ArabicStemFilter(SnowballStemFilter):
    """Light Arabic stemming (:func:`arabic_light_stem`), then the clitic-less readings.

    Each word is its stem, followed at the same position by the stems of its
    readings without a leading و/ف/ب/ك/ل (:func:`arabic_clitic_variants`): when
    indexing, so اشتراك finds a text that says باشتراك; in a query, as the
    word's alternatives (``(stem, variants)`` in :func:`word_groups`), so
    باشتراك finds a text that says اشتراك. A four-letter present-tense verb
    (ترفع, stemmed يرفع) has its three-letter root as the alternative, the
    verbal noun of the simplest verb form (رفع: upload).
    """

    def __init__(self) -> None:
        super().__init__("arabic")

    def could_stem_to(self, terms: frozenset[str]) -> Callable[[str], bool] | None:
        """False when a surface word cannot stem to any of ``terms`` (see the parent class).

        Stems are the normalized word with letters taken off its ends, so the
        test is that the stem's second and third letters (loosely: hamza
        carriers, waw and yeh alike) appear somewhere in the normalized word.
        """
        keys = frozenset((t[1:3] if len(t) >= 3 else t).translate(_ARABIC_LOOSE) for t in terms)

        def possible(word: str) -> bool:
            loose = normalize_arabic(_fold(word)).translate(_ARABIC_LOOSE)
            return any(key in loose for key in keys)

        return possible

    def _stem(self, word: str) -> tuple[str, ...]:
        stem = arabic_light_stem(word)
        variants = arabic_clitic_variants(word)
        if not variants and len(stem) == 4 and stem[0] == "ي" and len(word) == 4:
            variants = [stem[1:]]  # ترفع: the present tense (يرفع) or its root's noun (رفع)
        return (stem, *variants)

    def __call__(self, tokens: Iterator[Token], mode: Mode) -> Iterator[Token]:
        stem = self.stem
        for t in tokens:
            main, *variants = stem(t.text)
            others = [t.but(variant) for variant in variants]
            t.text = main
            yield t
            yield from others


def _english() -> Analyzer:
    return Analyzer(
        RegexTokenizer(WORD_PATTERN),
        (
            TextFoldFilter(),
            WordPartsFilter(),
            QuestionFrameFilter(),
            PhrasalCompoundFilter(),
            StopWordFilter(ENGLISH_STOP_WORDS),
            SnowballStemFilter("english"),
        ),
    )


def _japanese() -> Analyzer:
    return Analyzer(JapaneseTokenizer(), (TextFoldFilter(),))


def _arabic() -> Analyzer:
    return Analyzer(
        RegexTokenizer(ARABIC_WORD_PATTERN),
        (
            TextFoldFilter(),
            WordPartsFilter(),
            ArabicNormalizeFilter(),
            StopWordFilter(ARABIC_STOP_WORDS),
            ArabicStemFilter(),
        ),
    )


def _simple() -> Analyzer:
    return Analyzer(RegexTokenizer(WORD_PATTERN), (TextFoldFilter(), WordPartsFilter()))


ANALYZERS = {"en": _english, "ja": _japanese, "ar": _arabic}
"""Locale → analyzer factory; a locale not listed gets a fold-only word analyzer."""


def _language(locale: str) -> str:
    return locale.replace("_", "-").split("-")[0].lower()


def analyzer_for(locale: str) -> Analyzer:
    """The analyzer for a locale ("en", "ja", "ar", "en-US"…); unknown → simple."""
    return ANALYZERS.get(_language(locale), _simple)()


def analyze(text: str, locale: str, mode: str = "query") -> list[str]:
    """Token texts of ``text`` as the locale's analyzer produces them (sub-words included)."""
    return [t.text for t in _cached_analyzer(locale)(text, mode=mode)]


def word_groups(analyzer: Analyzer, text: str) -> list[tuple[str, tuple[str, ...]]]:
    """(word, parts) per position, in order, each word once.

    ``parts`` are the other tokens at the word's position — a Japanese
    compound's sub-words — and are empty for every other language.
    """
    groups: dict[str, list[str]] = {}
    last_pos = None
    word = None
    for t in analyzer(text, mode="query"):
        if t.pos != last_pos or word is None:
            last_pos, word = t.pos, t.text
            groups.setdefault(word, [])
        elif t.text not in groups[word]:
            groups[word].append(t.text)
    return [(w, tuple(parts)) for w, parts in groups.items()]


def spelling_key(word: str, locale: str) -> str | None:
    """What a Japanese kana word or an Arabic word is compared by for "did you mean".

    Japanese: the :func:`kana_key` of a word in kana (パスワド and パスワード share
    one); Arabic: the normalized word without its article (الفواتر → فواتر, one
    edit from فواتير). None for words of other scripts and locales, which the
    Latin edit-distance path handles. See :class:`search.spelling.SpellingKeys`.
    """
    language = _language(locale)
    folded = _fold(word)
    if language == "ja" and is_kana(folded):
        key = kana_key(folded)
        return key if len(key) >= MIN_KEY_CHARS else None
    if language == "ar" and _ARABIC_RUN.fullmatch(folded):
        key = normalize_arabic(folded)
        for article in ARABIC_ARTICLES:
            if key.startswith(article) and len(key) - len(article) >= MIN_ARABIC_STEM:
                return key[len(article) :]
        return key
    return None


_ARABIC_RUN = re.compile(r"[\u0621-\u064A\u0660-\u0669\u0670-\u06D3\u064B-\u065F\u0640]+")
_KATAKANA_RUN = re.compile(r"[\u30A1-\u30FA\u30FC-\u30FE\uFF66-\uFF9F]{3,}")


def katakana_runs(text: str, locale: str) -> list[tuple[int, int, str]]:
    """(start, end, folded word) of each run of three or more katakana in a Japanese query.

    A misspelt loanword is one word to the reader but not to Sudachi, which
    reads ダウンロート as ダウン + ロート: "did you mean" corrects the whole run.
    [] for other locales.
    """
    if _language(locale) != "ja":
        return []
    return [(m.start(), m.end(), _fold(m.group())) for m in _KATAKANA_RUN.finditer(text)]


def spelling_words(text: str, locale: str) -> list[str]:
    """The words of a text a "did you mean" may offer: as written, without keys or stems.

    Japanese: Sudachi's normalized forms of the words search keeps (パスワード,
    設定); Arabic: the normalized words that are not stop words (الفواتير).
    Other locales: [] (their vocabulary is the unstemmed analyzer's tokens).
    """
    language = _language(locale)
    if language == "ja":
        words = []
        for _offset, run, is_latin in JapaneseTokenizer._runs(_fold(text)):
            if not is_latin:
                words += [w.form for w in japanese_words(run, 0) if w.kept]
        return words
    if language == "ar":
        return [
            word
            for word in (normalize_arabic(w) for w in _ARABIC_RUN.findall(_fold(text)))
            if word and word not in ARABIC_STOP_WORDS
        ]
    return []


BIGRAM_JOINER = "\x1e"
"""Joins the two words of a :func:`word_bigrams` token (never part of a word)."""

MAX_TOKENS_PER_POSITION = 4
"""At most this many tokens of one position (a word, its sub-words, keys) pair up."""


def word_bigrams(text: str, locale: str, mode: str = "index") -> list[tuple[str, ...]]:
    """Tokens for two adjacent words, for phrase and proximity evidence in one term lookup.

    One tuple per pair of adjacent positions: every token at the first
    position paired with every token at the next (a word with its sub-words,
    kana keys, clitic-less stems or closed compound; at most
    MAX_TOKENS_PER_POSITION each), so a pair matches however either word was
    written. Index all of them; in a query, each tuple is one requirement
    met by any of its tokens. Stop words are gone and close the gap (reset
    the password → reset␞password); sections (:data:`SECTION_SEPARATOR`)
    are never bridged.
    """
    analyzer = _cached_analyzer(locale)
    out: list[tuple[str, ...]] = []
    for section in text.split(SECTION_SEPARATOR):
        by_position: dict[int, list[str]] = {}
        for t in analyzer(section, mode=mode):
            tokens = by_position.setdefault(t.pos, [])
            if t.text not in tokens:
                tokens.append(t.text)
        for pos, tokens in sorted(by_position.items()):
            following = by_position.get(pos + 1)
            if following:
                out.append(
                    tuple(
                        first + BIGRAM_JOINER + second
                        for first in tokens[:MAX_TOKENS_PER_POSITION]
                        for second in following[:MAX_TOKENS_PER_POSITION]
                    )
                )
    return out


_analyzer_cache: dict[str, Analyzer] = {}


def _cached_analyzer(locale: str) -> Analyzer:
    analyzer = _analyzer_cache.get(locale)
    if analyzer is None:
        analyzer = _analyzer_cache[locale] = analyzer_for(locale)
    return analyzer


_SPACES = re.compile(r"\s+")


def normalize_query_text(text: str, locale: str) -> str:
    """A canonical form of a query, for grouping searches in analytics.

    Steps, in order: NFKC; case-fold; Arabic normalization (for every locale,
    since Arabic words appear in other locales' queries too); the locale's
    analyzer in query mode (so stop words drop and words stem: "Invoices",
    "the invoice" → "invoic"); tokens de-duplicated and sorted, so word order
    folds ("password reset" == "reset password"). If the analyzer leaves
    nothing (only stop words or symbols), the folded text with whitespace
    collapsed is returned instead, so such queries still group. Deterministic:
    no dictionary lookups beyond the analyzer's own.
    """
    folded = normalize_arabic(unicodedata.normalize("NFKC", text).casefold())
    folded = _SPACES.sub(" ", "".join(c if c.isprintable() else " " for c in folded)).strip()
    tokens = sorted({word for word, _ in word_groups(_cached_analyzer(locale), folded)})
    return " ".join(tokens) if tokens else folded
