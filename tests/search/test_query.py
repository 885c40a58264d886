"""Searching: stages, phrases, filters and facets, typos, synonyms, snippets, junk input."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from search.analysis import ANALYZER_VERSION, analyzer_for
from search.match import Or, Phrase
from search.proximity import pair_words, query_pairs, title_holds
from search.query import SearchQuery, Segment, adjacent_pairs, build_clauses, parse_user_text
from tests.search.conftest import make_doc


def ids(results) -> list[str]:
    return [h.doc_id for h in results.hits]


def search(index, text, locale="en", **kw):
    return index.search(SearchQuery(text, locale, **kw))


# ---- parsing


def test_parse_words_and_phrases():
    assert parse_user_text('reset "sign in" link') == [
        Segment("reset"),
        Segment("sign in", phrase=True),
        Segment("link"),
    ]


def test_parse_unbalanced_quote_is_a_space():
    assert parse_user_text('"reset link') == [Segment("reset link")]
    assert parse_user_text('"a" "b') == [Segment("a", phrase=True), Segment("b")]


def test_query_clamps_paging():
    q = SearchQuery("x", "en", page=-3, per_page=10_000)
    assert (q.page, q.per_page) == (1, 50)
    assert SearchQuery("x", "en", page="junk").page == 1  # type: ignore[arg-type]


# ---- stages


def test_all_terms_required_first(index):
    r = search(index, "reset password")
    assert ids(r)[0] == "article:1"
    assert r.matched_all == 1


def test_few_all_word_matches_are_topped_up_with_any_word_matches_below(empty_index, make_doc):
    empty_index.add_or_update_many(
        [
            make_doc("article:1", "File too big", "Files over 100 MB can't be attached."),
            make_doc("article:2", "Upload limits", "Upload a file of any size up to 100 MB."),
            make_doc("article:3", "Upload upload upload", "Upload."),
            make_doc("article:4", "Billing", "Invoices."),
        ]
    )
    r = search(empty_index, "big file upload")
    assert r.matched_all == 0 and r.used_fallback  # no document has all three words
    r = search(empty_index, "file upload")
    # article:2 alone has both words; the any-word matches follow it, even the
    # one that scores higher on "upload" alone
    assert r.matched_all == 1
    assert ids(r)[0] == "article:2"
    assert set(ids(r)) == {"article:1", "article:2", "article:3"}
    assert r.total == 3 and r.used_fallback
    assert r.facets["kind"] == {"faq": 3}


def test_a_topped_up_search_ranks_its_all_word_matches_once(empty_index, make_doc, monkeypatch):
    """The top-up's ranking of the all-words tier serves the page too: not asked again."""
    empty_index.add_or_update_many(
        [
            make_doc("article:1", "File too big", "Files over 100 MB can't be attached."),
            make_doc("article:2", "Upload limits", "Upload a file of any size up to 100 MB."),
            make_doc("article:3", "Upload upload upload", "Upload."),
        ]
    )
    backend, calls = empty_index.store.backend, []
    for name in ("ranked", "ranked_near"):
        method = getattr(backend, name)
        monkeypatch.setattr(
            backend, name, lambda *a, _m=method, _n=name, **k: calls.append(_n) or _m(*a, **k)
        )
    for per_page in (1, 10):
        calls.clear()
        r = empty_index.search(SearchQuery("file upload", "en", per_page=per_page))
        assert ids(r)[0] == "article:2" and r.matched_all == 1 and r.total == 3
        assert calls == (["ranked"] if per_page == 1 else ["ranked", "ranked_near"])


def test_enough_all_word_matches_are_not_topped_up(empty_index, make_doc):
    empty_index.add_or_update_many(
        [make_doc(f"article:{i}", f"Reset password {i}") for i in range(1, 4)]
        + [make_doc("article:9", "Reset the timer")]
    )
    r = search(empty_index, "reset password")
    assert r.total == 3 and "article:9" not in ids(r)
    assert not r.used_fallback


def test_falls_back_to_any_term_when_and_finds_nothing(index):
    r = search(index, "password timer")
    assert r.used_fallback
    assert {"article:1", "topic:11"} <= set(ids(r))


def test_stemming_finds_other_forms(index):
    assert "article:2" in ids(search(index, "billing invoices"))
    assert "topic:10" in ids(search(index, "bills"))


def test_title_outranks_body(index):
    # "reset" is in article:1's title and topic:12's title+body; "link" only in bodies.
    r = search(index, "password")
    assert ids(r)[0] == "article:1"


