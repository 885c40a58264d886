"""Search synonyms kept as content: `content/synonyms.yml`, imported and exported with articles.

The file is a mapping of locale to a list of groups; each group is a list of words or
phrases that mean the same thing in search, the first being the entry's name:

    en:
      - [2fa, two-factor, mfa]

Importing adds the groups the database does not have yet, by name, and leaves existing
ones alone: CS may have edited them in the browser (`/editor/synonyms`), and exporting
writes the database's groups back, so the file and the database meet again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import select

from app.extensions import db
from app.site_search.models import Synonym

SYNONYMS_FILE = "synonyms.yml"
WORD_MAX_CHARS = 80
GROUP_MAX_WORDS = 21  # a name and at most 20 synonyms, as in the editor


class SynonymFileError(ValueError):
    """The file cannot be read as synonym groups; nothing is imported."""


@dataclass
class SynonymImport:
    added: list[tuple[str, str]] = field(default_factory=list)  # (locale, name)
    kept: list[tuple[str, str]] = field(default_factory=list)


def read_synonym_groups(path: Path, locales: tuple[str, ...]) -> dict[str, list[list[str]]]:
    """Locale → groups (lower-cased, de-duplicated); {} when the file does not exist."""
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise SynonymFileError(f"not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise SynonymFileError("expected a mapping of locale to a list of groups")
    groups: dict[str, list[list[str]]] = {}
    for locale, entries in data.items():
        if locale not in locales:
            raise SynonymFileError(f"unknown locale {locale!r}")
        if not isinstance(entries, list):
            raise SynonymFileError(f"{locale}: expected a list of groups")
        groups[locale] = [_group(locale, number, entry) for number, entry in enumerate(entries, 1)]
    return groups


def _group(locale: str, number: int, entry: object) -> list[str]:
    if not isinstance(entry, list) or not all(isinstance(w, str | int) for w in entry):
        raise SynonymFileError(f"{locale} group {number}: expected a list of words")
    words = list(dict.fromkeys(" ".join(str(w).split()).lower() for w in entry))
    words = [w for w in words if w]
    if len(words) < 2 or len(words) > GROUP_MAX_WORDS:
        raise SynonymFileError(
            f"{locale} group {number}: needs 2 to {GROUP_MAX_WORDS} different words"
        )
    if any(len(w) > WORD_MAX_CHARS for w in words):
        raise SynonymFileError(f"{locale} group {number}: a word is over {WORD_MAX_CHARS} chars")
    return words


def import_synonyms(groups: dict[str, list[list[str]]]) -> SynonymImport:
    """Add the groups whose name the locale does not have yet; the caller commits."""
    report = SynonymImport()
    existing = {(s.locale, s.term) for s in db.session.scalars(select(Synonym))}
    for locale, entries in groups.items():
        for name, *others in entries:
            if (locale, name) in existing:
                report.kept.append((locale, name))
                continue
            db.session.add(Synonym(locale=locale, term=name, synonyms=others))
            existing.add((locale, name))
            report.added.append((locale, name))
    return report


def format_synonyms() -> str:
    """The database's synonym groups as the file's YAML, locales and names in order."""
    groups: dict[str, list[list[str]]] = {}
    rows = db.session.scalars(select(Synonym).order_by(Synonym.locale, Synonym.term))
    for row in rows:
        groups.setdefault(row.locale, []).append([row.term, *row.synonyms])
    lines = [
        "# Search synonyms per language: each group's words mean the same thing in search.",
        "# Imported with `flask content import` (new groups only); edit them at /editor/synonyms.",
    ]
    for locale, entries in groups.items():
        lines.append(f"{locale}:")
        for entry in entries:
            lines.append(
                "  - " + yaml.safe_dump(entry, allow_unicode=True, default_flow_style=True).strip()
            )
    return "\n".join(lines) + "\n"
