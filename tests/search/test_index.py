"""SearchStore: rows written in the caller's transaction, tokens kept whole, reads during writes."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from search.backends.sqlite import decode_token, encode_token, match_expression
from search.backends.tables import search_documents
from search.indexing import index_row, locale_analyzers, plain_words
from search.match import And, Or, Phrase, Prefix, Term
from search.query import SearchQuery
from tests.conftest import NAUGHTY_STRINGS, naughty_chunks
from tests.search.conftest import SearchDatabase, make_doc


def ids(index: SearchDatabase, text: str, locale: str = "en", **kw) -> list[str]:
    return [h.doc_id for h in index.search(SearchQuery(text, locale, **kw)).hits]


# ---- writing


def test_add_update_remove(empty_index, make_doc):
    empty_index.add_or_update(make_doc("article:1", "Reset your password"))
    assert ids(empty_index, "password") == ["article:1"]
    empty_index.add_or_update(make_doc("article:1", "Download invoices"))
    assert empty_index.doc_count() == 1
    assert ids(empty_index, "password") == []
    assert ids(empty_index, "invoice") == ["article:1"]
    empty_index.remove("article:1")
    assert empty_index.doc_count() == 0
    empty_index.remove("article:1")  # removing twice is fine


def test_many_documents_across_locales(empty_index, make_doc):
    empty_index.add_or_update_many(
        [
            make_doc("article:1", "Reset your password"),
            make_doc("article:2", "パスワードの再設定", locale="ja"),
            make_doc("topic:3", "Password expired"),
        ]
    )
    assert empty_index.doc_count() == 3
    assert empty_index.doc_count("en") == 2
    assert empty_index.doc_count("ar") == 0
    assert ids(empty_index, "password", "ja") == []  # a locale only sees its own rows


def test_unknown_locale_is_rejected(empty_index, make_doc):
    with pytest.raises(ValueError):
        empty_index.add_or_update(make_doc("article:1", "Bonjour", locale="fr"))


def test_extra_locales_use_a_simple_analyzer(make_doc):
    from tests.search.conftest import sqlite_memory_engine

    index = SearchDatabase(sqlite_memory_engine(), locales=("en", "fr"))
    index.add_or_update(make_doc("article:1", "Réinitialiser le mot de passe", locale="fr"))
    assert ids(index, "MOT", "fr") == ["article:1"]


def test_rows_commit_and_roll_back_with_the_writers_transaction(empty_index, make_doc):
    store, engine = empty_index.store, empty_index.engine
    with engine.connect() as conn:
        with conn.begin() as transaction:
            store.write(conn, [make_doc("article:1", "Reset your password")])
            assert store.search(conn, SearchQuery("password", "en")).total == 1  # own writes
            transaction.rollback()
        assert store.search(conn, SearchQuery("password", "en")).total == 0
    assert empty_index.doc_count() == 0


def test_replies_are_found_as_their_topic(empty_index, make_doc):
    empty_index.add_or_update_many(
        [
            make_doc("topic:7", "Calendar sync", "Outlook calendar shows nothing."),
            make_doc("post:70", "", "Reconnect the account.", kind="topic", group_id="topic:7"),
            make_doc("post:71", "", "Reconnect worked, thanks.", kind="topic", group_id="topic:7"),
        ]
    )
    results = empty_index.search(SearchQuery("reconnect", "en"))
    assert [h.doc_id for h in results.hits] == ["topic:7"] and results.total == 1
    assert results.hits[0].title == "Calendar sync"
    assert "<mark>Reconnect</mark>" in results.hits[0].snippet
    assert results.facets["kind"] == {"topic": 1}
    assert [s.doc_id for s in empty_index.suggest("reconn", "en")] == []  # replies have no title
    with empty_index.engine.begin() as conn:
        empty_index.store.remove_groups(conn, ["topic:7"])
    assert empty_index.doc_count() == 0 and ids(empty_index, "reconnect") == []


def test_rows_record_the_analyzer_version(empty_index, make_doc):
    from search.analysis import ANALYZER_VERSION

    empty_index.add_or_update_many(
        [make_doc("article:1", "Reset"), make_doc("article:2", "再設定", locale="ja")]
    )
    with empty_index.engine.connect() as conn:
        counts = empty_index.store.row_counts(conn)
    assert counts == {
        ("en", "article", ANALYZER_VERSION): 1,
        ("ja", "article", ANALYZER_VERSION): 1,
    }


# ---- tokens stay whole, user text is never FTS syntax


@pytest.mark.parametrize(
    "token", ["outlook.com", "two-factor", "don't", "パスワード", "كلمه", "c++", "e-mail@x"]
)
def test_tokens_round_trip(token):
    assert decode_token(encode_token(token)) == token


def test_a_token_with_punctuation_is_one_token(empty_index, make_doc):
    empty_index.add_or_update_many(
        [
            make_doc("article:1", "Connect outlook.com", "Sign in with your outlook.com account."),
            make_doc("article:2", "Outlook desktop", "The com port is unrelated."),
        ]
    )
    assert ids(empty_index, "outlook.com") == ["article:1"]


def test_match_expressions_quote_every_token():
    node = And((Term('a"b'), Or((Phrase(("x", "y")), Prefix("pre")))))
    assert match_expression(node) == '("a\U000f0022b" AND ("x y" OR "pre" *))'


FTS_SYNTAX = [
    "NEAR(",
    "NEAR(password reset)",
    '"',
    '"password',
    "*",
    "pass*",
    ":",
    "title:password",
    "^password",
    "-password",
    "password AND",
    "AND OR NOT",
    "password OR",
    "(password",
    "{title body}: password",
    "password + reset",
    "&|!<->",
    "x" * 10_000,
]


@pytest.mark.parametrize("text", FTS_SYNTAX)
def test_fts_syntax_is_just_text(index, text):
    for locale in ("en", "ja", "ar"):
        r = index.search(SearchQuery(text, locale))
        assert r.total >= 0
        index.suggest(text, locale)
        index.count(SearchQuery(text, locale))


@pytest.mark.parametrize("texts", naughty_chunks(NAUGHTY_STRINGS))
def test_naughty_strings_never_raise(index, texts):
    for text in texts:
        for locale in ("en", "ja", "ar"):
            index.search(SearchQuery(text, locale, kind="faq", category="account"))
            index.suggest(text, locale)


# ---- reading while writing


def test_searches_answer_while_others_write(tmp_path, make_doc):
    """A WAL database file: readers see the last commit, never an error, while writers commit."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'search.sqlite3'}")

    @sa.event.listens_for(engine, "connect")
    def _wal(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA journal_mode = WAL")
        dbapi_connection.execute("PRAGMA busy_timeout = 5000")

    index = SearchDatabase(engine)
    index.add_or_update_many(make_doc(f"topic:{i}", f"Password question {i}") for i in range(50))
    errors: list[BaseException] = []

    def searching():
        try:
            for _ in range(30):
                assert index.search(SearchQuery("password", "en")).total >= 50
        except BaseException as exc:
            errors.append(exc)

    def writing(n: int):
        try:
            for i in range(5):
                index.add_or_update(make_doc(f"article:{n}{i}", "Password article"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=searching) for _ in range(3)]
    threads += [threading.Thread(target=writing, args=(n,)) for n in range(1, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert index.doc_count() == 60
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(search_documents)).scalar() == 60
    engine.dispose()


# ---- index_row: unstemmed words taken from the stemmed pass


UNSTEMMED_CASES = [
    ("en", "Logging in fails after I signed up", "Set up two-factor; log-in at outlook.com"),
    ("en", "The passwords can't be reset", "Don't: the of up down, running runs AADSTS650056"),
    ("ar", "لا أستطيع تغيير كلمة المرور", "بالاشتراك والفواتير وللمستخدمين ترفع الملفات"),
    ("ar", "كيف أغير البريد؟", "ممكن المساعدة في الفواتير v2.3.1"),
]


@pytest.mark.parametrize(("locale", "title", "body"), UNSTEMMED_CASES)
@pytest.mark.parametrize("doc_type", ["article", "topic"])
def test_title_and_spelling_words_are_the_unstemmed_analyzers(locale, title, body, doc_type):
    doc = make_doc(
        f"{doc_type}:1", title, body, locale=locale, summary=body[:20], tags=title.split()[:2]
    )
    row = index_row(doc)
    _, plain = locale_analyzers(locale)
    texts = [doc.title, doc.summary, " ".join(doc.tags)]
    texts += [doc.body] if doc_type == "article" else []
    assert row.title_words == plain_words(plain, doc.title)
    assert row.spell_words == plain_words(plain, *texts)
    assert any(w not in row.tokens["title"] for w in row.title_words)  # stems differ from words