def test_quoted_phrase_needs_adjacent_words(index):
    r = search(index, '"reset link"')
    assert ids(r) == ["article:1"]
    assert search(index, '"link reset"').total == 0


def test_phrase_with_stop_words_inside(index):
    assert "article:1" in ids(search(index, '"reset your password"'))


# ---- filters and facets


def test_kind_filter_and_disjunctive_facets(index):
    everything = search(index, "bill")
    assert everything.facets["kind"] == {"faq": 1, "topic": 1}
    filtered = search(index, "bill", kind="topic")
    assert ids(filtered) == ["topic:10"]
    assert filtered.total == 1
    # the kind facet ignores the kind filter, so the other value stays clickable
    assert filtered.facets["kind"] == {"faq": 1, "topic": 1}
    assert filtered.facets["category"] == {"billing": 1}


def test_category_filter(index):
    r = search(index, "reset", category="account")
    assert set(ids(r)) == {"article:1", "topic:12"}
    assert r.facets["category"]["account"] == 2
    assert search(index, "reset", category="billing").total == 0


def test_facets_count_all_matches_not_just_the_page(index):
    r = search(index, "reset", per_page=1)
    assert len(r.hits) == 1 and r.total == 2
    assert sum(r.facets["kind"].values()) == 2


def test_paging(index):
    first = search(index, "reset", per_page=1, page=1)
    second = search(index, "reset", per_page=1, page=2)
    assert ids(first) != ids(second)
    assert search(index, "reset", per_page=1, page=50).hits == []


# ---- typos and spelling


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("pasword", "article:1"), ("invocie", "article:2"), ("pasword reset", "article:1")],
)
def test_typos_still_find_the_article(index, typed, expected):
    r = search(index, typed)
    assert expected in ids(r)
    assert r.used_fallback


def test_did_you_mean_uses_the_index_vocabulary(index):
    assert search(index, "pasword").did_you_mean == "password"
    assert search(index, "download invocie").did_you_mean == "download invoice"


def test_the_typo_stage_asks_the_frequencies_of_the_querys_words_at_once(index, monkeypatch):
    """Whether each typed word is in the index: one lookup for all of them, not one per word."""
    backend, asked = index.store.backend, []
    counts = backend.doc_frequencies
    monkeypatch.setattr(
        backend,
        "doc_frequencies",
        lambda *a: (a[2] == "content" and asked.append(a[3])) or counts(*a),
    )
    assert search(index, "dowload invocie").total
    assert [tokens for tokens in asked if "dowload" in tokens] == [["dowload", "invoci"]]


def test_did_you_mean_asks_once_which_of_the_querys_words_are_known(index, monkeypatch):
    """One lookup for all the words, not a statement per word."""
    backend, asked = index.store.backend, []
    known = backend.known
    monkeypatch.setattr(backend, "known", lambda *a: asked.append(a[3]) or known(*a))
    assert search(index, "download invocie").did_you_mean == "download invoice"
    assert asked == [["download", "invocie"]]


@pytest.mark.parametrize(
    ("typed", "meant", "locale"),
    [
        ("パスワーズ", "パスワード", "ja"),  # one kana off
        ("ダウンロート 請求書", "ダウンロード 請求書", "ja"),
        ("ぱすわーず", "パスワード", "ja"),  # and typed in hiragana
        ("الفواتر", "الفواتير", "ar"),  # a letter left out
        ("تنزيل الفواتر", "تنزيل الفواتير", "ar"),
    ],
)
def test_did_you_mean_for_japanese_and_arabic(index, typed, meant, locale):
    assert search(index, typed, locale).did_you_mean == meant


def test_a_kana_spelling_variant_needs_no_did_you_mean(index):
    # パスワド (no long vowel) shares パスワード's kana key: it finds the article itself
    r = search(index, "パスワド", "ja")
    assert ids(r) == ["article:20"] and r.did_you_mean is None


def test_no_japanese_or_arabic_did_you_mean_for_known_words(index):
    assert search(index, "パスワード", "ja").did_you_mean is None
    assert search(index, "الفواتير", "ar").did_you_mean is None
    assert search(index, "فواتير", "ar").did_you_mean is None  # only the article differs


