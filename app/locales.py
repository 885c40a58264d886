"""The locale of a request: from the URL prefix, else the page the visitor came from (the
`next` URL's prefix), else the user's choice, else Accept-Language."""

from __future__ import annotations

from flask import current_app, g, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

LOCALE_NAMES = {"en": "English", "ja": "日本語", "ar": "العربية"}


def supported_locales() -> tuple[str, ...]:
    return tuple(current_app.config["LOCALES"])


def locale_of_path(target: object) -> str | None:
    """The locale prefix of a path on this site ("/ar/community/ask" -> "ar"), else None."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return None
    first = target[1:].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return first if first in supported_locales() else None


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def next_url_locale() -> str | None:
    """The language of the page a visitor came from, named by `next` (query or posted form).

    An account page opened from /ar/community/ask (`/account/sign-in?next=/ar/...`) is Arabic
    whatever the browser or profile says: the visitor is reading Arabic.
    """
    target = request.args.get("next")
    if not target and request.method == "POST" and request.mimetype in FORM_TYPES:
        try:
            target = request.form.get("next")
        except HTTPException:  # a body too large to read (413) names no language
            target = None
    return locale_of_path(target)


def negotiated_locale() -> str:
    """Best match for a request with no locale in its URL."""
    came_from = next_url_locale()
    if came_from:
        return came_from
    user = current_user
    if user and user.is_authenticated and user.locale and user.locale in supported_locales():
        return user.locale
    best = request.accept_languages.best_match(supported_locales())
    return best or current_app.config["DEFAULT_LOCALE"]


def current_locale() -> str:
    """Used by Flask-Babel: the URL's locale wins; pages without one negotiate."""
    locale = getattr(g, "locale", None)
    if locale:
        return locale
    try:
        return negotiated_locale()
    except RuntimeError:  # outside a request (CLI)
        return current_app.config["DEFAULT_LOCALE"]


def text_direction(locale: str) -> str:
    return "rtl" if locale in current_app.config["RTL_LOCALES"] else "ltr"


def pull_locale(endpoint: str | None, values: dict | None) -> None:
    """URL value preprocessor: move <locale> from the URL into g."""
    if values and "locale" in values:
        g.locale = values.pop("locale")


def push_locale(endpoint: str, values: dict) -> None:
    """URL defaults: keep building URLs in the current locale unless told otherwise."""
    if "locale" in values or not getattr(g, "locale", None):
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, "locale"):
        values["locale"] = g.locale
