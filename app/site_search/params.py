"""Reading search parameters from a query string, forgiving on pages and strict in the API."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _

from app.site_search.services import KINDS, SearchRequest

MAX_PAGE = 100


class SearchParamError(ValueError):
    """A parameter the API refuses; the message is shown to the caller."""


def _page(raw: str | None, strict: bool) -> int:
    if raw in (None, ""):
        return 1
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_PAGE:  # not "⁰⁴⁵"
        return int(raw)
    if strict:
        raise SearchParamError(_("'page' must be a whole number from 1 to %(max)d.", max=MAX_PAGE))
    return 1


def search_request(
    args: Mapping[str, str], locale: str, categories: set[str], *, strict: bool
) -> SearchRequest:
    """Validate q, kind, category and page; pages drop bad filters, the API reports them."""
    text = "".join(ch for ch in args.get("q", "") if ch.isprintable() or ch.isspace())
    kind = args.get("kind") or None
    category = args.get("category") or None
    if kind is not None and kind not in KINDS:
        if strict:
            raise SearchParamError(
                _("Unknown kind. Use one of: %(kinds)s.", kinds=", ".join(KINDS))
            )
        kind = None
    if category is not None and category not in categories:
        if strict:
            raise SearchParamError(_("Unknown category."))
        category = None
    return SearchRequest(
        text=text.strip(),
        locale=locale,
        kind=kind,
        category=category,
        page=_page(args.get("page"), strict),
    )
