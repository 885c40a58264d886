"""Text analysis: one analyzer per language, used the same way to index and to query.

Every piece is a module-level Whoosh Tokenizer or Filter so the schema pickles.
Dictionaries (Sudachi) and stemmers load lazily on first use, one per thread,
and are never pickled.

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

from whoosh.analysis import (
    CompositeAnalyzer,
    Filter,
    RegexTokenizer,
    Token,
    Tokenizer,
)
from whoosh.lang import stopwords_for_language

ANALYZER_VERSION = 2
"""Bump whenever an analyzer emits different tokens: every index must be rebuilt."""

SECTION_SEPARATOR = "\x1f"
"""Joins weighted sections (title, summary, tags, body) in one indexed value."""

SECTION_GAP = 100
"""Positions skipped between sections so a phrase never spans two of them."""

_LATIN_WORD = r"[0-9A-Za-z\u00C0-\u024F\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]+"
LATIN_WORD_PATTERN = rf"{_LATIN_WORD}(?:['’.]{_LATIN_WORD})*"
WORD_PATTERN = r"\w+(?:['’.]\w+)*"
# Arabic combining marks and tatweel are not \w; keep them inside the token so
# character offsets still point into the original text, then strip them.
ARABIC_WORD_PATTERN = (
    r"[\w\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]+"
    r"(?:['’.][\w\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]+)*"
)

# Directional words decide meaning in help-center queries ("sign up", "turn off").
ENGLISH_STOP_WORDS = (
    frozenset(stopwords_for_language("en")) - {"up", "down", "off", "out", "over", "under", "on"}
) | {
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

_ARABIC_STOP_WORDS_RAW = """
في من على إلى الى عن مع هذا هذه ذلك تلك هو هي هم هن انا أنا نحن انت أنت
التي الذي الذين اللذان اللتان ما ماذا لماذا كيف متى أين اين هل لا لم لن ان أن إن
او أو ثم قد كان كانت يكون تكون كل بعض غير بين عند عندما حتى اذا إذا لكن بل
أي اي ايضا أيضا فقط لدي لدى له لها لهم به بها بهم فيه فيها منه منها عليه عليها
و ف ب ل ك يا
كم كيفية ممكن يمكن يمكنني يمكنك استطيع أستطيع اريد أريد ابغى ابي بدي عندي
وش ايش إيش شو ليش
"""


MAX_TOKEN_CHARS = 100
"""Longer tokens (pasted keys, base64, what Sudachi can't split) are dropped, unsearched."""


class TextFoldFilter(Filter):
    """NFKC-normalizes and case-folds token text (full-width → ASCII, 'ﾊﾟ' → 'パ')."""

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            text = t.text
            if len(text) > MAX_TOKEN_CHARS:
                continue
            if not text.isascii():
                text = unicodedata.normalize("NFKC", text).replace("’", "'")
            t.text = text.casefold()
            yield t


_ARABIC_MARKS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})


def normalize_arabic(text: str) -> str:
    """Strip tashkeel, superscript alef and tatweel; unify alef, yeh and teh marbuta."""
    return _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS)


ARABIC_STOP_WORDS = frozenset(normalize_arabic(w) for w in _ARABIC_STOP_WORDS_RAW.split())


class ArabicNormalizeFilter(Filter):
    """Applies :func:`normalize_arabic` to each token; drops tokens left empty."""

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            text = normalize_arabic(t.text)
            if text:
                t.text = text
                yield t


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


class StopWordFilter(Filter):
    """Drops stop words, closing the position hole each leaves but keeping section gaps.

    Whoosh's StopFilter renumbers positions consecutively, which would erase
    :data:`SECTION_GAP`; this shifts each later token back by the number of
    stop words dropped so far instead.
    """

    def __init__(self, stoplist: frozenset[str]) -> None:
        self.stops = frozenset(stoplist)

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__ and other.stops == self.stops

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stops = self.stops
        dropped = 0
        for t in tokens:
            if t.text in stops:
                dropped += 1
                if not t.removestops:
                    t.stopped = True
                    yield t
                continue
            t.stopped = False
            if dropped and t.positions:
                t.pos -= dropped
            yield t


