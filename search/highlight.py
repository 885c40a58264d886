"""Snippets as safe HTML: the source text escaped, with only <mark> around matches.

Re-analyzing stored text is the costly part of building a results page, so
matches are found the cheap way for each kind of analyzer. For
regex-tokenized languages (English, Arabic, the simple analyzer) each
distinct word is analyzed once and remembered, only up to the end of the
passage the first match opens, and only if the stemmer's cheap test says it
could stem to a query term (English stems keep their first two letters). For
Japanese the terms are found as substrings of the folded text (falling back
to running a window around the first likely match through Sudachi when
folding moves character offsets). The passage is then cut around the first
match, escaped, with <mark> around the matches.
"""

from __future__ import annotations

import threading
import unicodedata
from html import escape

SNIPPET_CHARS = 200
"""Longest passage shown."""

SNIPPET_LEAD = 60
"""Characters of context kept before the first match."""

SCAN_CHARS = 4000
"""Matches are looked for in this many leading characters of a text."""

JAPANESE_WINDOW = (150, 450)
"""Characters before and after a likely match that Sudachi re-analyzes."""

ELLIPSIS = "…"


def format_passage(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    """``text[start:end]`` escaped, each span inside it wrapped in <mark>, an ellipsis where cut.

    Overlapping spans are skipped (the first one wins), as the spans come sorted.
    """
    out, pos = [], start
    for s, e in spans:
        if s < pos or s < start or e > end:
            continue
        out.append(escape(text[pos:s], quote=False))
        out.append("<mark>" + escape(text[s:e], quote=False) + "</mark>")
        pos = e
    out.append(escape(text[pos:end], quote=False))
    passage = "".join(out)
    if start > 0:
        passage = ELLIPSIS + passage
    if end < len(text):
        passage += ELLIPSIS
    return passage


def make_snippet(terms: frozenset[str], analyzer, *texts: str) -> str:
    """The passage around the first match in the first text that has one, else a plain start.

    ``terms`` are analyzed token texts as in the query; ``analyzer`` is the
    locale's analyzer (index mode, so Japanese sub-words match too).
    """
    for text in texts:
        if text and terms:
            spans = matched_spans(text, terms, analyzer, first_only=True)
            if spans:
                return _passage(text, spans)
    for text in texts:
        if text:
            return plain_snippet(text)
    return ""


def matched_spans(
    text: str, terms: frozenset[str], analyzer, first_only: bool = False
) -> list[tuple[int, int]]:
    """(start, end) of every word in ``text`` whose analyzed form is a query term, in order.

    With ``first_only``, only the matches a snippet around the first one can
    show: words further than SNIPPET_CHARS past the first match are not analyzed.
    """
    expression = getattr(analyzer.tokenizer, "expression", None)  # a regex tokenizer's pattern
    if expression is not None:
        forms = _word_forms(analyzer)
        possible = _stem_shortcut(analyzer, terms)
        spans: list[tuple[int, int]] = []
        stop = SCAN_CHARS
        for match in expression.finditer(text, 0, SCAN_CHARS):
            if match.start() > stop:
                break
            word = match.group()
            analyzed = forms.get(word)
            if analyzed is None:
                if possible is not None and not possible(word):
                    continue
                analyzed = forms.remember(word, analyzer)
            if not analyzed.isdisjoint(terms):
                spans.append(match.span())
                if first_only and len(spans) == 1:
                    stop = match.start() + SNIPPET_CHARS
        return spans
    if first_only:
        found = _substring_spans(text, terms)
        if found is not None:
            return found
    begin, end = _likely_window(text, terms)
    found = sorted(
        (t.start + begin, -(t.end + begin))
        for t in analyzer(text[begin:end], mode="index")
        if t.text in terms
    )
    spans, last_end = [], -1
    for start, negative_end in found:  # a compound and its sub-words overlap: keep the longest
        if start >= last_end:
            spans.append((start, -negative_end))
            last_end = -negative_end
    return spans


def _stem_shortcut(analyzer, terms: frozenset[str]):
    """The stemmer's cheap "could this word match?" test, or None to analyze every word."""
    for step in analyzer.filters:
        could_stem_to = getattr(step, "could_stem_to", None)
        if could_stem_to is not None:
            return could_stem_to(terms)
    return None


def _substring_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int]] | None:
    """Spans of the terms found as substrings of the folded text; None if folding moves offsets.

    For Japanese the indexed terms are Sudachi's normalized forms, which for
    the nouns people search for are the surface forms after NFKC and case
    folding; finding them as substrings costs microseconds where re-running
    Sudachi over the text costs milliseconds per result. Overlaps (a compound
    and its sub-words) keep the longest. When NFKC changes the text's length
    (half-width katakana), offsets would not point into the original text,
    and the caller analyzes instead.
    """
    head = text[:SCAN_CHARS]
    folded = head if head.isascii() else unicodedata.normalize("NFKC", head)
    folded = folded.casefold()
    if len(folded) != len(head):
        return None
    found = []
    for term in terms:
        start = folded.find(term)
        while start >= 0:
            found.append((start, -(start + len(term))))
            start = folded.find(term, start + len(term))
    spans, last_end = [], -1
    for start, negative_end in sorted(found):
        if start >= last_end:
            spans.append((start, -negative_end))
            last_end = -negative_end
    return spans


def _likely_window(text: str, terms: frozenset[str]) -> tuple[int, int]:
    lowered = text.lower()
    hits = [i for i in (lowered.find(term) for term in terms) if i >= 0]
    if not hits:
        return 0, min(len(text), SCAN_CHARS // 2)
    before, after = JAPANESE_WINDOW
    first = min(hits)
    return max(0, first - before), min(len(text), first + after)


def _passage(text: str, spans: list[tuple[int, int]]) -> str:
    first = spans[0][0]
    start = max(0, first - SNIPPET_LEAD)
    if start:
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", max(first, spans[0][1]), end)
        end = space if space > first else end
    return format_passage(text, spans, start, end)


class _WordForms:
    """Surface word → its analyzed forms, remembered per analyzer (bounded)."""

    limit = 200_000

    def __init__(self) -> None:
        self.forms: dict[str, frozenset[str]] = {}
        self.get = self.forms.get

    def remember(self, word: str, analyzer) -> frozenset[str]:
        if len(self.forms) >= self.limit:
            self.forms.clear()
        analyzed = frozenset(t.text for t in analyzer(word, mode="index"))
        self.forms[word] = analyzed
        return analyzed


_forms_lock = threading.Lock()
_forms_by_analyzer: dict[int, tuple[object, _WordForms]] = {}


def _word_forms(analyzer) -> _WordForms:
    entry = _forms_by_analyzer.get(id(analyzer))
    if entry is None or entry[0] is not analyzer:
        with _forms_lock:
            if len(_forms_by_analyzer) > 64:
                _forms_by_analyzer.clear()
            entry = _forms_by_analyzer[id(analyzer)] = (analyzer, _WordForms())
    return entry[1]


def plain_snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The escaped start of a text, cut at a space near ``limit``."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return escape(text, quote=False)
    cut = text.rfind(" ", limit // 2, limit)
    return escape(text[: cut if cut > 0 else limit], quote=False) + ELLIPSIS