def test_did_you_mean_sees_words_written_after_the_first_search(empty_index, make_doc, monkeypatch):
    monkeypatch.setattr("search.spelling.SPELLING_KEYS_MIN_AGE", 0.0)  # no wait between rebuilds
    doc = make_doc("article:1", "ダウンロードの方法", locale="ja")
    empty_index.add_or_update(doc)
    assert empty_index.search(SearchQuery("アップロート", "ja")).did_you_mean is None
    empty_index.add_or_update(make_doc("article:2", "アップロードの方法", locale="ja"))
    assert empty_index.search(SearchQuery("アップロート", "ja")).did_you_mean == "アップロード"


def test_fresh_spelling_keys_serve_without_counting_rows(empty_index, make_doc):
    # within SPELLING_KEYS_MIN_AGE of a build nothing is rebuilt, so nothing looks for changes
    empty_index.add_or_update(make_doc("article:1", "ダウンロードの方法", locale="ja"))
    assert empty_index.search(SearchQuery("ダウンロート", "ja")).did_you_mean == "ダウンロード"
    statements = []

    def record(conn, cursor, statement, *_):
        statements.append(statement)

    sa.event.listen(empty_index.engine, "before_cursor_execute", record)
    try:
        assert empty_index.search(SearchQuery("ダウンロート", "ja")).did_you_mean == "ダウンロード"
    finally:
        sa.event.remove(empty_index.engine, "before_cursor_execute", record)
    assert statements and not [s for s in statements if "max(search_documents.id)" in s]


def test_did_you_mean_only_when_the_correction_finds_more(index):
    # "bit" is close to "big", but "file too bit" finds no more than "file too big"
    assert search(index, "desktop timer big").did_you_mean is None


def test_no_did_you_mean_for_good_queries(index):
    assert search(index, "password").did_you_mean is None


def test_short_words_are_not_fuzzed(index):
    assert search(index, "zq").total == 0


# ---- phrase evidence


FILLER = " ".join(["Settings, billing, members and projects are described elsewhere."] * 8)


def test_a_query_that_is_a_title_puts_that_article_first(empty_index, make_doc):
    # BM25 alone ranks the texts that repeat "export" and "data" apart above the long article
    empty_index.add_or_update_many(
        [
            make_doc("article:1", "Export your data", "Choose a format. " + FILLER),
            make_doc(
                "article:2",
                "Data you can keep when an export fails",
                "An export of data: the data export keeps data. Export data again.",
            ),
            make_doc("topic:3", "Export settings and data", "export data export data"),
        ]
    )
    assert ids(empty_index.search(SearchQuery("export data", "en")))[0] == "article:1"
    # one word has no phrase: BM25 order
    assert ids(empty_index.search(SearchQuery("export", "en")))[0] != "article:1"


TITLE_CASES = [
    pytest.param(*case)
    for case in [
        ("reset the password", "Reset your password", "en", True),
        ("password reset", "Reset your password", "en", False),  # order matters
        ("log in problems", "Problems when you login", "en", False),
        ("請求書 ダウンロード", "請求書をダウンロードする", "ja", True),
        ("ぱすわーど さいせってい", "パスワードを再設定するには", "ja", True),
        ("تنزيل فواتير", "تنزيل الفواتير والإيصالات", "ar", True),
        ("فواتير تنزيل", "تنزيل الفواتير والإيصالات", "ar", False),
    ]
]


@pytest.mark.parametrize(("query", "title", "locale", "holds"), TITLE_CASES)
def test_title_holds_the_query_words_side_by_side(query, title, locale, holds):
    pairs = query_pairs(query, locale)
    assert pairs and title_holds(title, locale, pairs) is holds


def test_every_title_holding_the_pairs_reaches_title_phrase_evidence(empty_index, make_doc):
    """A backend may leave out titles that cannot hold the query's pairs, never one that does."""
    cases = [c.values for c in TITLE_CASES]
    empty_index.add_or_update_many(
        make_doc(f"article:{i}", title, locale=locale)
        for i, (_, title, locale, _) in enumerate(cases)
    )
    ids = [f"article:{i}" for i in range(len(cases))]
    with empty_index.engine.connect() as conn:
        for i, (query, title, locale, holds) in enumerate(cases):
            pairs = pair_words(query_pairs(query, locale))
            titles = empty_index.store.backend.pair_titles(conn, ids, pairs, ANALYZER_VERSION)
            assert (f"article:{i}" in titles) >= holds, (query, title)


def pairs_of(text: str, locale: str = "en", synonyms=None):
    return adjacent_pairs(build_clauses(parse_user_text(text), analyzer_for(locale), synonyms))


