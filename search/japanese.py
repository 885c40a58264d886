"""Japanese: Sudachi segmentation in search mode, kana folding and readings, hiragana loanwords.

`JapaneseTokenizer` emits a split-mode-C word with its mode-A sub-words at the same
position; each indexed word is followed by its kana key (and a noun by its reading's),
so a word typed in kana finds its katakana or kanji form.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterator

from search.pipeline import Mode, Token
from search.word_shapes import LATIN_WORD_PATTERN, word_parts

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
        # interrogatives: a question asks with them, the text that answers it never does
        # (何, なに and なん are all 何; なぜ is 何故, いくつ 幾つ)
        "何",
        "何時",
        "いつ",
        "どこ",
        "何処",
        "誰",
        "どれ",
        "どの",
        "どちら",
        "どっち",
        "どなた",
        "どう",
        "どういう",
        "どのような",
        "どんな",
        "何故",
        "幾つ",
        "幾ら",
        "如何",
    }
)
INTERROGATIVE_PREFIX = "何"
"""何 before a counter or noun asks for one (何歳, 何色, 何回): the word is what follows it."""
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


class JapaneseTokenizer:
    """Sudachi morphological analysis: mode-C words, each followed by its mode-A sub-words.

    Runs of Latin letters and digits are cut out before Sudachi sees them, so
    "2FA" or "planwise.example" stay one token as in the English analyzer.
    Token text is Sudachi's normalized form (ﾊﾟｽﾜｰﾄﾞ → パスワード, 二 → 2);
    particles, auxiliaries, symbols, whitespace and light verbs are dropped.

    Kana: hiragana spellings of loanwords are read as the loanword (ろぐいん →
    ログイン). When indexing, each word is followed, at its position, by its
    :func:`kana_key` and, for nouns, the key of its reading (設定 → セッテイ), so
    a query can match by sound. A query's kana word asks for itself or its key
    (``(word, (key,))`` in :func:`word_groups`); a run of hiragana in a query
    asks for the key of the whole run (せってい → the reading of 設定) or for
    the words Sudachi found in it.
    """

    def __call__(self, value: str, mode: Mode) -> Iterator[Token]:
        querying = mode == "query"
        pos = 0
        for offset, text, is_latin in self._runs(value):
            if is_latin:
                end = offset + len(text)
                parts = () if querying else [(p, offset, end) for p in word_parts(text)]
                groups = [(text, offset, end, parts)]
            elif querying:
                groups = _query_groups(japanese_words(text, offset))
            else:
                groups = _index_groups(japanese_words(text, offset))
            for word, begin, end, extra in groups:
                yield Token(word, pos, begin, end)
                for sub, sub_begin, sub_end in extra:
                    yield Token(sub, pos, sub_begin, sub_end)
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


def japanese_words(text: str, offset: int) -> list[_Word]:
    """Sudachi's mode-C words of a text (offsets from ``offset``), loanwords re-read."""
    words = []
    for chunk_offset, chunk in _chunks(text):
        words += _sudachi_words(chunk, offset + chunk_offset)
    return [_without_interrogative(w) for w in words]


def _without_interrogative(word: _Word) -> _Word:
    """何歳 as 歳, 何色 as 色: a question's 何 + counter asks for the counter (the text says 12歳).

    The word becomes its part after 何 (with that part's reading), or, when
    Sudachi gave no parts, the rest of its form (without a reading).
    """
    form = word.form
    if len(form) < 2 or not form.startswith(INTERROGATIVE_PREFIX) or form in JAPANESE_STOP_WORDS:
        return word
    rest = [p for p in word.parts if p[0] != INTERROGATIVE_PREFIX]
    if len(rest) == 1:
        part_form, begin, end, reading, pos = rest[0]
        return _Word(part_form, begin, end, reading, pos, (), word.surface[1:])
    return _Word(form[1:], word.begin + 1, word.end, "", word.pos, tuple(rest), word.surface[1:])


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
    kana word is followed by its key when that differs from it.
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
            yield w.form, w.begin, w.end, [(key, w.begin, w.end)]
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


def spoken_words(text: str) -> list[str]:
    """A Japanese text as the words it is read aloud as: katakana readings, Latin as written.

    For romanized URL names (パスワードを再設定する → パスワード, ヲ, サイセッテイ, スル);
    symbols and spaces are dropped. Sudachi's reading of an unknown word is its surface.
    """
    words = []
    for _offset, chunk in _chunks(text):
        for m in _sudachi_tokenizer().tokenize(chunk):
            if m.part_of_speech()[0] in ("補助記号", "空白", "記号"):
                continue
            surface = m.surface()
            reading = m.reading_form()
            known = reading and not m.is_oov() and not surface.isascii()
            words.append(reading if known else surface)
    return words
