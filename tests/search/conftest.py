"""Fixtures for the search engine tests: small synthetic documents in three languages, searched
in a database of each backend (``BACKENDS``; SQLite here)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from search.backends import backend_for
from search.documents import SearchDocument
from search.query import SearchQuery
from search.results import SearchResults, Suggestion
from search.store import DEFAULT_LOCALES, SearchStore
from tests.conftest import POSTGRES_URL, drop_postgres_schema, reset_postgres_schema


def make_doc(doc_id: str, title: str, body: str = "", **overrides) -> SearchDocument:
    """A document with sensible defaults; the type comes from the doc_id prefix."""
    doc_type = doc_id.split(":")[0]
    values = {
        "doc_id": doc_id,
        "type": doc_type,
        "locale": "en",
        "kind": "topic" if doc_type == "topic" else "faq",
        "category": "general",
        "title": title,
        "summary": "",
        "body": body,
        "tags": [],
        "url": f"/{doc_id.replace(':', '/')}",
    }
    values.update(overrides)
    return SearchDocument(**values)


CORPUS = [
    make_doc(
        "article:1",
        "How do I reset my password?",
        "Open the sign-in page and choose Forgot password. We email a reset link "
        "that is valid for one hour. <script>alert('x')</script> is not run.",
        category="account",
        summary="Request a reset link from the sign-in page.",
        tags=["password", "sign-in"],
    ),
    make_doc(
        "article:2",
        "Download invoices and receipts",
        "Go to Settings → Billing to download each invoice as a PDF. Receipts are emailed "
        "to the billing contact after every payment.",
        category="billing",
        summary="Get PDF invoices for your billing history.",
        tags=["invoice", "receipt", "billing"],
    ),
    make_doc(
        "article:3",
        "Turn on two-factor authentication",
        "Protect your account with a verification code from an authenticator app. "
        "Go to Settings → Security → Two-factor authentication.",
        category="account",
        kind="guide",
        tags=["security"],
    ),
    make_doc(
        "topic:10",
        "Charged twice on my bill",
        "I was billed twice this month. Who can help me with this bill?",
        category="billing",
        solved=True,
    ),
    make_doc(
        "topic:11",
        "Timer stops when the laptop sleeps",
        "The desktop timer stops tracking time when my laptop goes to sleep.",
        category="time-tracking",
    ),
    make_doc(
        "topic:12",
        "Link expired before I could reset",
        "The link in the email expired. Can the reset window be longer than one hour?",
        category="account",
    ),
    make_doc(
        "article:20",
        "パスワードを再設定するには",
        "ﾊﾟｽﾜｰﾄﾞを忘れた場合は、ログイン画面で「パスワードをお忘れですか」を選びます。"
        "パスワードはいつでも変更できます。",
        locale="ja",
        category="account",
        summary="ログイン画面から再設定リンクを受け取ります。",
        tags=["パスワード", "ログイン"],
    ),
    make_doc(
        "article:21",
        "請求書をダウンロードする",
        "設定 → 支払い から請求書と領収書をPDFでダウンロードできます。",
        locale="ja",
        category="billing",
        tags=["請求書", "領収書"],
    ),
    make_doc(
        "article:22",
        "二段階認証を有効にする",
        "設定 → セキュリティ から2FAを有効にします。認証アプリのコードを入力してください。",
        locale="ja",
        category="account",
        kind="guide",
    ),
    make_doc(
        "article:30",
        "كيف أعيد تعيين كلمة المرور؟",
        "افتح صفحة تسجيل الدخول واضغط على نسيت كلمة المرور. يصلك رابط صالح لمدة ساعة.",
        locale="ar",
        category="account",
        tags=["كلمة المرور"],
    ),
    make_doc(
        "article:31",
        "تنزيل الفواتير والإيصالات",
        "من الإعدادات ← الفوترة يمكنك تنزيل كل فاتورة بصيغة PDF.",
        locale="ar",
        category="billing",
    ),
]


@pytest.fixture(name="make_doc")
def make_doc_fixture():
    """The :func:`make_doc` helper, for tests that build their own documents."""
    return make_doc


class SearchDatabase:
    """A database with the search tables and a store over it; each call is its own transaction."""

    def __init__(self, engine: sa.Engine, locales: Iterable[str] = DEFAULT_LOCALES) -> None:
        self.engine = engine
        self.store = SearchStore(backend_for(engine), locales)
        with engine.begin() as conn:
            self.store.create_schema(conn)

    def add_or_update(self, doc: SearchDocument) -> None:
        self.add_or_update_many([doc])

    def add_or_update_many(self, docs: Iterable[SearchDocument]) -> None:
        with self.engine.begin() as conn:
            self.store.write(conn, docs)

    def remove(self, doc_id: str) -> None:
        with self.engine.begin() as conn:
            self.store.remove(conn, [doc_id])

    def search(self, q: SearchQuery) -> SearchResults:
        with self.engine.connect() as conn:
            return self.store.search(conn, q)

    def count(self, q: SearchQuery) -> int:
        with self.engine.connect() as conn:
            return self.store.count(conn, q)

    def suggest(self, text: str, locale: str, limit: int = 6) -> list[Suggestion]:
        with self.engine.connect() as conn:
            return self.store.suggest(conn, text, locale, limit)

    def doc_count(self, locale: str | None = None) -> int:
        with self.engine.connect() as conn:
            return self.store.doc_count(conn, locale)


BACKENDS = ["sqlite", "postgresql"]
"""The databases every search test runs on."""


def sqlite_memory_engine() -> sa.Engine:
    """One in-memory SQLite database shared by every connection of the engine."""
    return sa.create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )


@contextmanager
def new_engine(backend: str, postgres_url: str | None = None) -> Iterator[sa.Engine]:
    """A fresh, empty database of the backend's kind, dropped afterwards.

    PostgreSQL: a private schema on the test server (tests/conftest.py), or the emptied
    schema at `postgres_url` (tests/conftest.py's `postgres_schemas`), kept.
    """
    if backend == "sqlite":
        engine = sqlite_memory_engine()
        try:
            yield engine
        finally:
            engine.dispose()
        return
    if backend != "postgresql":
        raise ValueError(f"no test database for {backend!r}")
    if postgres_url is not None:
        engine = sa.create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://"))
        try:
            yield engine
        finally:
            engine.dispose()
        return
    url, schema = reset_postgres_schema(POSTGRES_URL)
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        yield engine
    finally:
        engine.dispose()
        drop_postgres_schema(POSTGRES_URL, schema)


@pytest.fixture(scope="module", params=BACKENDS)
def index(request) -> Iterator[SearchDatabase]:
    """CORPUS indexed in a database per module and backend, shared by read-only tests."""
    with new_engine(request.param) as engine:
        database = SearchDatabase(engine)
        database.add_or_update_many(CORPUS)
        yield database


@pytest.fixture(params=BACKENDS)
def empty_index(request, postgres_schemas) -> Iterator[SearchDatabase]:
    """A fresh, empty database with the search tables, per test and backend."""
    url = postgres_schemas.emptied() if request.param == "postgresql" else None
    with new_engine(request.param, url) as engine:
        yield SearchDatabase(engine)
