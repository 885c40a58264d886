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

import functools
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


class WordPartsFilter(Filter):
    """When indexing, a token is followed at its position by its :func:`word_parts`.

    A query keeps the whole token: outlook.com asks for outlook.com, while
    outlook alone or AADSTS alone finds the text that says outlook.com or
    AADSTS650056.
    """

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if t.mode == "query" or len(t.text) < 4:
                yield t
                continue
            text = t.text
            parts = word_parts(text)
            yield t
            for part in parts:
                t.text = part
                yield t
            t.text = text


PARTICLES = frozenset({"in", "up", "out", "on", "off", "down"})
"""Particles that close up with a verb: log in / login, set up / setup, log out / logout."""

MAX_PHRASAL_VERB_CHARS = 8


class PhrasalCompoundFilter(Filter):
    """A word followed by a particle is also the closed compound (log in → login).

    People write log in, log-in, login and logging in for one thing. When
    indexing, the compound (the word's Snowball stem + the particle: logging
    in → login, signed up → signup) is added at the word's position. In a
    query the compound comes first at the word's position, followed by the
    word and a particle that is not a stop word ("set up" → setup, or set and
    up; "log in" → login, or log), so a text with either spelling matches,
    and synonyms (login ↔ signin) apply to the one compound token.
    """

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        previous: Token | None = None
        head: tuple[str, int] | None = None  # when indexing: the last word and its position
        shift = 0
        for t in tokens:
            if t.mode != "query":
                text = t.text
                pos = t.pos if t.positions else None
                if head is not None and text in PARTICLES and (pos is None or pos == head[1] + 1):
                    # before the particle: a dropped stop word shifts what follows it
                    t.text = _snowball("english").stemWord(head[0]) + text
                    if t.positions:
                        t.pos = head[1]
                    yield t
                    t.text = text
                    if t.positions:
                        t.pos = pos
                yield t
                head = (text, pos) if _can_be_phrasal_verb(text) else None
                continue
            # a query is short: copy tokens to look one ahead
            t = t.copy()
            if t.positions:
                t.pos -= shift
            if previous is not None:
                if t.text in PARTICLES and (not t.positions or t.pos == previous.pos + 1):
                    compound = previous.copy()
                    compound.text = _snowball("english").stemWord(previous.text) + t.text
                    yield compound
                    yield previous
                    previous = None
                    if t.text in ENGLISH_STOP_WORDS:
                        yield t  # the stop filter drops it and closes the gap
                    else:
                        if t.positions:
                            t.pos = compound.pos
                            shift += 1
                        yield t
                    continue
                yield previous
            previous = t if _can_be_phrasal_verb(t.text) else None
            if previous is None:
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


ARABIC_ARTICLES = ("وال", "فال", "بال", "كال", "ولل", "ال", "لل")
"""The article with the conjunctions and prepositions written onto it, longest first."""

ARABIC_PROCLITICS = "وفبكل"
"""Conjunctions and prepositions written onto a word without the article."""

MIN_ARABIC_STEM = 3
"""No affix comes off if fewer letters would be left (المرور → مرور, never رور)."""

_PLURAL_ENDINGS = {"ات": MIN_ARABIC_STEM, "ون": MIN_ARABIC_STEM + 1, "ين": MIN_ARABIC_STEM + 1}
"""Sound plural endings and the letters that must stay (تخزين is no plural of تخز)."""


