"""The PostgreSQL backend on its own: tokens stored and matched exactly, never as syntax.

Rows are written straight through the backend (no analyzer), so these tests
pin what PostgreSQL does with a token: ``outlook.com`` stays one lexeme,
``&``/``|``/``!``/``<->``/``:*`` in a token are characters, phrases need
adjacency within one field, titles outrank bodies, prefixes suggest, and
pg_trgm finds typo candidates.
"""

from __future__ import annotations

import random
import uuid

import pytest
import sqlalchemy as sa

from search.backends import postgres_ranking, postgres_statistics
from search.backends.base import IndexRow
from search.backends.postgres import PostgresBackend
from search.backends.postgres_statistics import FOLD_CHANGES, term_statistics
from search.backends.tables import metadata, search_documents
from search.match import And, Or, Phrase, Prefix, Term
from tests.conftest import POSTGRES_URL, drop_postgres_schema, reset_postgres_schema

SYNTAX_TOKENS = [
    "outlook.com",
    "two-factor",
    "don't",
    "back\\slash",
    "a'b\\'c",
    "&",
    "|",
    "!",
    "<->",
    ":*",
    "'",
    "\\",
    "a:1",
    "x & y",
    "(",
    "NEAR(",
    '"',
    "パスワード",
    "كلمة",
]


@pytest.fixture
def engine():
    url, schema = reset_postgres_schema(POSTGRES_URL)
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        metadata.create_all(conn)
        PostgresBackend().create_schema(conn, ("en", "ja", "ar"))
    yield engine
    engine.dispose()
    drop_postgres_schema(POSTGRES_URL, schema)


def row(doc_id, title=(), body=(), *, locale="en", kind="faq", category="general", **extra):
    return IndexRow(
        doc_id=doc_id,
        group_id=extra.pop("group_id", doc_id),
        locale=locale,
        type=doc_id.split(":")[0],
        kind=kind,
        category=category,
        title=" ".join(title),
        summary="",
        body=" ".join(body),
        url="/" + doc_id,
        solved=False,
        popularity=0,
        updated=None,
        prior=extra.pop("prior", 1.0),
        analyzer_version=1,
        tokens={"title": list(title), "tags": [], "summary": [], "body": list(body)},
        title_words=extra.pop("title_words", list(title)),
        spell_words=extra.pop("spell_words", list(title) + list(body)),
    )


def write(engine, *rows):
    backend = PostgresBackend()
    with engine.begin() as conn:
        pairs = []
        for r in rows:
            values = {c.name: getattr(r, c.name) for c in search_documents.c if c.name != "id"}
            row_id = conn.execute(sa.insert(search_documents).values(values)).inserted_primary_key
            pairs.append((row_id[0], r))
        backend.write_tokens(conn, pairs)
    return backend


def groups(engine, node, locale="en", **filters):
    with engine.connect() as conn:
        found = PostgresBackend().ranked(
            conn,
            locale,
            node,
            kind=filters.get("kind"),
            category=filters.get("category"),
            exclude=frozenset(filters.get("exclude", ())),
            limit=10,
        )
    return [g.group_id for g in found]


def test_tokens_with_syntax_characters_are_stored_and_matched_whole(engine, naughty_strings):
    naughty = [s for s in naughty_strings if s.strip() and "\x00" not in s][:300]
    tokens = list(dict.fromkeys(SYNTAX_TOKENS + naughty))
    write(engine, *(row(f"article:{i}", body=[t, "filler"]) for i, t in enumerate(tokens)))
    with engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT lexeme FROM search_pg_tokens, unnest(content)")
        ).scalars()
        assert sorted(t for t in stored if t != "filler") == sorted(tokens)
    for i, token in enumerate(tokens):
        assert groups(engine, Term(token)) == [f"article:{i}"], token
    # outlook.com is one lexeme: its parts find nothing
    assert groups(engine, Term("outlook")) == []
    assert groups(engine, Term("com")) == []


