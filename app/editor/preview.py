"""Server-side preview with the site's own renderer, plus warnings about likely mistakes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext

from app.editor.drafts import body_limit, clean_text
from app.markdown import render_markdown

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)
TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$", re.MULTILINE)
RAW_HTML = re.compile(r"<\s*(script|iframe|style|object|embed|form|input)\b", re.IGNORECASE)
TABLE_ROWS_WARN = 200


@dataclass(frozen=True)
class Preview:
    html: str
    warnings: list[str] = field(default_factory=list)


def _unclosed_fence(text: str) -> bool:
    opened: str | None = None
    for match in FENCE.finditer(text):
        marker = match.group(1)
        if opened is None:
            opened = marker
        elif marker[0] == opened[0] and len(marker) >= len(opened):
            opened = None
    return opened is not None


def lint_markdown(text: str) -> list[str]:
    """Problems a writer would want to know about before publishing."""
    warnings = []
    if _unclosed_fence(text):
        warnings.append(_("A code block (```) is never closed: the rest shows as code."))
    if len(TABLE_ROW.findall(text)) > TABLE_ROWS_WARN:
        warnings.append(_("This table is very long; readers on phones may struggle with it."))
    if RAW_HTML.search(text):
        warnings.append(_("Scripts, frames, styles and forms are removed from articles."))
    return warnings


def preview_markdown(text: str, locale: str | None = None) -> Preview:
    """Render exactly as the published page will (app/markdown.py), or explain why not."""
    text = clean_text(text)
    if len(text) > body_limit():
        message = ngettext(
            "The text is %(length)s character long; the limit is %(size)s.",
            "The text is %(length)s characters long; the limit is %(size)s.",
            len(text),
            length=f"{len(text):,}",
            size=f"{body_limit():,}",
        )
        return Preview("", [message])
    return Preview(render_markdown(text, locale=locale).html, lint_markdown(text))