def test_adjacent_pairs_are_the_words_typed_side_by_side():
    assert pairs_of("reset the password") == Phrase(("reset", "password"))
    assert pairs_of("export report data") == Or(
        (Phrase(("export", "report")), Phrase(("report", "data")))
    )
    assert pairs_of("password") is None
    # a quoted phrase is its own requirement; words on either side of it are not side by side
    assert pairs_of('reset "sign in" link') is None
    # a synonym span stands for several spellings: no pair through it
    assert pairs_of("reset login link", synonyms={"login": ["sign in"]}) is None
    assert pairs_of("請求書をダウンロード", "ja") == Phrase(("請求書", "ダウンロード"))


def test_any_word_stage_ranks_words_side_by_side_above_words_apart(empty_index):
    """When no text has every word (a long question), the one with the words together wins."""
    database = empty_index
    database.add_or_update_many(
        [
            make_doc(
                "article:1",
                "Projects overview",
                "Each report lists projects. Export settings are under Account;"
                " a report is shared by link.",
            ),
            make_doc(
                "article:2",
                "Sharing with clients",
                "Clients see what you share: export the report as a PDF, then send it to them"
                " from the clients page.",
            ),
            *(make_doc(f"article:{i}", f"Timers {i}", "Timers and invoices.") for i in range(3, 9)),
        ]
    )
    # no text says quarterly: the any-word stage answers. BM25 alone puts article 1 first (it
    # says report twice); "report export" is a pair in neither text
    assert ids(search(database, "quarterly report export"))[:2] == ["article:1", "article:2"]
    for typed in ("quarterly export report", "How do I export the report every quarter?"):
        assert ids(search(database, typed))[:2] == ["article:2", "article:1"]
    # when every word matches, the words alone rank (the title's phrase evidence aside)
    assert ids(search(database, "export report"))[:2] == ["article:1", "article:2"]


# ---- synonyms


def test_multiword_synonym_both_ways(empty_index, make_doc):
    empty_index.add_or_update_many(
        [
            make_doc("article:1", "Set up two-factor sign-in", "Use an authenticator app."),
            make_doc("article:2", "2FA for admins", "Require it for everyone."),
        ]
    )
    synonyms = {"2fa": ["two-factor", "two factor authentication"]}
    assert set(ids(search(empty_index, "2fa", synonyms=synonyms))) == {"article:1", "article:2"}
    assert set(ids(search(empty_index, "two-factor", synonyms=synonyms))) == {
        "article:1",
        "article:2",
    }
    assert ids(search(empty_index, "2fa")) == ["article:2"]


def test_japanese_synonym(index):
    synonyms = {"請求書": ["インボイス"]}
    assert "article:21" in ids(search(index, "インボイス", "ja", synonyms=synonyms))
    assert search(index, "インボイス", "ja").total == 0


def test_compound_parts_get_their_synonyms_and_match_alone_in_the_any_word_stage(
    empty_index, make_doc
):
    empty_index.add_or_update_many(
        [
            make_doc(
                "article:1", "スマートフォンのアプリ", "iOSとAndroidに対応しています。", locale="ja"
            ),
            make_doc("article:2", "デスクトップアプリ", "WindowsとmacOSに対応。", locale="ja"),
        ]
    )
    synonyms = {"スマートフォン": ["スマホ"]}
    r = search(empty_index, "スマホアプリ", "ja", synonyms=synonyms)
    assert ids(r)[0] == "article:1" and r.matched_all == 1
    # without the synonym no document has all parts; any part will do
    r = search(empty_index, "スマホアプリ", "ja")
    assert r.matched_all == 0 and "article:2" in ids(r)


def test_synonyms_combine_with_other_words(index):
    r = search(index, "download bill", synonyms={"bill": ["invoice", "receipt"]})
    assert ids(r)[0] == "article:2"
    assert r.matched_all == 1


# ---- languages


@pytest.mark.parametrize("typed", ["パスワード", "ﾊﾟｽﾜｰﾄﾞ", "パスワードを変更", "パスワード 再設定"])
def test_japanese_queries_reach_the_password_article(index, typed):
    assert ids(search(index, typed, "ja"))[0] == "article:20"


def test_japanese_compound_query_matches_its_parts(empty_index, make_doc):
    # スマホアプリ is one mode-C word; the article only has スマホ and アプリ apart
    empty_index.add_or_update(
        make_doc("article:1", "対応端末", "スマホでもアプリを使えます。", locale="ja")
    )
    assert ids(search(empty_index, "スマホアプリ", "ja")) == ["article:1"]