def arabic_light_stem(word: str) -> str:
    """A normalized Arabic word without its article and one common suffix.

    Only affixes that are reliably affixes come off: the article with a
    conjunction or preposition written onto it (والفواتير, بالملفات, للملفات),
    then one of the sound plural endings ات (if 3 letters stay: ملفات → ملف),
    ون/ين (if 4 stay: المستخدمين → مستخدم, but تخزين stays), or a final ه (teh
    marbuta: فاتورة → فاتور), then a final ي if 4 letters stay (حسابي → حساب,
    الكترونية → الكترون like الكتروني); form-X verbs meet their verbal noun
    (:func:`_verb_stem`). Single-letter proclitics without the
    article are ambiguous (باشتراك is ب + اشتراك, but بريد is a word) and are
    left to :func:`arabic_clitic_variants`. Broken plurals (فواتير / فاتورة)
    need a dictionary and are not conflated.
    """
    for article in ARABIC_ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= MIN_ARABIC_STEM:
            word = word[len(article) :]
            break
    else:
        if word.startswith("لل") and len(word) >= 4:  # ل + اللغة is written للغة
            word = word[1:]
    if len(word) - 2 >= _PLURAL_ENDINGS.get(word[-2:], len(word)):
        word = word[:-2]
    elif word.endswith("ه") and len(word) - 1 >= MIN_ARABIC_STEM:
        word = word[:-1]
    if word.endswith("ي") and len(word) - 1 >= MIN_ARABIC_STEM + 1:
        word = word[:-1]
        if word.endswith("ت") and len(word) - 1 >= MIN_ARABIC_STEM:
            word = word[:-1]  # ة is written ت before a suffix: بطاقتي → بطاقة
    return _verb_stem(word)


def _verb_stem(word: str) -> str:
    """Present-tense person prefixes unified, form-X verbs meet their verbal nouns.

    A four-letter word in ت or ن is read as the present tense of a three-letter
    root and spelled with ي (تعمل, نعمل → يعمل). Form X: يستخدم/تستخدم →
    استخدم, and the verbal noun استفعال → استفعل (استخدام → استخدم, استرداد →
    استرد for a doubled root); both patterns are unambiguous in shape.
    """
    if len(word) == 4 and word[0] in "تن":
        word = "ي" + word[1:]
    if word[:3] in ("يست", "تست", "نست") and len(word) >= 5:
        word = "ا" + word[1:]
    if word.startswith("است") and len(word) == 7 and word[5] == "ا":
        word = word[:5] if word[4] == word[6] else word[:5] + word[6]
    return word


def arabic_clitic_variants(word: str) -> list[str]:
    """The stem of the word read without a leading و ف ب ك ل (or و/ف and then ب ك ل).

    باشتراك → اشتراك; وباشتراك → اشتراك. Only when the article did not already
    come off and at least 4 letters stay, so كلمة never yields لمه nor بريد ريد;
    at most one variant, since a query asks for the word or all of its variants.
    """
    if any(word.startswith(a) for a in ARABIC_ARTICLES):
        return []
    keep = MIN_ARABIC_STEM + 1
    if word[:1] in "وف" and word[1:2] in "بكل" and len(word) - 2 >= keep:
        rest = word[2:]
    elif word[:1] in ARABIC_PROCLITICS and len(word) - 1 >= keep:
        rest = word[1:]
    else:
        return []
    variant = arabic_light_stem(rest)
    return [variant] if variant != arabic_light_stem(word) else []


