"""Fixtures for the search engine tests: small synthetic documents in three languages."""

from __future__ import annotations

import pytest

from search.documents import SearchDocument
from search.index import SearchIndex


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


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    """An in-memory index over CORPUS, shared by a module's read-only tests."""
    ix = SearchIndex.in_memory()
    ix.rebuild(CORPUS)
    return ix


@pytest.fixture
def empty_index() -> SearchIndex:
    """A fresh, empty in-memory index."""
    return SearchIndex.in_memory()
