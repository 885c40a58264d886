"""One need, every language: gaps and feature requests linked across locales, hand merges
and splits remembered, synonym groups kept by CS, the export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from app.clock import utcnow
from app.events import Event
from app.extensions import db
from app.insights import needs
from app.insights.filters import Filters
from app.insights.need_models import NeedLink
from app.insights.source import RangeData
from app.kb.models import Article
from search.analysis import normalize_query_text
from tests.conftest import csrf_token_from, sign_in
from tests.insights.demo_seed import PASSWORD


def range_data() -> RangeData:
    today = utcnow().date()
    return RangeData(Filters(today - timedelta(days=27), today), utcnow())


def search(locale: str, text: str, times: int = 2, results: int = 0, clicked=None):
    for n in range(times):
        event = Event(
            name="search",
            occurred_at=utcnow() - timedelta(hours=3 + n),
            session_key=f"t-{locale}-{text}-{n}",
            locale=locale,
            data={
                "query": text,
                "normalized": normalize_query_text(text, locale),
                "results": results,
                "source": "search_page",
            },
        )
        db.session.add(event)
        if clicked is not None and n == 0:
            db.session.flush()
            db.session.add(
                Event(
                    name="search_click",
                    occurred_at=event.occurred_at + timedelta(seconds=5),
                    session_key=event.session_key,
                    locale=locale,
                    data={
                        "search_event": event.id,
                        "position": 1,
                        "url": f"/{locale}/articles/{clicked.slug}",
                    },
                )
            )
    db.session.commit()


def need_with(found, text: str):
    matches = [n for n in found for p in n.parts for i in p.items if i.label == text]
    assert len(matches) == 1, (text, [n.label for n in found])
    return matches[0]


@pytest.mark.parametrize("gaps_considered", [needs.GAPS, 1])
def test_dark_mode_is_one_gap_with_three_parts(demo, monkeypatch, gaps_considered):
    # Gaps a synonym group names are linked even when they are not among the top gaps.
    monkeypatch.setattr(needs, "GAPS", gaps_considered)
    need = need_with(needs.needs(range_data()), "ダークモード")
    assert need.locales == ["ar", "en", "ja"] or sorted(need.locales) == ["ar", "en", "ja"]
    assert len(need.parts) == 3
    gap_labels = {i.label for p in need.parts for i in p.gaps}
    assert gap_labels == {"dark mode", "ダークモード", "الوضع الداكن"}
    # The three languages' feature requests for a dark mode are parts of the same need.
    assert len([i for p in need.parts for i in p.requests]) == 3
    assert needs.SYNONYMS in need.reasons
    assert need.unanswered == 10


def test_synonym_groups_and_hand_merges_on_both_databases(any_db_app):
    from app.insights.need_models import NeedSynonymGroup

    search("en", "dark mode", 3)
    search("ja", "ダークモード", 2)
    search("ar", "الوضع الداكن", 2)
    search("en", "gantt export", 2)
    db.session.add(NeedSynonymGroup(terms={"en": ["dark mode"], "ja": ["ダークモード"]}))
    db.session.commit()
    found = needs.needs(range_data())
    assert need_with(found, "ダークモード").locales == ["en", "ja"]
    needs.merge(
        [need_with(found, "dark mode").anchor, need_with(found, "الوضع الداكن").anchor], None
    )
    db.session.commit()
    assert need_with(needs.needs(range_data()), "الوضع الداكن").locales == ["en", "ar", "ja"]


def test_latin_words_link_a_japanese_query_to_the_english_gap(demo):
    search("en", "slack integration", 3)
    search("ja", "Slack 連携", 2)
    need = need_with(needs.needs(range_data()), "Slack 連携")
    assert {i.label for p in need.parts for i in p.gaps} == {"slack integration", "Slack 連携"}
    assert needs.LATIN in need.reasons


def test_queries_that_led_to_translations_of_one_article_are_one_need(demo):
    en = db.session.scalar(db.select(Article).filter_by(locale="en", slug="reset-your-password"))
    ja = db.session.scalar(
        db.select(Article).filter_by(locale="ja", translation_key=en.translation_key)
    )
    search("en", "forgot login", 4, results=3, clicked=en)
    search("ja", "ログインできない", 4, results=3, clicked=ja)
    need = need_with(needs.needs(range_data()), "forgot login")
    assert {p.locale for p in need.parts} == {"en", "ja"}
    assert needs.ARTICLE in need.reasons


def test_merge_and_split_are_remembered(demo):
    search("en", "gantt export", 3)
    search("ar", "مخطط جانت", 2)
    found = needs.needs(range_data())
    gantt, arabic = need_with(found, "gantt export"), need_with(found, "مخطط جانت")
    assert gantt is not arabic
    needs.merge([gantt.anchor, arabic.anchor], None)
    db.session.commit()
    merged = need_with(needs.needs(range_data()), "gantt export")
    assert {p.locale for p in merged.parts} == {"en", "ar"} and needs.HAND in merged.reasons
    # Splitting the Japanese part off the dark-mode need keeps it apart from now on.
    dark = need_with(needs.needs(range_data()), "ダークモード")
    japanese = next(i for p in dark.parts for i in p.gaps if i.locale == "ja")
    needs.split(japanese.ref, None)
    needs.split(arabic.anchor, None)
    db.session.commit()
    found = needs.needs(range_data())
    assert need_with(found, "ダークモード").locales == ["ja"]
    rest = need_with(found, "dark mode")  # the Japanese feature request is still in it
    assert [i.kind for p in rest.parts if p.locale == "ja" for i in p.items] == ["topic"]
    assert need_with(found, "مخطط جانت").locales == ["ar"]  # its hand merge went with it
    assert db.session.query(NeedLink).filter_by(kind="merge").count() == 0


def test_synonym_groups_need_two_languages():
    for raw, code in (
        ({"en": "dark mode", "ja": ""}, "two_languages"),
        ({"en": "x" * 81, "ja": "y"}, "term_length"),
        ({"en": ",".join(f"t{n}" for n in range(11)), "ja": "y"}, "too_many"),
    ):
        try:
            needs.parse_terms(raw)
        except needs.NeedError as error:
            assert error.code == code
        else:
            raise AssertionError(raw)
    assert needs.parse_terms(
        {"en": "dark mode, dark theme", "ar": "الوضع الداكن، الوضع الليلي"}
    ) == {
        "en": ["dark mode", "dark theme"],
        "ar": ["الوضع الداكن", "الوضع الليلي"],
    }


def test_cs_curates_groups_and_merges_over_http(demo):
    client = demo.test_client()
    assert sign_in(client, "cs_editor@example.com", PASSWORD).status_code == 303
    page = client.get("/insights/needs/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "ダークモード" in html and "Merge the selected rows" in html
    token = csrf_token_from(html)
    search("en", "offline mode", 3)
    search("ja", "オフライン", 2)
    sent = client.post(
        "/insights/needs/synonyms",
        data={"csrf_token": token, "terms_en": "offline mode", "terms_ja": "オフライン"},
    )
    assert sent.status_code == 303
    need = need_with(needs.needs(range_data()), "offline mode")
    assert {p.locale for p in need.parts} == {"en", "ja"}
    refused = client.post("/insights/needs/synonyms", data={"csrf_token": token, "terms_en": "x"})
    assert refused.status_code == 400
    assert "Give terms in at least two languages." in refused.get_data(as_text=True)
    one = client.post("/insights/needs/merge", data={"csrf_token": token, "row": need.anchor})
    assert one.status_code == 400
    body = client.get("/insights/export/needs.csv").get_data(as_text=True)
    rows = [r for r in csv.DictReader(io.StringIO(body)) if r["need_label"] == "dark mode"]
    assert {r["locale"] for r in rows} == {"en", "ja", "ar"}


def test_product_reads_needs_but_cannot_merge(demo):
    client = demo.test_client()
    assert sign_in(client, "product@example.com", PASSWORD).status_code == 303
    page = client.get("/insights/needs/")
    assert page.status_code == 200 and "Merge the selected rows" not in page.get_data(as_text=True)
    token = csrf_token_from(client.get("/insights/tokens").get_data(as_text=True))
    assert (
        client.post("/insights/needs/split", data={"csrf_token": token, "item": "x"}).status_code
        == 403
    )