def test_phrase_needs_adjacent_tokens_in_one_field(engine):
    write(
        engine,
        row("article:1", title=["reset", "password"]),
        row("article:2", title=["password"], body=["reset", "link"]),
        row("article:3", body=["password", "reset"]),
    )
    assert groups(engine, Phrase(("reset", "password"))) == ["article:1"]
    assert sorted(groups(engine, And((Term("reset"), Term("password"))))) == [
        "article:1",
        "article:2",
        "article:3",
    ]


def test_title_match_outranks_body_match_and_groups_collapse(engine):
    write(
        engine,
        row("article:1", body=["invoice", "pdf", "download", "settings"]),
        row("article:2", title=["invoice"], body=["pdf", "download", "settings"]),
        row("topic:5", title=["charged", "twice"]),
        row("post:7", body=["invoice", "missing"], group_id="topic:5", kind="topic"),
        row("post:8", body=["invoice", "again", "this", "month"], group_id="topic:5", kind="topic"),
    )
    assert groups(engine, Term("invoice"))[0] == "article:2"
    assert sorted(groups(engine, Term("invoice"))) == ["article:1", "article:2", "topic:5"]
    assert groups(engine, Term("invoice"), kind="topic") == ["topic:5"]
    assert groups(engine, Term("invoice"), exclude={"article:2", "topic:5"}) == ["article:1"]
    with engine.connect() as conn:
        counts = PostgresBackend().match_counts(conn, "en", Term("invoice"))
    assert counts == {("faq", "general"): 2, ("topic", "general"): 1}


def test_kind_and_category_changed_without_new_tokens_are_followed(engine):
    write(engine, row("topic:1", title=["export"], kind="topic", category="billing"))
    with engine.begin() as conn:
        conn.execute(sa.update(search_documents).values(category="account"))
    assert groups(engine, Term("export"), category="billing") == []
    assert groups(engine, Term("export"), category="account") == ["topic:1"]
    with engine.connect() as conn:
        counts = PostgresBackend().match_counts(conn, "en", Term("export"))
    assert counts == {("topic", "account"): 1}


def test_typo_candidates_come_from_the_trigram_vocabulary(engine):
    write(
        engine,
        row("article:1", title=["password"], body=["passport"]),
        row("article:2", title=["password", "cat"]),
        row("article:3", title=["cut"], body=["bassword"]),
    )
    with engine.connect() as conn:
        backend = PostgresBackend()
        # passport is 3 edits away; bassword starts with another letter
        assert backend.typo_candidates(conn, "en", "content", "pasword", 2) == {"password": 2}
        assert backend.typo_candidates(conn, "en", "content", "pasport", 2) == {"passport": 1}
        assert backend.typo_candidates(conn, "en", "content", "cit", 1) == {"cat": 1, "cut": 1}
        assert backend.doc_frequencies(conn, "en", "content", ["password", "nothing"]) == {
            "password": 2
        }


def test_did_you_mean_counts_only_the_nearest_words_rows_still_hold(engine, monkeypatch):
    """nearest_words: the spelling words at the fewest edits from a typo that rows still
    hold, with their rows, counting no farther word (a ``spell`` count visits every row
    holding it); a word whose rows are gone gives way to the next distance. known: a yes or
    no per word."""
    write(
        engine,
        row("article:1", title=["invoice"]),
        row("article:2", title=["invoices"]),
        row("article:3", title=["invoice", "refund"]),
    )
    backend = PostgresBackend()
    counted = []
    count = PostgresBackend.doc_frequencies

    def spied(self, conn, locale, vocabulary, tokens):
        counted.append(sorted(tokens))
        return count(self, conn, locale, vocabulary, tokens)

    monkeypatch.setattr(PostgresBackend, "doc_frequencies", spied)
    with engine.begin() as conn:
        assert backend.typo_candidates(conn, "en", "spell", "invoce", 2) == {
            "invoice": 2,
            "invoices": 1,
        }
        counted.clear()
        assert backend.nearest_words(conn, "en", "spell", "invoce", 2) == {"invoice": 2}
        assert counted == [["invoice"]]
        assert backend.known(conn, "en", "spell", ["invoice", "invoce", "refund"]) == {
            "invoice",
            "refund",
        }
        backend.delete_tokens(conn, [(1, "en"), (3, "en")])
        assert backend.nearest_words(conn, "en", "spell", "invoce", 2) == {"invoices": 1}
        assert backend.known(conn, "en", "spell", ["invoice", "invoices"]) == {"invoices"}


