"""The analyzer pipeline: a tokenizer turns text into tokens, filters rewrite the token stream.

An :class:`Analyzer` is a tokenizer followed by filters, called the same way
to index a document and to read a query (``mode``): ``analyzer(text, mode)``
yields :class:`Token` objects. A filter is any callable ``(tokens, mode) ->
tokens``; it may change a token it receives before passing it on, drop it, or
emit more tokens at its position (a word's parts, stems, keys) — each a
:meth:`Token.but` copy made before the original is passed on, so a token is
never emitted twice and a filter may hold on to one it has not emitted yet.

Positions: tokens at one position are alternatives for one word (a compound
and its sub-words, a word and its stems); consecutive words have consecutive
positions. Offsets (``start``, ``end``) point into the analyzed text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal, Protocol

Mode = Literal["index", "query"]


@dataclass(slots=True)
class Token:
    """One token: its text, its word position and the span of text it came from."""

    text: str
    pos: int
    start: int
    end: int

    def but(self, text: str) -> Token:
        """A copy of this token with other text (same position and span)."""
        return Token(text, self.pos, self.start, self.end)


class Tokenizer(Protocol):
    def __call__(self, text: str, mode: Mode) -> Iterator[Token]: ...


Filter = Callable[[Iterator[Token], Mode], Iterator[Token]]
"""Rewrites a token stream. One with a true ``stems`` attribute is a stemmer."""


class RegexTokenizer:
    """One token per match of a regular expression, at consecutive positions."""

    def __init__(self, pattern: str) -> None:
        self.expression = re.compile(pattern)

    def __call__(self, text: str, mode: Mode) -> Iterator[Token]:
        for pos, match in enumerate(self.expression.finditer(text)):
            yield Token(match.group(), pos, match.start(), match.end())


@dataclass(frozen=True)
class Analyzer:
    """A tokenizer and the filters its tokens pass through, in order."""

    tokenizer: Tokenizer
    filters: tuple[Filter, ...] = ()

    def __call__(self, text: str, mode: Mode = "index") -> Iterator[Token]:
        tokens = self.tokenizer(text, mode)
        for step in self.filters:
            tokens = step(tokens, mode)
        return tokens

    def without_stemming(self) -> Analyzer:
        """This analyzer without its stemmers (itself if it has none): words as written."""
        kept = tuple(f for f in self.filters if not getattr(f, "stems", False))
        return self if len(kept) == len(self.filters) else Analyzer(self.tokenizer, kept)
