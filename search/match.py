"""The backend-neutral query: a small tree of analyzed tokens.

``search.query`` turns what a customer typed into this tree (stages, top-up,
compounds, synonyms and typo candidates are all expressed with it); every
backend translates it into its own engine's syntax, quoting each token, so
user text never reaches an engine as syntax. Tokens are the analyzer's
output (lower-cased, stemmed, normalized), exactly what a backend stored.
A node matches a document row when it matches any of the row's fields
(title, tags, summary, body).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One analyzed token. ``boost`` < 1 marks a typo candidate (backends may ignore it)."""

    token: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Tokens next to each other, in this order, within one field."""

    tokens: tuple[str, ...]


@dataclass(frozen=True)
class Prefix:
    """Any token starting with ``token`` (as-you-type suggestions)."""

    token: str


@dataclass(frozen=True)
class And:
    """Every child matches the same row."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """At least one child matches."""

    children: tuple[Node, ...]


Node = Term | Phrase | Prefix | And | Or


def all_of(nodes: list[Node] | tuple[Node, ...]) -> Node:
    """AND of the nodes; a single node stands for itself."""
    return nodes[0] if len(nodes) == 1 else And(tuple(nodes))


def any_of(nodes: list[Node] | tuple[Node, ...]) -> Node:
    """OR of the nodes; a single node stands for itself."""
    return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))


def tokens_of(node: Node) -> Iterator[str]:
    """Every token in the tree (what snippets highlight), in order, repeats included."""
    if isinstance(node, Term | Prefix):
        yield node.token
    elif isinstance(node, Phrase):
        yield from node.tokens
    else:
        for child in node.children:
            yield from tokens_of(child)
