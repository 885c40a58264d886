"""What every template can use: locale, direction, language links, formatted dates."""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, current_app, g, has_request_context, render_template, request, url_for
from flask_babel import format_date, format_datetime, get_locale, get_timezone, get_translations
from jinja2 import pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape

from app.clock import atom_date
from app.locales import LOCALE_NAMES, current_locale, text_direction
from app.page_cache import form_token
from app.pagination import page_url


def language_links() -> list[dict[str, str]]:
    """The current page in every language (the article's translation when it has one)."""
    alternates = getattr(g, "alternate_urls", None)
    links = []
    for locale in current_app.config["LOCALES"]:
        if alternates is not None:
            href = alternates.get(locale) or url_for("kb.home", locale=locale)
        elif request.endpoint and request.url_rule and "locale" in request.url_rule.arguments:
            href = url_for(request.endpoint, locale=locale, **(request.view_args or {}))
        else:
            href = url_for("kb.home", locale=locale)
        links.append({"locale": locale, "name": LOCALE_NAMES.get(locale, locale), "href": href})
    return links


REPEATED_KEY = "repeated_fragments"  # app.extensions: {(template, locale, script root): Markup}
# What a kept partial holds where the reader's form token goes (`repeated(..., with_token=True)`).
TOKEN_SLOT = "form-token-slot-5b0e2c"


def repeated(template: str, with_token: bool = False) -> Markup:
    """A partial that is the same on every page of a locale (head links, brand, footer),
    rendered once per process: its ~15 URLs and translations were a third of a page's render.

    `with_token`: the partial holds the reader's form token (`form_token()`, empty for an
    anonymous reader: the search box's CSRF token), written into the kept copy per request.
    Nothing is kept in debug mode (templates and static files change under a running server);
    the partials show no content, so a publish never makes them stale.
    """
    if current_app.debug or not has_request_context():
        return Markup(render_template(template))
    key = (template, current_locale(), request.script_root)
    kept = current_app.extensions.setdefault(REPEATED_KEY, {})
    found = kept.get(key)
    if found is None:
        slot = {"form_token": lambda: TOKEN_SLOT} if with_token else {}
        found = kept[key] = Markup(render_template(template, **slot))
    return found.replace(TOKEN_SLOT, form_token()) if with_token else found


def formatted(format_function, value) -> str:
    """`value` as `format_function` (Flask-Babel's format_date or format_datetime) writes it
    in the medium style, kept per locale and time zone: a topic page wrote each post's date
    anew, a tenth of its render."""
    if not value:
        return ""
    return _formatted_in(format_function, value, str(get_locale()), str(get_timezone()))


@lru_cache(maxsize=20_000)
def _formatted_in(format_function, value, locale: str, zone: str) -> str:
    """Keyed by the request's locale and zone, which `format_function` reads itself."""
    return format_function(value, "medium")


def _as_template_text(context: Context, text: str):
    """A translated message for a page: escaped like any other text where autoescape is on.

    Jinja's own new-style gettext marks the *translation* safe (only the %(...)s values are
    escaped), so a message that talks about `<token>` or `<table>` became markup. Messages
    carry no markup of their own; a translator's text is escaped like a user's.
    """
    return escape(text) if context.eval_ctx.autoescape else text


@pass_context
def template_gettext(context: Context, message: str, **variables):
    return _as_template_text(context, get_translations().ugettext(message)) % variables


@pass_context
def template_ngettext(context: Context, singular: str, plural: str, num: int, **variables):
    variables.setdefault("num", num)
    text = get_translations().ungettext(singular, plural, num)
    return _as_template_text(context, text) % variables


@pass_context
def template_pgettext(context: Context, msgctxt: str, message: str, **variables):
    text = get_translations().upgettext(msgctxt, message)
    return _as_template_text(context, text) % variables


@pass_context
def template_npgettext(
    context: Context, msgctxt: str, singular: str, plural: str, num: int, **variables
):
    variables.setdefault("num", num)
    text = get_translations().unpgettext(msgctxt, singular, plural, num)
    return _as_template_text(context, text) % variables


def bdi(value: object) -> Markup:
    """`value` (a user's or an editor's text) isolated from the page's direction: `<bdi>`.

    For text inside a translated sentence (`_('By %(name)s', name=author|bdi)`): a Latin
    title in an Arabic sentence keeps its own order and leaves the punctuation in place.
    """
    return Markup("<bdi>%s</bdi>") % value


def install_escaping_gettext(app: Flask) -> None:
    """Replace the gettext callables Flask-Babel installed (the `_` alias resolves gettext)."""
    app.jinja_env.globals.update(
        gettext=template_gettext,
        ngettext=template_ngettext,
        pgettext=template_pgettext,
        npgettext=template_npgettext,
    )


def init_templating(app: Flask) -> None:
    install_escaping_gettext(app)

    @app.context_processor
    def inject_locale():
        locale = current_locale()
        return {
            "locale": locale,
            "text_dir": text_direction(locale),
            "language_links": language_links,
            "site_name": app.config["SITE_NAME"],
        }

    # Flask escapes only .html/.htm/.xml/.xhtml/.svg; escape every other template too
    # (feeds, OpenSearch, JSON...) except plain text, which must not get HTML entities.
    app.jinja_env.autoescape = select_autoescape(
        enabled_extensions=(), disabled_extensions=("txt",), default=True
    )
    app.jinja_env.filters["date"] = lambda value: formatted(format_date, value)
    app.jinja_env.filters["datetime"] = lambda value: formatted(format_datetime, value)
    app.jinja_env.filters["atom_date"] = atom_date
    app.jinja_env.filters["bdi"] = bdi
    app.jinja_env.globals["LOCALE_NAMES"] = LOCALE_NAMES
    app.jinja_env.globals["repeated"] = repeated
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions
