"""Readable differences between two revisions: lines first, then words inside changed lines.

Everything is HTML-escaped before it is wrapped in <ins>/<del>, so a diff of hostile text
is as safe as the text shown in a textarea.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WORD = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
WORD_DIFF_LIMIT = 4000  # tokens per changed block; beyond this, whole lines are shown
FIELD_ORDER = (
    "title",
    "summary",
    "category",
    "kind",
    "tags",
    "status",
    "slug",
    "translation_key",
    "body",
    "steps",
)


@dataclass(frozen=True)
class FieldDiff:
    name: str
    html: Markup


def _words(old: str, new: str) -> str:
    """Word-level diff of two short texts as escaped HTML."""
    a, b = WORD.findall(old), WORD.findall(new)
    if len(a) + len(b) > WORD_DIFF_LIMIT:
        return f"<del>{escape(old)}</del><ins>{escape(new)}</ins>"
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            parts.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return "".join(parts)


def diff_text(old: str, new: str, context: int = 2) -> Markup:
    """A unified, line-based diff with word-level marks inside replaced lines."""
    a, b = old.split("\n"), new.split("\n")
    rows: list[str] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        rows.append('<li class="diff-gap" aria-hidden="true">…</li>')
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                rows.extend(f'<li class="diff-same">{escape(line)}</li>' for line in a[i1:i2])
            elif op == "replace" and (i2 - i1) == (j2 - j1):
                rows.extend(
                    f'<li class="diff-changed">{_words(x, y)}</li>'
                    for x, y in zip(a[i1:i2], b[j1:j2], strict=True)
                )
            elif op == "replace":
                old_block, new_block = "\n".join(a[i1:i2]), "\n".join(b[j1:j2])
                rows.append(f'<li class="diff-changed">{_words(old_block, new_block)}</li>')
            else:
                rows.extend(
                    f'<li class="diff-del"><del>{escape(line)}</del></li>' for line in a[i1:i2]
                )
                rows.extend(
                    f'<li class="diff-ins"><ins>{escape(line)}</ins></li>' for line in b[j1:j2]
                )
    if not rows:
        return Markup("")
    return Markup('<ol class="diff">' + "".join(rows[1:]) + "</ol>")


def _as_text(name: str, value: object) -> str:
    if name == "tags":
        return ", ".join(value or [])
    if name == "steps":
        steps = value or []
        return "\n\n".join(f"## {s.get('title')} [{s.get('key')}]\n{s.get('body')}" for s in steps)
    return "" if value is None else str(value)


def _step_order(old_steps: list | None, new_steps: list | None) -> FieldDiff | None:
    """The steps' titles in order, when steps both revisions have changed places."""
    old_steps, new_steps = old_steps or [], new_steps or []
    common = {s.get("key") for s in old_steps} & {s.get("key") for s in new_steps}
    old_keys = [s.get("key") for s in old_steps if s.get("key") in common]
    new_keys = [s.get("key") for s in new_steps if s.get("key") in common]
    if old_keys == new_keys:
        return None
    before, after = (
        "\n".join(f"{s.get('title')} [{s.get('key')}]" for s in steps)
        for steps in (old_steps, new_steps)
    )
    return FieldDiff("step_order", diff_text(before, after, context=len(old_steps)))


def diff_snapshots(old: dict, new: dict) -> list[FieldDiff]:
    """Per-field differences between two revision snapshots (with `slug` added).

    A change in the order of the steps is shown first on its own, as a list of titles."""
    diffs = []
    for name in FIELD_ORDER:
        before, after = _as_text(name, old.get(name)), _as_text(name, new.get(name))
        if before == after:
            continue
        if name == "steps":
            order = _step_order(old.get(name), new.get(name))
            if order is not None:
                diffs.append(order)
        if name in ("body", "steps"):
            html = diff_text(before, after)
        else:
            html = Markup(f'<p class="diff-inline">{_words(before, after)}</p>')
        diffs.append(FieldDiff(name, html))
    return diffs
