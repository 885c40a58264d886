"""The Atom feed of recently updated articles, written by an XML serializer, never a template.

Titles and summaries are whatever editors typed: ElementTree escapes markup, and characters
XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF) are dropped,
so the feed stays well-formed whatever an article says.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from xml.etree import ElementTree

from app.clock import atom_date
from app.kb.models import Article

ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"
# Everything outside XML 1.0's Char production (https://www.w3.org/TR/xml/#charsets).
NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    """`value` as text an XML document can hold."""
    return NOT_XML_CHAR.sub("", "" if value is None else str(value))


def _child(parent: ElementTree.Element, tag: str, text: str = "", **attributes: str):
    element = ElementTree.SubElement(
        parent, tag, {name: xml_text(value) for name, value in attributes.items()}
    )
    if text:
        element.text = xml_text(text)
    return element


def atom_feed(
    articles: Sequence[Article],
    *,
    locale: str,
    title: str,
    self_url: str,
    home_url: str,
    article_url: Callable[[Article], str],
) -> bytes:
    """The feed document as UTF-8 bytes, newest article first as given."""
    feed = ElementTree.Element("feed", {"xmlns": ATOM_NAMESPACE, "xml:lang": xml_text(locale)})
    _child(feed, "title", title)
    _child(feed, "id", self_url)
    _child(feed, "link", rel="self", href=self_url)
    _child(feed, "link", rel="alternate", type="text/html", href=home_url)
    _child(feed, "updated", atom_date(articles[0].updated_at if articles else None))
    for article in articles:
        url = article_url(article)
        entry = _child(feed, "entry")
        _child(entry, "title", article.title)
        _child(entry, "id", url)
        _child(entry, "link", rel="alternate", type="text/html", href=url)
        _child(entry, "updated", atom_date(article.updated_at))
        _child(entry, "summary", article.summary)
        _child(
            entry,
            "category",
            term=article.category.slug,
            label=article.category.name_in(locale),
        )
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
