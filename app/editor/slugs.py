"""URL names made from titles: transliterated to ASCII (Japanese by its reading), unique per
language (-2, -3… when taken)."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii
from sqlalchemy import select

from app.extensions import db
from app.kb.content_files import SLUG_PATTERN
from app.kb.models import Article
from search.japanese import spoken_words

SLUG_MAX = 80  # generated names stay short; typed ones may use the full 120
# anyascii drops the alef and writes hamza as an apostrophe; a URL reads better with "a"
_ALEF = str.maketrans(dict.fromkeys("اأإٱ", "a"))
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")


def _kana_romaji(katakana: str) -> str:
    """Katakana in Hepburn-like letters: シャ → sha, ティ → ti, ッ doubles, ー is dropped."""
    out = ""
    double = False
    for char in katakana:
        if char == "ッ":
            double = True
            continue
        letters = anyascii(char).lower()
        if char in "ャュョ" and out.endswith("i"):
            stem = out[:-1]
            out = stem + (letters[1:] if stem.endswith(("sh", "ch", "j")) else letters)
            continue
        if char in "ァィゥェォ" and out[-1:] in ("a", "i", "u", "e", "o") and len(out) > 1:
            out = out[:-1] + letters
            continue
        if double and letters[:1].isalpha() and letters[:1] not in "aiueon":
            letters = letters[0] + letters
        double = False
        out += letters
    return out


def _japanese_ascii(text: str) -> str:
    words = []
    for word in spoken_words(text):
        words.append(word if word.isascii() else _kana_romaji(word))
    return " ".join(words)


def to_ascii(text: str, locale: str = "") -> str:
    """The title in ASCII letters: Japanese read with Sudachi, everything else by anyascii."""
    text = unicodedata.normalize("NFKC", text)
    if locale == "ja" or _JAPANESE.search(text):
        return _japanese_ascii(text)
    return anyascii(text.translate(_ALEF))


def slugify(text: str, fallback: str = "article", locale: str = "", limit: int = SLUG_MAX) -> str:
    """A lower-case ASCII slug of a title in any of our languages; `fallback` if none is left."""
    ascii_text = re.sub(r"['`]", "", to_ascii(text, locale).lower())
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:limit].strip("-")
    return slug if SLUG_PATTERN.match(slug) else fallback


def unique_slug(locale: str, wanted: str, article_id: int | None = None) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`… whichever no other article in `locale` uses."""
    query = select(Article.slug).where(Article.locale == locale)
    if article_id is not None:
        query = query.where(Article.id != article_id)
    stem = wanted[:100].rstrip("-")  # a slug is [a-z0-9-]: no LIKE wildcards to escape
    taken = set(db.session.scalars(query.where(Article.slug.like(f"{stem}%"))))
    if wanted not in taken:
        return wanted
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = wanted[: 120 - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        number += 1


def suggest_slug(title: str, locale: str, fallback: str = "article") -> str:
    """The URL name a new article titled `title` gets when the editor leaves it empty."""
    return unique_slug(locale, slugify(title, fallback, locale))
