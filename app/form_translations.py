"""WTForms' own messages in the request's language, read from disk once per process per language."""

from __future__ import annotations

from babel import support
from flask import Flask, request
from flask_babel import get_locale
from wtforms.i18n import messages_path

# Where Flask-WTF (flask_wtf/i18n.py) looks for the request's WTForms catalog before it
# reads and parses the catalog file itself: on every request that built a form (its
# CSRF field's label is translated), a fifth of building a form.
REQUEST_ATTRIBUTE = "wtforms_translations"


class KeptFormTranslations:
    """The WTForms catalog of the request's locale, from catalogs kept by this process."""

    def __init__(self, kept: dict[str, support.Translations]) -> None:
        self.kept = kept

    def _catalog(self) -> support.Translations:
        locale = get_locale()
        catalog = self.kept.get(str(locale))
        if catalog is None:
            catalog = support.Translations.load(messages_path(), [locale], domain="wtforms")
            self.kept[str(locale)] = catalog
        return catalog

    def ugettext(self, string: str) -> str:
        return self._catalog().ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog().ungettext(singular, plural, n)


def init_form_translations(app: Flask) -> None:
    kept: dict[str, support.Translations] = {}

    @app.before_request
    def keep_form_translations() -> None:
        setattr(request, REQUEST_ATTRIBUTE, KeptFormTranslations(kept))