class SnowballStemFilter(Filter):
    """Stems with snowballstemmer; a bounded memo makes repeated words cheap."""

    is_morph = True
    cache_size = 50_000

    def __init__(self, language: str = "english") -> None:
        self.language = language
        self._memo: dict[str, str] = {}

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__ and other.language == self.language

    def __getstate__(self) -> dict:
        return {"language": self.language}

    def __setstate__(self, state: dict) -> None:
        self.language = state["language"]
        self._memo = {}

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

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stem = self.stem
        for t in tokens:
            if not t.stopped:
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
            return folded[:2] in starts or folded in ENGLISH_STEM_EXCEPTIONS

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
    """Light Arabic stemming: the Snowball Arabic stemmer plus two light10-style rules.

    Snowball leaves the conjunction before the article alone (والمرور), so a
    leading و/ف before ال is dropped first; after stemming a final ه (teh
    marbuta after normalization) is dropped as light10 does, so singular and
    plural forms meet.
    """

    def __init__(self) -> None:
        super().__init__("arabic")

    def could_stem_to(self, terms: frozenset[str]) -> Callable[[str], bool] | None:
        """False when a surface word cannot stem to any of ``terms`` (see the parent class).

        Prefixes come off and a verb's ي/ت may become ا (يستخدم → استخدم), so
        the test is that the stem's second and third letters (loosely: hamza
        carriers, waw and yeh alike) appear somewhere in the normalized word.
        """
        keys = frozenset((t[1:3] if len(t) >= 3 else t).translate(_ARABIC_LOOSE) for t in terms)

        def possible(word: str) -> bool:
            loose = normalize_arabic(_fold(word)).translate(_ARABIC_LOOSE)
            return any(key in loose for key in keys)

        return possible

    def _stem(self, word: str) -> str:
        if len(word) >= 5 and word[0] in "وف" and word[1:3] == "ال":
            word = word[1:]
        stem = _snowball("arabic").stemWord(word)
        if len(stem) >= 4 and stem.endswith("ه"):
            stem = stem[:-1]
        return stem


_sudachi_lock = threading.Lock()
_sudachi_dictionary = None
_sudachi_local = threading.local()


def _sudachi_tokenizer():
    """A per-thread Sudachi tokenizer over one shared, lazily loaded dictionary."""
    tokenizer = getattr(_sudachi_local, "tokenizer", None)
    if tokenizer is None:
        global _sudachi_dictionary
        from sudachipy import Dictionary, SplitMode

        with _sudachi_lock:
            if _sudachi_dictionary is None:
                _sudachi_dictionary = Dictionary(dict="core")
        tokenizer = _sudachi_dictionary.tokenizer(mode=SplitMode.C)
        _sudachi_local.tokenizer = tokenizer
        _sudachi_local.mode_a = SplitMode.A
    return tokenizer


# Parts of speech that carry no meaning for search.
JAPANESE_DROPPED_POS = frozenset({"助詞", "助動詞", "補助記号", "空白", "記号"})
# Light verbs and formal nouns, by Sudachi normalized form: "設定できない" → 設定.
JAPANESE_STOP_WORDS = frozenset(
    {
        "為る",
        "出来る",
        "居る",
        "有る",
        "成る",
        "くださる",
        "下さる",
        "こと",
        "もの",
        "ため",
        "よう",
        "御",
        # query noise: "招待する方法" asks how to invite
        "方法",
        "やり方",
        "仕方",
    }
)
_LATIN_RUN = re.compile(LATIN_WORD_PATTERN)
# Sudachi refuses very long input; cut at a line or sentence end below this.
_SUDACHI_CHUNK = 6000


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """(offset, piece) pieces of text short enough for Sudachi, cut at natural breaks."""
    start = 0
    while len(text) - start > _SUDACHI_CHUNK:
        end = start + _SUDACHI_CHUNK
        cut = max(text.rfind("\n", start, end), text.rfind("。", start, end))
        if cut <= start:
            cut = end - 1
        yield start, text[start : cut + 1]
        start = cut + 1
    if start < len(text):
        yield start, text[start:]


class JapaneseTokenizer(Tokenizer):
    """Sudachi morphological analysis: mode-C words, each followed by its mode-A sub-words.

    Runs of Latin letters and digits are cut out before Sudachi sees them, so
    "2FA" or "planwise.example" stay one token as in the English analyzer.
    Token text is Sudachi's normalized form (ﾊﾟｽﾜｰﾄﾞ → パスワード, 二 → 2);
    particles, auxiliaries, symbols, whitespace and light verbs are dropped.
    """

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.boost = 1.0
        if not tokenize:
            t.original = t.text = value
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        pos = start_pos
        for offset, text, is_latin in self._runs(value):
            if is_latin:
                words = [(text, offset, offset + len(text), ())]
            else:
                words = self._morphemes(text, offset)
            for word, begin, end, subwords in words:
                t.text = word
                t.stopped = False
                if keeporiginal:
                    t.original = value[begin:end]
                if positions:
                    t.pos = pos
                if chars:
                    t.startchar, t.endchar = start_char + begin, start_char + end
                yield t
                for sub, sub_begin, sub_end in subwords:
                    t.text = sub
                    if chars:
                        t.startchar = start_char + sub_begin
                        t.endchar = start_char + sub_end
                    yield t
                pos += 1

    @staticmethod
    def _runs(value: str) -> Iterator[tuple[int, str, bool]]:
        """(offset, text, is_latin) runs: Latin words and the Japanese text between them."""
        last = 0
        for match in _LATIN_RUN.finditer(value):
            if match.start() > last:
                yield last, value[last : match.start()], False
            yield match.start(), match.group(), True
            last = match.end()
        if last < len(value):
            yield last, value[last:], False

    @staticmethod
    def _morphemes(text: str, offset: int):
        tokenizer = _sudachi_tokenizer()
        mode_a = _sudachi_local.mode_a
        for chunk_offset, chunk in _chunks(text):
            base = offset + chunk_offset
            for m in tokenizer.tokenize(chunk):
                if m.part_of_speech()[0] in JAPANESE_DROPPED_POS:
                    continue
                form = m.normalized_form()
                if form in JAPANESE_STOP_WORDS:
                    continue
                subwords = ()
                parts = m.split(mode_a)
                if len(parts) > 1:
                    subwords = tuple(
                        (p.normalized_form(), base + p.begin(), base + p.end())
                        for p in parts
                        if p.part_of_speech()[0] not in JAPANESE_DROPPED_POS
                        and p.normalized_form() != form
                    )
                yield form, base + m.begin(), base + m.end(), subwords