def test_suggest_matches_every_prefix_best_prior_first(engine):
    write(
        engine,
        row("article:1", title=["reset", "your", "password"], prior=2.0),
        row("topic:2", title=["password", "reset", "failed"], prior=1.0),
        row("article:3", title=["passport", "photo"], prior=3.0),
        row("post:4", title=[], body=["password"], group_id="topic:2", title_words=["password"]),
    )
    with engine.connect() as conn:
        backend = PostgresBackend()
        assert backend.suggest(conn, "en", ["pass"], 10) == ["article:3", "article:1", "topic:2"]
        assert backend.suggest(conn, "en", ["pass", "re"], 10) == ["article:1", "topic:2"]
        assert backend.suggest(conn, "en", ["pass", ":*|!"], 10) == []
    with engine.begin() as conn:  # a topic that became popular rises (no new tokens written)
        conn.execute(
            sa.update(search_documents)
            .where(search_documents.c.doc_id == "topic:2")
            .values(prior=9)
        )
    with engine.connect() as conn:
        assert PostgresBackend().suggest(conn, "en", ["pass"], 2) == ["topic:2", "article:3"]


def test_deleted_rows_are_not_found_or_counted(engine):
    write(engine, row("article:1", title=["refund"]), row("article:2", title=["refunds"]))
    with engine.begin() as conn:
        backend = PostgresBackend()
        backend.delete_tokens(conn, [(1, "en")])
        assert backend.typo_candidates(conn, "en", "content", "refunx", 1) == {}
    assert groups(engine, Or((Term("refund"), Term("refunds")))) == ["article:2"]
    assert groups(engine, Prefix("ref")) == ["article:2"]


def recounted(conn) -> dict[str, tuple[int, int]]:
    """Rows per token and rows/tokens in all ('' ), counted afresh from the token table."""
    counted = conn.execute(
        sa.text(
            """SELECT w, count(*), 0 FROM search_pg_tokens, unnest(tsvector_to_array(content)) w
            GROUP BY w UNION ALL SELECT '', count(*), sum(length) FROM search_pg_tokens"""
        )
    )
    return {term: (rows, tokens) for term, rows, tokens in counted if rows}


def test_ranking_statistics_follow_writes_rewrites_and_deletes(engine):
    backend = write(
        engine,
        row("article:1", title=["reset", "password"], body=["email", "link"]),
        row("article:2", title=["password"], body=["email"]),
        row("topic:3", title=["invoice"]),
    )
    with engine.begin() as conn:
        ids = dict(conn.execute(sa.text("SELECT doc_id, id FROM search_documents")).all())
        backend.write_tokens(conn, [(ids["article:2"], row("article:2", title=["refund"]))])
        conn.execute(sa.text(FOLD_CHANGES))
        backend.write_tokens(conn, [(ids["topic:3"], row("topic:3", title=["invoice", "pdf"]))])
        backend.delete_tokens(conn, [(ids["article:1"], "en")])
    with engine.begin() as conn:  # a cascade from search_documents counts too
        conn.execute(sa.text("DELETE FROM search_documents WHERE doc_id = 'topic:3'"))
    write(engine, row("article:4", title=["password", "password"], body=["pdf"]))
    with engine.connect() as conn:
        words = ["", "password", "refund", "invoice", "pdf", "email", "reset"]
        stored = term_statistics(conn, words)
        assert {t: c for t, c in stored.items() if c[0]} == recounted(conn)
        assert stored[""] == (2, 4)
        assert backend.doc_frequencies(conn, "en", "content", ["password", "reset"]) == {
            "password": 1
        }