class ArabicStemFilter(SnowballStemFilter):
    """Light Arabic stemming (:func:`arabic_light_stem`), then the clitic-less readings.

    Each word is its stem, followed at the same position by the stems of its
    readings without a leading و/ف/ب/ك/ل (:func:`arabic_clitic_variants`): when
    indexing, so اشتراك finds a text that says باشتراك; in a query, as the
    word's alternatives (``(stem, variants)`` in :func:`word_groups`), so
    باشتراك finds a text that says اشتراك.
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
        return (arabic_light_stem(word), *arabic_clitic_variants(word))

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stem = self.stem
        for t in tokens:
            if t.stopped:
                yield t
                continue
            main, *variants = stem(t.text)
            t.text = main
            yield t
            for variant in variants:
                t.text = variant
                yield t


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


_SMALL_KANA = str.maketrans("ァィゥェォャュョヮヵヶ", "アイウエオヤユヨワカケ")
_V_KANA = (("ヴァ", "バ"), ("ヴィ", "ビ"), ("ヴェ", "ベ"), ("ヴォ", "ボ"), ("ヴ", "ブ"))
_HIRAGANA = re.compile(r"[\u3041-\u3096\u309D\u309Eー]+\Z")
_KANA = re.compile(r"[\u3041-\u3096\u309D\u309E\u30A1-\u30FA\u30FD\u30FEー]+\Z")
_KATAKANA = re.compile(r"[\u30A1-\u30FA\u30FD\u30FEー]+\Z")


def to_katakana(text: str) -> str:
    """Hiragana letters as katakana (ぱすわーど → パスワード); everything else unchanged."""
    return "".join(
        chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" or c in "ゝゞ" else c for c in text
    )


@functools.lru_cache(maxsize=100_000)
def kana_key(text: str) -> str:
    """How a kana word sounds, spelled one way: the key two spellings of one word share.

    Katakana; ヴァ → バ; small kana as full-size (ウィンドウ = ウインドウ); no long-vowel
    mark (サーバー = サーバ = さーば, and the typo パスワド = パスワード). The price:
    ビル and ビール share a key. Keys are extra tokens at a word's position, never
    a word's only form, so snippets and suggestions still see the surface form.
    """
    key = to_katakana(unicodedata.normalize("NFKC", text))
    for variant, plain in _V_KANA:
        key = key.replace(variant, plain)
    return key.translate(_SMALL_KANA).replace("ー", "")


def is_kana(text: str) -> bool:
    """True for a word written only in hiragana, katakana and the long-vowel mark."""
    return bool(_KANA.match(text))


READING_POS = frozenset({"名詞", "形状詞", "代名詞"})
"""Parts of speech whose reading is indexed as a key (verbs' readings are inflected)."""

MIN_KEY_CHARS = 2
"""Shorter reading keys (書 → ショ) would match too much."""

LOANWORD_MIN_CHARS = 3
LOANWORD_MAX_CHARS = 12
"""Shortest and longest hiragana spellings tried as a katakana loanword."""

_loanword_memo: dict[str, str | None] = {}
_LOANWORD_MEMO_SIZE = 50_000


def _loanword(hiragana: str) -> str | None:
    """The dictionary loanword a hiragana spelling stands for (くらしっく → クラシック), or None.

    Accepted only when the katakana spelling is one known noun whose normalized
    form is itself katakana, so Japanese words typed in kana (こと → 事) stay
    what they are.
    """
    if hiragana in _loanword_memo:
        return _loanword_memo[hiragana]
    katakana = to_katakana(hiragana)
    found = None
    if len(katakana.replace("ー", "")) >= LOANWORD_MIN_CHARS:
        morphemes = _sudachi_tokenizer().tokenize(katakana)
        if len(morphemes) == 1:
            m = morphemes[0]
            form = m.normalized_form()
            pos = m.part_of_speech()
            if not m.is_oov() and pos[:2] == ("名詞", "普通名詞") and _KATAKANA.match(form):
                found = form
    if len(_loanword_memo) >= _LOANWORD_MEMO_SIZE:
        _loanword_memo.clear()
    _loanword_memo[hiragana] = found
    return found


class _Word:
    """One mode-C word: normalized form, span, reading, part of speech, mode-A parts."""

    __slots__ = ("begin", "end", "form", "parts", "pos", "reading", "surface")

    def __init__(self, form, begin, end, reading, pos, parts=(), surface=""):
        self.form, self.begin, self.end = form, begin, end
        self.reading, self.pos, self.parts, self.surface = reading, pos, parts, surface

    @property
    def kept(self) -> bool:
        """False for particles, symbols, light verbs: words search ignores."""
        return self.pos not in JAPANESE_DROPPED_POS and self.form not in JAPANESE_STOP_WORDS


def _reading_keys(word: _Word) -> tuple[str, ...]:
    """The kana keys indexed at a word's position (:func:`_reading_keys_of`)."""
    return _reading_keys_of(
        (word.form, word.reading, word.pos),
        tuple((form, reading, pos) for form, _b, _e, reading, pos in word.parts),
    )


@functools.lru_cache(maxsize=100_000)
def _reading_keys_of(
    word: tuple[str, str, str], parts: tuple[tuple[str, str, str], ...]
) -> tuple[str, ...]:
    """Kana keys of a word and its parts: its spelling's if kana, its reading's if a noun.

    Each word and part is a (form, reading, part of speech) triple; memoized,
    since the same words recur in every text.
    """
    keys = []
    for form, reading, pos in (word, *parts):
        if is_kana(form):
            keys.append(kana_key(form))
        if pos in READING_POS and reading:
            keys.append(kana_key(reading))
    seen = {word[0], *(p[0] for p in parts)}
    out = []
    for key in keys:
        if len(key) >= MIN_KEY_CHARS and key not in seen:
            seen.add(key)
            out.append(key)
    return tuple(out)


class JapaneseTokenizer(Tokenizer):
    """Sudachi morphological analysis: mode-C words, each followed by its mode-A sub-words.

    Runs of Latin letters and digits are cut out before Sudachi sees them, so
    "2FA" or "planwise.example" stay one token as in the English analyzer.
    Token text is Sudachi's normalized form (ﾊﾟｽﾜｰﾄﾞ → パスワード, 二 → 2);
    particles, auxiliaries, symbols, whitespace and light verbs are dropped.

    Kana: hiragana spellings of loanwords are read as the loanword (ろぐいん →
    ログイン). When indexing, each word is followed, at its position, by its
    :func:`kana_key` and, for nouns, the key of its reading (設定 → セツテイ… see
    :func:`kana_key`), so a query can match by sound. A query's kana word asks
    for its key or itself (the key comes first: ``(key, (word,))`` in
    :func:`word_groups`); a run of hiragana in a query asks for the key of the
    whole run (せってい → the reading of 設定) or for the words Sudachi found in it.
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
        querying = mode == "query"
        pos = start_pos
        for offset, text, is_latin in self._runs(value):
            if is_latin:
                end = offset + len(text)
                parts = () if querying else [(p, offset, end) for p in word_parts(text)]
                groups = [(text, offset, end, parts)]
            elif querying:
                groups = _query_groups(_words(text, offset))
            else:
                groups = _index_groups(_words(text, offset))
            for word, begin, end, extra in groups:
                t.text = word
                t.stopped = False
                if keeporiginal:
                    t.original = value[begin:end]
                if positions:
                    t.pos = pos
                if chars:
                    t.startchar, t.endchar = start_char + begin, start_char + end
                yield t
                for sub, sub_begin, sub_end in extra:
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


def _words(text: str, offset: int) -> list[_Word]:
    """Sudachi's mode-C words of a text (offsets from ``offset``), loanwords re-read."""
    words = []
    for chunk_offset, chunk in _chunks(text):
        words += _sudachi_words(chunk, offset + chunk_offset)
    return words


def _sudachi_words(text: str, base: int) -> list[_Word]:
    """Sudachi's words of a short text, with hiragana-spelled loanwords as one word.

    Sudachi reads ろぐいん as ろ + ぐいん and くらしっく as 蔵 + 知る + 九, and may
    join a loanword's last letter to what follows (ぱすわー|どの). So in a run of
    hiragana, the longest spelling of at least LOANWORD_MIN_CHARS letters starting
    where a Sudachi word starts that is a dictionary loanword (:func:`_loanword`)
    becomes that word, if what follows starts a word of its own (a particle or an
    ending, or anything not hiragana: せって|い is not セッテ + い), and if
    Sudachi did not already read exactly that spelling as one known word; the
    rest of that run is analyzed again. Only runs Sudachi seems to have
    misread (:func:`_misread`) are tried.
    """
    tokenizer = _sudachi_tokenizer()
    mode_a = _sudachi_local.mode_a
    # materialized before any other tokenize call can reuse Sudachi's buffers
    analyzed = [_sudachi_word(m, base, mode_a) for m in tokenizer.tokenize(text)]
    words = []
    k = 0
    while k < len(analyzed):
        w = analyzed[k]
        k += 1
        if not _HIRAGANA.match(w.surface):
            words.append(w)
            continue
        start = w.begin - base
        after_run = k - 1
        while after_run < len(analyzed) and _HIRAGANA.match(analyzed[after_run].surface):
            after_run += 1
        run_end = analyzed[after_run - 1].end - base
        if not _misread(analyzed[k - 1 : after_run]):
            words.append(w)
            continue
        known_end = w.end - base if w.pos != "OOV" else -1
        stop = start + LOANWORD_MIN_CHARS - 1
        for end in range(min(run_end, start + LOANWORD_MAX_CHARS), stop, -1):
            if end == known_end:
                continue
            form = _loanword(text[start:end])
            if form is not None and _starts_a_word(text[end:]):
                words.append(_Word(form, base + start, base + end, form, "名詞", (), form))
                # only the rest of this run of hiragana is read again
                words += _sudachi_words(text[end:run_end], base + end) if end < run_end else []
                k = after_run
                break
        else:
            words.append(w)
    return words


_CONTENT_POS = frozenset({"名詞", "動詞", "副詞", "感動詞", "形容詞", "代名詞", "接頭辞", "OOV"})


def _misread(run: list[_Word]) -> bool:
    """Whether Sudachi's reading of a run of hiragana looks like a loanword it did not see.

    A long-vowel mark, an unknown word, or a one-letter content word (ろ + ぐいん,
    くら + しっ + く, あ + か + うん + と): ordinary hiragana (することができます)
    has none of them, and is not searched for loanwords at all.
    """
    return any(
        "ー" in w.surface or w.pos == "OOV" or (len(w.surface) == 1 and w.pos in _CONTENT_POS)
        for w in run
    )


def _starts_a_word(rest: str) -> bool:
    """Whether a text (after a loanword) begins at a word boundary."""
    if not rest or not _HIRAGANA.match(rest[0]):
        return True
    first = _sudachi_tokenizer().tokenize(rest[:8])[0].surface()
    return first in _TRAILING_ENDINGS or first in _LEADING_PARTICLES


def _sudachi_word(m, base: int, mode_a) -> _Word:
    pos = "OOV" if m.is_oov() else m.part_of_speech()[0]
    form = m.normalized_form()
    parts = ()
    split = m.split(mode_a) if pos not in JAPANESE_DROPPED_POS else ()
    if len(split) > 1:
        parts = tuple(
            (
                p.normalized_form(),
                base + p.begin(),
                base + p.end(),
                p.reading_form(),
                p.part_of_speech()[0],
            )
            for p in split
            if p.part_of_speech()[0] not in JAPANESE_DROPPED_POS and p.normalized_form() != form
        )
    begin, end = base + m.begin(), base + m.end()
    return _Word(form, begin, end, m.reading_form(), pos, parts, m.surface())


def _index_groups(words: list[_Word]):
    """(token, begin, end, same-position tokens) per kept word: sub-words, then kana keys."""
    for w in words:
        if not w.kept:
            continue
        extra = _part_spans(w) + [(key, w.begin, w.end) for key in _reading_keys(w)]
        yield w.form, w.begin, w.end, extra


def _query_groups(words: list[_Word]):
    """(token, begin, end, same-position tokens) per position of a query.

    A run of hiragana words becomes the key of the whole run followed by its
    kept words (せってい: the reading of 設定, or what Sudachi made of it); a
    kana word whose key differs from it becomes its key followed by itself.
    """
    i = 0
    while i < len(words):
        if _HIRAGANA.match(words[i].surface):
            j = i
            while j < len(words) and _HIRAGANA.match(words[j].surface):
                j += 1
            yield from _hiragana_run(words[i:j])
            i = j
            continue
        w = words[i]
        i += 1
        if not w.kept:
            continue
        key = kana_key(w.form) if is_kana(w.form) and not w.parts else w.form
        if key != w.form and len(key) >= MIN_KEY_CHARS:
            yield key, w.begin, w.end, [(w.form, w.begin, w.end)]
        else:
            yield w.form, w.begin, w.end, _part_spans(w)


RUN_KEY_MAX_CHARS = 6
"""A longer run of hiragana is a phrase, not a word typed in kana: it is split at particles."""

_FUNCTION_POS = frozenset({"助詞", "助動詞", "補助記号", "空白", "記号"})
_SYMBOL_POS = frozenset({"補助記号", "空白", "記号"})
# By surface, not part of speech: Sudachi's reading of a hiragana-typed word is
# often wrong (せってい → せっ + て + い), but what a query starts or ends with is not.
_LEADING_PARTICLES = frozenset(
    ["を", "が", "に", "は", "で", "と", "の", "も", "へ", "や", "から", "まで", "より"]
)
_TRAILING_ENDINGS = frozenset(
    [
        "を",
        "が",
        "に",
        "は",
        "で",
        "と",
        "の",
        "も",
        "へ",
        "や",
        "か",
        "ね",
        "よ",
        "な",
        "から",
        "まで",
        "より",
        "って",
        "たい",
        "ない",
        "ます",
        "ません",
        "まし",
        "た",
        "て",
        "です",
        "でした",
        "だ",
        "でしょ",
        "う",
        "ぬ",
        "し",
        "して",
        "した",
        "する",
        "します",
        "しない",
        "しません",
        "しよ",
        "され",
        "される",
        "させ",
        "でき",
        "できる",
        "できない",
        "できます",
        "できません",
    ]
)


def _hiragana_run(run: list[_Word]):
    """Query positions for a run of hiragana: its key followed by the kept words in it.

    Particles and auxiliaries at either end are not part of the key (をへんこう
    → ヘンコウ); a run with a case particle inside (:func:`_splits_run`), or
    longer than RUN_KEY_MAX_CHARS, is split at its particles
    and each piece is keyed on its own (すべてのめーるをけす → 全て, メール, 消す).
    """
    while run and (run[0].surface in _LEADING_PARTICLES or run[0].pos in _SYMBOL_POS):
        run = run[1:]
    while run and (run[-1].surface in _TRAILING_ENDINGS or run[-1].pos in _SYMBOL_POS):
        run = run[:-1]
    kept = [w for w in run if w.kept]
    if not kept:
        return
    key = kana_key("".join(w.surface for w in run))
    if any(_splits_run(w) for w in run) or (
        len(key) > RUN_KEY_MAX_CHARS and any(w.pos in _FUNCTION_POS for w in run)
    ):
        piece: list[_Word] = []
        for w in [*run, None]:
            if w is None or w.pos in _FUNCTION_POS or _splits_run(w):
                yield from _hiragana_run(piece)
                piece = []
            else:
                piece.append(w)
        return
    if len(key) < MIN_KEY_CHARS:
        for w in kept:
            yield w.form, w.begin, w.end, _part_spans(w)
        return
    extra = []
    for w in kept:
        extra.append((w.form, w.begin, w.end))
        extra += _part_spans(w)
    yield key, run[0].begin, run[-1].end, [e for e in extra if e[0] != key]


def _splits_run(word: _Word) -> bool:
    """A case particle inside a run of hiragana ends a word (めーる|を|かえる)."""
    return word.pos == "助詞" and word.surface in _LEADING_PARTICLES


def _part_spans(word: _Word) -> list[tuple[str, int, int]]:
    return [(form, begin, end) for form, begin, end, _reading, _pos in word.parts]


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
        | WordPartsFilter()
        | PhrasalCompoundFilter()
        | StopWordFilter(ENGLISH_STOP_WORDS)
        | SnowballStemFilter("english")
    )


def _japanese() -> CompositeAnalyzer:
    return JapaneseTokenizer() | TextFoldFilter()


def _arabic() -> CompositeAnalyzer:
    return (
        RegexTokenizer(ARABIC_WORD_PATTERN)
        | TextFoldFilter()
        | WordPartsFilter()
        | ArabicNormalizeFilter()
        | StopWordFilter(ARABIC_STOP_WORDS)
        | ArabicStemFilter()
    )


def _simple() -> CompositeAnalyzer:
    return RegexTokenizer(WORD_PATTERN) | TextFoldFilter() | WordPartsFilter()


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
                words += [w.form for w in _words(run, 0) if w.kept]
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
        for t in analyzer(section, mode=mode, positions=True):
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