class SectionTokenizer(Tokenizer):
    """Tokenizes SECTION_SEPARATOR-joined sections with a boost per section.

    This is how one ``content`` field carries BM25F field weights: a term's
    weight in a document is the boost-weighted sum of its occurrences in
    title, summary, tags and body, and there is one posting list per term to
    read instead of one per field. Text without a separator (any query) is a
    single section with boost 1.
    """

    def __init__(self, inner: Tokenizer, boosts: tuple[float, ...]) -> None:
        self.inner = inner
        self.boosts = tuple(boosts)

    def __eq__(self, other: object) -> bool:
        return (
            other.__class__ is self.__class__
            and other.inner == self.inner
            and other.boosts == self.boosts
        )

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        start_pos: int = 0,
        start_char: int = 0,
        **kwargs,
    ) -> Iterator[Token]:
        if SECTION_SEPARATOR not in value:
            yield from self.inner(
                value,
                positions=positions,
                chars=chars,
                start_pos=start_pos,
                start_char=start_char,
                **kwargs,
            )
            return
        pos, char = start_pos, start_char
        for i, section in enumerate(value.split(SECTION_SEPARATOR)):
            boost = self.boosts[i] if i < len(self.boosts) else 1.0
            for t in self.inner(
                section, positions=positions, chars=chars, start_pos=pos, start_char=char, **kwargs
            ):
                t.boost = boost
                yield t
            pos += SECTION_GAP
            char += len(section) + 1


def _english() -> CompositeAnalyzer:
    return (
        RegexTokenizer(WORD_PATTERN)
        | TextFoldFilter()
        | StopWordFilter(ENGLISH_STOP_WORDS)
        | SnowballStemFilter("english")
    )


def _japanese() -> CompositeAnalyzer:
    return JapaneseTokenizer() | TextFoldFilter()


def _arabic() -> CompositeAnalyzer:
    return (
        RegexTokenizer(ARABIC_WORD_PATTERN)
        | TextFoldFilter()
        | ArabicNormalizeFilter()
        | StopWordFilter(ARABIC_STOP_WORDS)
        | ArabicStemFilter()
    )


def _simple() -> CompositeAnalyzer:
    return RegexTokenizer(WORD_PATTERN) | TextFoldFilter()


ANALYZERS = {"en": _english, "ja": _japanese, "ar": _arabic}
"""Locale → analyzer factory; a locale not listed gets a fold-only word analyzer."""


def _language(locale: str) -> str:
    return locale.replace("_", "-").split("-")[0].lower()


def analyzer_for(locale: str) -> CompositeAnalyzer:
    """The analyzer for a locale ("en", "ja", "ar", "en-US"…); unknown → simple."""
    return ANALYZERS.get(_language(locale), _simple)()


def sectioned(analyzer: CompositeAnalyzer, boosts: tuple[float, ...]) -> CompositeAnalyzer:
    """The same analyzer with its tokenizer wrapped in a :class:`SectionTokenizer`."""
    tokenizer, *filters = analyzer.items
    return CompositeAnalyzer(SectionTokenizer(tokenizer, boosts), *filters)


def analyze(text: str, locale: str, mode: str = "query") -> list[str]:
    """Token texts of ``text`` as the locale's analyzer produces them (sub-words included)."""
    return [t.text for t in _cached_analyzer(locale)(text, mode=mode)]


def word_groups(analyzer: CompositeAnalyzer, text: str) -> list[tuple[str, tuple[str, ...]]]:
    """(word, parts) per position, in order, each word once.

    ``parts`` are the other tokens at the word's position — a Japanese
    compound's sub-words — and are empty for every other language.
    """
    groups: dict[str, list[str]] = {}
    last_pos = None
    word = None
    for t in analyzer(text, mode="query", positions=True):
        if t.pos != last_pos or word is None:
            last_pos, word = t.pos, t.text
            groups.setdefault(word, [])
        elif t.text not in groups[word]:
            groups[word].append(t.text)
    return [(w, tuple(parts)) for w, parts in groups.items()]


_analyzer_cache: dict[str, CompositeAnalyzer] = {}


def _cached_analyzer(locale: str) -> CompositeAnalyzer:
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
