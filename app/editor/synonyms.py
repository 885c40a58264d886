"""Search synonyms per locale. Search reads them from the database on every query
(app.site_search.services.synonyms_for; the compiled form is cached by content), so an
edit takes effect on the next search without reindexing."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from app.editor.audit import record_action
from app.editor.drafts import one_line
from app.editor.errors import EditorError
from app.extensions import db
from app.site_search.models import Synonym

TERM_MAX, WORDS_MAX = 80, 20


def synonyms_in(locale: str) -> list[Synonym]:
    return list(db.session.scalars(select(Synonym).filter_by(locale=locale).order_by(Synonym.term)))


def _parse(term: str, words: str) -> tuple[str, list[str]]:
    term = one_line(term).lower()
    if not term or len(term) > TERM_MAX:
        raise EditorError(
            ngettext(
                "Enter a word or phrase of at most %(num)d character.",
                "Enter a word or phrase of at most %(num)d characters.",
                TERM_MAX,
            ),
            field="term",
        )
    found = [w for w in (one_line(p).lower() for p in words.split(",")) if w and w != term]
    found = list(dict.fromkeys(found))
    if not found:
        raise EditorError(_("Enter at least one synonym, separated by commas."), field="synonyms")
    if len(found) > WORDS_MAX or any(len(w) > TERM_MAX for w in found):
        raise EditorError(
            _(
                "Use at most %(synonyms)s of at most %(characters)s.",
                synonyms=ngettext("%(num)d synonym", "%(num)d synonyms", WORDS_MAX),
                characters=ngettext("%(num)d character", "%(num)d characters", TERM_MAX),
            ),
            field="synonyms",
        )
    return term, found


def save_synonym(
    locale: str, term: str, words: str, *, user_id: int, synonym_id: int | None = None
) -> Synonym:
    """Create or update a synonym group; the caller commits."""
    term, found = _parse(term, words)
    clash = db.session.scalar(select(Synonym).filter_by(locale=locale, term=term))
    row = db.session.get(Synonym, synonym_id) if synonym_id else None
    if synonym_id and (row is None or row.locale != locale):
        raise EditorError(_("That synonym no longer exists."), status=404)
    if clash is not None and clash is not row:
        raise EditorError(
            _("“%(term)s” already has synonyms; edit that entry instead.", term=term), field="term"
        )
    if row is None:
        row = Synonym(locale=locale, term=term)
        db.session.add(row)
    row.term, row.synonyms = term, found
    record_action(user_id, "synonym_save", subject=f"{locale}: {term}", synonyms=found)
    return row


def delete_synonym(locale: str, synonym_id: int, *, user_id: int) -> None:
    row = db.session.get(Synonym, synonym_id)
    if row is None or row.locale != locale:
        raise EditorError(_("That synonym no longer exists."), status=404)
    record_action(user_id, "synonym_delete", subject=f"{locale}: {row.term}")
    db.session.delete(row)
