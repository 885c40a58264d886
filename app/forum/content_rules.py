"""What a title, body and tag list must look like before a post is saved (pure functions)."""

from __future__ import annotations

import re
import unicodedata

from app.forum.errors import ForumError

TITLE_MAX = 200
TAGS_MAX = 5
TAG_MAX_CHARS = 30
# Characters that look like nothing: a body made only of these (and spaces) is empty.
BLANK_LOOKING = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u180e"}
# Bidi embeddings/overrides/isolates: in a title they would reorder the page around it.
BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
TAG_CHARS = re.compile(r"[^\w\-]+", re.UNICODE)


def is_blank(text: str | None) -> bool:
    """True for text made only of whitespace, zero-width/format characters and blank glyphs."""
    for char in text or "":
        if char.isspace() or char in BLANK_LOOKING:
            continue
        if unicodedata.category(char) in ("Cf", "Cc", "Zs", "Zl", "Zp", "Mn", "Me"):
            continue
        return False
    return True


def clean_title(title: str | None, max_chars: int = TITLE_MAX) -> str:
    """A one-line title without bidi overrides; refuses empty and over-long ones."""
    text = BIDI_CONTROLS.sub("", title or "")
    text = " ".join(text.replace("\x00", "").split())
    if is_blank(text):
        raise ForumError("empty_title")
    if len(text) > max_chars:
        raise ForumError("title_too_long")
    return text


def clean_body(body: str | None, max_chars: int) -> str:
    """The Markdown source as written (NULs and trailing spaces dropped); refuses blank/long."""
    text = (body or "").replace("\x00", "").replace("\r\n", "\n").rstrip()
    if is_blank(text):
        raise ForumError("empty_body")
    if len(text) > max_chars:
        raise ForumError("body_too_long")
    return text


def clean_tags(tags) -> list[str]:
    """Up to five short lower-case tags; accepts a list or a comma-separated string."""
    if isinstance(tags, str):
        tags = tags.split(",")
    cleaned: list[str] = []
    for raw in tags or ():
        tag = TAG_CHARS.sub("-", unicodedata.normalize("NFKC", str(raw)).strip().casefold())
        tag = tag.strip("-_")[:TAG_MAX_CHARS]
        if tag and tag not in cleaned:
            cleaned.append(tag)
        if len(cleaned) == TAGS_MAX:
            break
    return cleaned