def test_a_batch_is_written_as_its_rows_one_by_one_and_a_repeated_id_keeps_its_last(engine):
    batch = [
        row("article:1", title=["reset", "パスワード"], body=["a'b\\'c", "x & y", "reset"]),
        row("topic:2", title=["invoice"], body=["كلمة"], locale="ar", prior=0.1 + 0.2),
        row("post:3", body=["invoice", "pdf"], group_id="topic:2"),
    ]
    backend = write(engine, *batch)
    dump = """SELECT t.doc_id, t.locale, t.prior, t.content::text, t.spell_words::text, t.length,
        s.title_words::text FROM search_pg_tokens t LEFT JOIN search_pg_titles s USING (id)
        ORDER BY t.doc_id"""
    with engine.begin() as conn:
        batched = conn.execute(sa.text(dump)).all()
        for row_id, r in enumerate(batch, 1):
            backend.write_tokens(conn, [(row_id, r)])
        assert conn.execute(sa.text(dump)).all() == batched
        assert batched[0][3] == r"'a''b\\''c':33 'reset':1A,35 'x & y':34 'パスワード':2A"
        backend.write_tokens(conn, [(1, row("article:1", title=["old"])), (1, batch[0])])
        assert conn.execute(sa.text(dump)).all() == batched
    with engine.connect() as conn:
        assert term_statistics(conn, ["", "reset", "old", "invoice"]) == {
            "": (3, 9),
            "reset": (1, 0),
            "invoice": (2, 0),
        }
        assert groups(engine, Term("pdf")) == ["topic:2"]


def test_a_bulk_write_folds_its_statistics_and_they_stay_exact(engine, monkeypatch):
    # A key of this test's own, so another test's folder on the shared database can't hold it.
    monkeypatch.setattr(postgres_statistics, "FOLD_LOCK", uuid.uuid4().int % 2**62)
    words = ["reset", "password", "email", "invoice", "pdf", "refund", "link"]
    many = [
        row(f"topic:{i}", title=words[i % 7 : i % 7 + 2], body=words[: i % 5 + 1])
        for i in range(postgres_statistics.BULK_ROWS + 20)
    ]
    write(engine, *many)
    with engine.begin() as conn:
        left = conn.execute(sa.text("SELECT count(*) FROM search_pg_term_changes")).scalar()
        stored = term_statistics(conn, ["", *words])
        assert left == 0
        assert stored == recounted(conn)
        assert stored[""][0] == len(many)


def test_statistics_are_filled_from_rows_indexed_before_them(engine):
    write(
        engine,
        row("article:1", title=["reset", "password"], body=["email", "link", "email"]),
        row("article:2", title=["password"], body=["email"]),
    )
    with engine.begin() as conn:  # as the rows were before the statistics existed
        conn.execute(sa.text("DROP FUNCTION search_pg_statistics() CASCADE"))
        conn.execute(sa.text("DROP TABLE search_pg_terms, search_pg_term_changes"))
        conn.execute(sa.text("ALTER TABLE search_pg_tokens DROP COLUMN length"))
    with engine.begin() as conn:
        PostgresBackend().create_schema(conn, ("en",))
    with engine.connect() as conn:
        stored = term_statistics(conn, ["", "reset", "password", "email", "link"])
        assert stored == recounted(conn)
        assert stored[""] == (2, 7)


def test_a_rare_word_outweighs_a_common_one_in_a_title(engine):
    write(
        engine,
        *(row(f"article:{i}", title=["password", "help"], body=["account"]) for i in range(6)),
        row("article:7", title=["sign", "in"], body=["account", "otp"]),
        *(row(f"article:{i}", title=["billing"], body=["invoice"]) for i in range(8, 12)),
    )
    assert groups(engine, Or((Term("password"), Term("otp"))))[0] == "article:7"


