"""The lean "related" ranking: all the words first, then the text's distinctive words only."""

from __future__ import annotations

from search import store as store_module


def related_ids(index, text: str, limit: int = 10) -> list[str]:
    with index.engine.connect() as conn:
        return [hit.doc_id for hit in index.store.related(conn, text, "en", limit)]


def test_related_ranks_all_the_words_first_then_distinctive_words(
    empty_index, make_doc, monkeypatch
):
    empty_index.add_or_update_many(
        [
            make_doc("article:1", "Export a project timeline to PDF"),
            make_doc("article:2", "Timeline zoom levels"),
            make_doc("article:3", "Project archive"),
            make_doc("article:4", "Project members"),
            make_doc("topic:5", "Project timeline PDF is blank", solved=True),
        ]
    )
    # "project" is in more results than a distinctive word may be: on its own it finds nothing
    monkeypatch.setattr(store_module, "RELATED_WORD_MAX_DOCS", 3)
    found = related_ids(empty_index, "project timeline pdf")
    assert found[:2] == ["topic:5", "article:1"] or found[:2] == ["article:1", "topic:5"]
    assert found[2:] == ["article:2"]

    with empty_index.engine.connect() as conn:
        hits = empty_index.store.related(conn, "project timeline pdf", "en", 1)
    assert len(hits) == 1 and hits[0].url and hits[0].snippet == ""
    assert related_ids(empty_index, "") == []