def test_japanese_word_inside_compound(index):
    assert "article:21" in ids(search(index, "請求", "ja"))
    assert "article:22" in ids(search(index, "2段階認証", "ja"))


@pytest.mark.parametrize("typed", ["كلمة المرور", "كَلِمَةُ المُرُورِ", "والمرور", "كلمه"])
def test_arabic_queries_reach_the_password_article(index, typed):
    assert ids(search(index, typed, "ar"))[0] == "article:30"


def test_locale_variant_resolves_to_language(index):
    assert ids(search(index, "password", "en-GB"))[0] == "article:1"


def test_unknown_locale_is_an_error(index):
    with pytest.raises(ValueError):
        search(index, "password", "xx")


# ---- snippets


def test_snippet_escapes_html_and_marks_matches(index):
    hit = search(index, "script").hits[0]
    assert "<script>" not in hit.snippet
    assert "&lt;<mark>script</mark>&gt;" in hit.snippet
    assert hit.snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_snippet_marks_stemmed_matches(index):
    hit = search(index, "invoices").hits[0]
    assert "<mark>invoice</mark>" in hit.snippet


def test_snippet_marks_japanese_and_arabic(index):
    ja = search(index, "パスワード", "ja").hits[0].snippet
    assert "<mark>ﾊﾟｽﾜｰﾄﾞ</mark>" in ja and "<mark>パスワード</mark>" in ja
    assert "<mark>請求</mark>書" in search(index, "請求", "ja").hits[0].snippet
    assert "<mark>المرور</mark>" in search(index, "كلمة المرور", "ar").hits[0].snippet


def test_snippet_falls_back_to_summary_or_start(index):
    hit = next(h for h in search(index, "sign-in").hits if h.doc_id == "article:1")
    assert hit.snippet


def test_hit_fields(index):
    hit = search(index, "bill", kind="topic").hits[0]
    assert (hit.type, hit.id, hit.kind, hit.category, hit.solved, hit.locale) == (
        "topic",
        "10",
        "topic",
        "billing",
        True,
        "en",
    )
    assert hit.url == "/topic/10" and hit.score > 0


# ---- junk never raises


JUNK = [
    "",
    "   ",
    '"',
    '""',
    '"unbalanced',
    "AND",
    "OR NOT",
    "*",
    "?",
    ":",
    "title:password",
    "pass*",
    "(((",
    ")",
    "[1 TO 5]",
    "password^5",
    "~2",
    "\\",
    "\x00\x01\x1f\x7f",
    "\u200b\u202e",
    "x" * 10_000,
    "password " * 2000,
    "🙂🔑",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x1f".join(["title", "body"]),
]


@pytest.mark.parametrize("text", JUNK)
@pytest.mark.parametrize("locale", ["en", "ja", "ar"])
def test_junk_queries_never_raise(index, text, locale):
    r = search(index, text, locale, kind="faq", category="account")
    assert r.total >= 0
    index.suggest(text, locale)


# ---- suggest


def test_suggest_prefix_of_title_words(index):
    assert [s.doc_id for s in index.suggest("reset pass", "en")] == ["article:1"]
    assert [s.doc_id for s in index.suggest("downl", "en")] == ["article:2"]


def test_suggest_fields_and_limit(index):
    s = index.suggest("re", "en", limit=1)
    assert len(s) == 1
    assert {"doc_id", "type", "title", "url", "kind"} <= set(vars(s[0]))


def test_suggest_prefers_articles(index):
    assert index.suggest("reset", "en")[0].type == "article"


def test_suggest_japanese_and_arabic(index):
    assert index.suggest("パスワ", "ja")[0].doc_id == "article:20"
    assert index.suggest("ﾊﾟｽﾜｰﾄﾞを再", "ja")[0].doc_id == "article:20"
    assert index.suggest("كلمة الم", "ar")[0].doc_id == "article:30"


def test_suggest_ignores_one_latin_letter(index):
    assert index.suggest("r", "en") == []


@pytest.mark.parametrize(
    ("text", "locale", "kind"),
    [
        ("reset password", "en", None),
        ("password timer", "en", None),
        ("pasword", "en", None),
        ("reset password", "en", "topic"),
        ("zzzz", "en", None),
        ("", "en", None),
        ("パスワード", "ja", None),
    ],
)
def test_count_is_the_search_total(index, text, locale, kind):
    q = SearchQuery(text, locale, kind=kind)
    assert index.count(q) == index.search(q).total
