"""The Atom feed and the sitemap stay well-formed XML whatever editors type; the feed says
exactly what they typed.

Every string of the Big List of Naughty Strings goes in as an article title and as a
summary (and some as category names); the feed must parse, and each text must come back
as an XML reader sees it: characters XML 1.0 cannot carry dropped, line ends normalized.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest

from app.extensions import db
from app.kb.models import Article, ArticleStatus, Category
from tests.conftest import BLNS_PATH

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
CHUNK = 25  # titles and summaries of 25 strings: 25 entries, under the feed's 50
NAUGHTY = json.loads(BLNS_PATH.read_text(encoding="utf-8"))
CHUNKS = [NAUGHTY[start : start + CHUNK] for start in range(0, len(NAUGHTY), CHUNK)]
CHUNK_IDS = [f"blns-{i * CHUNK}" for i in range(len(CHUNKS))]


def xml_chars(text: str) -> str:
    """Only the characters an XML 1.0 document may hold (§2.2)."""
    return "".join(
        ch
        for ch in text
        if ch in "\t\n\r"
        or 0x20 <= ord(ch) <= 0xD7FF
        or 0xE000 <= ord(ch) <= 0xFFFD
        or ord(ch) >= 0x10000
    )


def as_xml_reader_sees(text: str) -> str:
    """Element text as a parser returns it: XML characters, line ends normalized (§2.11)."""
    return xml_chars(text).replace("\r\n", "\n").replace("\r", "\n")


def publish(strings: list[str]) -> None:
    category = Category(slug="naughty", names={"en": strings[0]})
    db.session.add(category)
    for number, text in enumerate(strings):
        db.session.add(
            Article(
                locale="en",
                slug=f"naughty-{number}",
                translation_key=f"naughty-{number}",
                status=ArticleStatus.PUBLISHED.value,
                category=category,
                title=text,
                summary=f"{text} / {number}",
            )
        )
    db.session.commit()


@pytest.mark.parametrize("strings", CHUNKS, ids=CHUNK_IDS)
def test_feed_is_well_formed_and_round_trips_naughty_strings(app, client, strings):
    publish(strings)
    response = client.get("/en/feed.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ElementTree.fromstring(response.data)  # raises on ill-formed XML
    entries = feed.findall(f"{ATOM}entry")
    titles = Counter(entry.findtext(f"{ATOM}title") or "" for entry in entries)
    assert titles == Counter(as_xml_reader_sees(text) for text in strings)
    summaries = Counter(entry.findtext(f"{ATOM}summary") or "" for entry in entries)
    expected = Counter(as_xml_reader_sees(f"{t} / {n}") for n, t in enumerate(strings))
    assert summaries == expected
    labels = {entry.find(f"{ATOM}category").get("label") for entry in entries}
    assert labels == {xml_chars(strings[0]) or "naughty"}  # attributes keep line ends
    for entry in entries:  # markup in a title never becomes an element
        assert [child.tag for child in entry.find(f"{ATOM}title")] == []
        assert entry.find(f"{ATOM}link").get("href").startswith("http://localhost/en/articles/")


def test_every_template_except_plain_text_is_autoescaped(app):
    """Flask alone escapes only .html/.htm/.xml/.xhtml/.svg; feeds, JSON, CSV must be too."""
    templates = Path(app.template_folder)
    names = [str(p.relative_to(templates)) for p in templates.rglob("*") if p.is_file()]
    assert names and all(app.jinja_env.autoescape(n) for n in names if not n.endswith(".txt"))
    for name in ("feed.atom", "opensearch.osdx", "data.json", "export.csv", "page.html"):
        assert app.jinja_env.autoescape(name), name
    assert app.jinja_env.from_string("{{ v }}").render(v="<b>&") == "&lt;b&gt;&amp;"
    assert not app.jinja_env.autoescape("mail/welcome.txt")  # no HTML entities in mail text


@pytest.mark.parametrize("strings", CHUNKS, ids=CHUNK_IDS)
def test_sitemap_is_well_formed_with_naughty_slugs(app, client, strings):
    """Slugs come from editors too; every one becomes a parseable, absolute <loc>."""
    category = Category(slug="naughty", names={"en": "Naughty"})
    for number, text in enumerate(strings):
        db.session.add(
            Article(
                locale="en",
                slug=f"{number}-{text}"[:120],
                translation_key=f"naughty-{number}",
                status=ArticleStatus.PUBLISHED.value,
                category=category,
                title=f"Title {number}",
            )
        )
    db.session.commit()
    locations = []
    pending = ["/sitemap.xml"]  # an index of sitemaps, or a sitemap
    while pending:
        response = client.get(pending.pop())
        assert response.status_code == 200
        document = ElementTree.fromstring(response.data)  # raises on ill-formed XML
        for loc in document.iter(f"{SITEMAP}loc"):
            if document.tag == f"{SITEMAP}sitemapindex":
                pending.append(urlsplit(loc.text).path)
            else:
                locations.append(loc.text)
    mine = [loc for loc in locations if loc.startswith("http://localhost/en/articles/")]
    assert len(mine) == len(strings)