def test_migrations_create_the_token_tables_on_postgresql_only(tmp_path):
    from flask_migrate import upgrade

    from app.extensions import db
    from app.site_search.engine import search_store
    from search.documents import SearchDocument
    from search.query import SearchQuery
    from tests.conftest import make_app

    def tables(app) -> set[str]:
        with app.app_context():
            names = set(sa.inspect(db.engine).get_table_names())
            db.engine.dispose()
        return names

    lite = make_app(tmp_path / "lite", f"sqlite:///{tmp_path / 'lite.sqlite3'}")
    with lite.app_context():
        upgrade()
    assert not {n for n in tables(lite) if n.startswith("search_pg_")}

    url, schema = reset_postgres_schema(POSTGRES_URL)
    try:
        app = make_app(tmp_path / "pg", url)
        with app.app_context():
            upgrade()
            store = search_store()
            doc = SearchDocument(
                "article:1", "article", "en", "faq", "account", "Reset outlook.com sync", "", ""
            )
            store.write(db.session.connection(), [doc])
            db.session.commit()
            found = store.search(db.session.connection(), SearchQuery("outlook.com", "en"))
            assert [hit.doc_id for hit in found.hits] == ["article:1"]
            db.session.remove()
        assert {"search_pg_tokens", "search_pg_words"} <= tables(app)
    finally:
        drop_postgres_schema(POSTGRES_URL, schema)


def test_a_user_who_may_not_create_pg_trgm_is_told_what_to_ask(tmp_path):
    suffix = uuid.uuid4().hex[:10]
    database, role = f"tp_noext_{suffix}", f"tp_noext_{suffix}"
    admin = sa.create_engine(
        POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
    base = POSTGRES_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    owner = sa.create_engine(f"{base}/{database}")
    with owner.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA s AUTHORIZATION "{role}"'))
    owner.dispose()
    user_url = f"{base.replace('//postgres@', f'//{role}@')}/{database}?options=-csearch_path%3Ds"
    engine = sa.create_engine(user_url)
    try:
        asked = r"Ask a superuser to run, in this database: CREATE EXTENSION pg_trgm;"
        with pytest.raises(RuntimeError, match=asked), engine.begin() as conn:
            metadata.create_all(conn)
            PostgresBackend().create_schema(conn, ("en",))
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def test_the_shortlist_ranks_exactly_as_scoring_every_matched_row(engine, monkeypatch):
    """Common words in many titles and bodies: the rows holding a query word more than once
    or two query words, then the short rows holding one once, give the same groups, scores
    and order as scoring all of them, for words, pairs, filters, pages and posts."""
    rng = random.Random(11)
    common = ["account", "password", "reset", "email", "login"]
    filler = [f"w{i}" for i in range(60)]
    rows = []
    for i in range(400):
        title = rng.sample(common + filler, rng.randint(0, 2)) + rng.sample(filler, 3)
        body = [
            rng.choice(common if rng.random() < 0.3 else filler) for _ in range(rng.randint(5, 120))
        ]
        kind = "faq" if i % 3 else "howto"
        if i % 4 == 0 and i:
            rows.append(row(f"post:{i}", body=body, group_id=f"topic:{i - 4}", kind=kind))
        else:
            doc = f"article:{i}" if i % 2 else f"topic:{i}"
            rows.append(row(doc, title=title, body=body, kind=kind))
    write(engine, *rows)
    queries = [
        (Term("account"), None),
        (Term("w7"), None),
        (Or((Term("password"), Term("reset"))), Or((Phrase(("password", "reset")),))),
        (Or((Term("email"), Term("login"), Term("w3"))), None),
        (Or((Or((Term("w1"), Term("w2"))), Term("account"))), Or((Phrase(("w2", "account")),))),
        (And((Term("account"), Term("email"))), None),
        (Or((Term("w5"), Term("w9"), Term("w11"), Term("w20"))), None),
        (Or((Term("w5"), Term("w9"), Term("w11"), Term("w20"))), Or((Phrase(("w9", "w11")),))),
        (Or((Term("w5"), Term("w9", boost=0.5))), Or((Phrase(("w5", "w9")),))),
        (Or((Term("reset"), Term("email", boost=0.5), Term("w4", boost=0.5))), None),
    ]
    restricted = []
    run = postgres_ranking._Statement.run

    def spied(self, conn, limit, candidates=""):
        restricted.append("length <=" in candidates)
        return run(self, conn, limit, candidates)

    monkeypatch.setattr(postgres_ranking._Statement, "run", spied)
    monkeypatch.setattr(postgres_ranking, "SHORTLIST_ABOVE", 0)  # a small corpus
    with engine.connect() as conn:
        for node, near in queries:
            for filters in ({}, {"kind": "faq"}, {"exclude": frozenset({"topic:0", "article:1"})}):
                for limit, offset in ((3, 0), (10, 0), (10, 10), (20, 5)):
                    full = {"kind": None, "category": None, "exclude": frozenset(), **filters}
                    args = (conn, "en", node, near, full, limit, offset)
                    fast = postgres_ranking.ranked(*args)
                    every = postgres_ranking.ranked(*args, shortlist=False)
                    assert fast == every, (node, filters, limit, offset)
    # most of these took the shortlist (first-pass rows, then the short rows)
    assert sum(restricted) > 20


def test_typo_candidates_are_words_of_their_own_for_the_shortlist():
    """The typo stage's word and its candidates are separate words to the shortlist's bound
    (a row outside the first pass is bounded by one of them, not by all their weights),
    while a word's synonyms stay one word and a long query stays whole."""
    typo = Or((Term("reset"), Term("resit", boost=0.5), Term("rest", boost=0.5)))
    assert postgres_ranking._groups(typo, [], False) == [
        frozenset({"reset"}),
        frozenset({"resit"}),
        frozenset({"rest"}),
    ]
    any_word = Or((typo, Or((Term("login"), Term("signin")))))
    assert postgres_ranking._groups(any_word, [], True) == [
        frozenset({"reset"}),
        frozenset({"resit"}),
        frozenset({"rest"}),
        frozenset({"login", "signin"}),
    ]
    many = Or((Term("a"), *(Term(f"a{i}", boost=0.5) for i in range(12))))
    assert len(postgres_ranking._groups(many, [], False)) == 1


def test_rows_indexed_before_the_heavy_column_get_it_filled(engine, monkeypatch):
    """Rows from before the ``heavy`` column (migration 57cb05f095f8's head and ceiling) get
    it filled from their tokens when the schema is brought up to date, so the shortlist
    ranks them exactly; a rewrite keeps it in step."""
    monkeypatch.setattr(postgres_ranking, "SHORTLIST_ABOVE", 0)
    write(
        engine,
        *(row(f"topic:{i}", title=["billing"], body=["invoice"] * (i % 5 + 1)) for i in range(30)),
        row("article:1", title=["payment"], body=["invoice"] * 9),
        row("topic:50", title=["refund"], body=["invoice", "late"]),
    )
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE search_pg_tokens DROP COLUMN heavy"))
        PostgresBackend().create_schema(conn, ("en",))
    node = Term("invoice")
    with engine.connect() as conn:
        filters = {"kind": None, "category": None, "exclude": frozenset()}
        fast = postgres_ranking.ranked(conn, "en", node, None, filters, 5, 0)
        every = postgres_ranking.ranked(conn, "en", node, None, filters, 5, 0, shortlist=False)
        heavy = dict(
            conn.execute(
                sa.text(
                    "SELECT d.doc_id, t.heavy::text FROM search_pg_tokens t"
                    " JOIN search_documents d USING (id)"
                    " WHERE d.doc_id IN ('topic:0', 'topic:1', 'topic:50')"
                )
            ).all()
        )
    assert fast == every
    assert fast[0].group_id == "article:1"
    # once in the body is not heavy; in the title, or twice in the body, is
    assert heavy == {
        "topic:0": "'billing'",
        "topic:1": "'billing' 'invoice'",
        "topic:50": "'refund'",
    }
    write(engine, row("topic:99", title=["invoice"], body=["invoice", "due"]))
    with engine.connect() as conn:
        written = conn.execute(
            sa.text(
                "SELECT heavy::text FROM search_pg_tokens t JOIN search_documents d"
                " USING (id) WHERE d.doc_id = 'topic:99'"
            )
        ).scalar_one()
    assert written == "'invoice'"


def test_pair_titles_leaves_out_titles_that_lack_a_pairs_words(engine):
    """Title phrase evidence analyzes only titles whose stored title tokens hold both words
    of an alternative of every pair; rows written by another analyzer version all pass."""
    backend = write(
        engine,
        row("article:1", title=["reset", "password"]),
        row("article:2", title=["password"], body=["reset"]),  # "reset" not in its title
        row("topic:3", title=["change", "email"], body=["reset", "password"]),
        row("article:4", title=["x & y", "'", "a:1"]),
        row("article:5", title=["login", "password"]),
    )
    ids = ["article:1", "article:2", "topic:3", "article:4", "article:5"]
    reset_password = [[("reset", "password")]]
    with engine.connect() as conn:
        assert backend.pair_titles(conn, ids, reset_password, 1) == {"article:1": "reset password"}
        # an alternative per spelling: either one
        either = [[("reset", "password"), ("login", "password")]]
        assert set(backend.pair_titles(conn, ids, either, 1)) == {"article:1", "article:5"}
        # every pair must be met
        both = [[("reset", "password")], [("password", "email")]]
        assert backend.pair_titles(conn, ids, both, 1) == {}
        # tokens are lexemes, never tsquery syntax
        assert set(backend.pair_titles(conn, ids, [[("x & y", "'")], [("'", "a:1")]], 1)) == {
            "article:4"
        }
        # rows of another analyzer version cannot be judged by their tokens: all kept
        assert set(backend.pair_titles(conn, ids, reset_password, 2)) == set(ids)
        # a token PostgreSQL cannot store is not asked about
        too_long = [[("reset", "x" * 3000)]]
        assert set(backend.pair_titles(conn, ids, too_long, 1)) == set(ids)


def test_ranking_every_matched_group_skips_the_shortlist(engine, monkeypatch):
    """When the caller counted fewer matched groups than it asks for (the top-up's all-words
    tier), the first pass could not fill the page: every matched row is scored at once."""
    monkeypatch.setattr(postgres_ranking, "SHORTLIST_ABOVE", 0)  # a small corpus
    write(
        engine,
        row("article:1", title=["invoice"], body=["late"]),
        row("topic:2", title=["billing"], body=["invoice", "late"]),
        *(row(f"topic:{i}", title=["refund"], body=["invoice"]) for i in range(3, 20)),
    )
    runs = []
    run = postgres_ranking._Statement.run

    def spied(self, conn, limit, candidates=""):
        runs.append(candidates)
        return run(self, conn, limit, candidates)

    monkeypatch.setattr(postgres_ranking._Statement, "run", spied)
    node = And((Term("invoice"), Term("late")))
    filters = {"kind": None, "category": None, "exclude": frozenset(), "limit": 3}
    backend = PostgresBackend()
    with engine.connect() as conn:
        counted = backend.ranked(conn, "en", node, **filters, matched=2)
        assert runs == [""]  # one statement over every matched row
        assert counted == backend.ranked(conn, "en", node, **filters)
    assert [g.group_id for g in counted] == ["article:1", "topic:2"]
    assert len(runs) == 3  # without the count: the first pass, then every row
