"""Staff pages for a staff member who chose Arabic or Japanese (issue 18, items 3, 4, 5, 8).

Category names in the filters are translated, the digest mail is in each recipient's
language, Latin titles in Arabic tables are isolated, translated messages are text (the
`<token>` in the tokens page's hint is not markup) and a CSV export has one charset.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import force_locale, gettext

from app.accounts.models import User
from app.extensions import db
from app.kb.models import Category
from tests.insights import test_views
from tests.insights.test_views import MARCH, client_for

month_app = test_views.month_app  # the scripted month, rolled up, one user per role


def speak(app, role: str, locale: str) -> None:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == f"{role}@example.com"))
        user.locale = locale
        db.session.commit()


def name_categories(app) -> None:
    with app.app_context():
        for category in db.session.scalars(sa.select(Category)):
            category.names = {**category.names, "ar": f"قسم {category.slug}", "ja": "請求"}
        db.session.commit()


def test_an_arabic_dashboard_names_categories_in_arabic_and_isolates_latin_titles(month_app):
    name_categories(month_app)
    speak(month_app, "cs_editor", "ar")
    page = client_for(month_app, "cs_editor").get(f"/insights/?{MARCH}").text
    assert '<html lang="ar" dir="rtl">' in page
    assert '<option value="billing">قسم billing</option>' in page
    assert ">Billing<" not in page
    found = re.findall(r'<(?:a|span)\b[^>]*\blang="en"[^>]*>(.*?)</(?:a|span)>', page)
    latin = [text for text in found if text != "English"]  # the language switch names itself
    assert latin, "the scripted month has English articles and topics"
    assert all(text.startswith("<bdi>") for text in latin), latin


def test_the_tokens_hint_is_text_in_every_language_and_a_csv_has_one_charset(month_app):
    client = client_for(month_app, "product")
    for locale in ("en", "ja", "ar"):
        speak(month_app, "product", locale)
        page = client.get("/insights/tokens").text
        assert "Bearer &lt;token&gt;" in page, locale
        assert "/api/v1/insights/&lt;table&gt;" in page, locale
        assert "<token>" not in page and "<table>" not in page, locale
    response = client.get(f"/insights/export/gaps.csv?{MARCH}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_the_digest_is_mailed_in_each_recipients_language(month_app):
    from app.insights.digest import send_digest
    from app.mail import sent_mail

    speak(month_app, "cs_editor", "ar")
    speak(month_app, "product", "ja")
    with month_app.app_context():
        send_digest(7)
        mails = {mail["to"]: mail for mail in sent_mail()}
        for address, locale in [
            ("cs_editor@example.com", "ar"),
            ("product@example.com", "ja"),
            ("admin@example.com", "en"),
        ]:
            with month_app.test_request_context(), force_locale(locale):
                heading = gettext("New content gaps:")
            assert heading in mails[address]["text_body"], (address, mails[address]["text_body"])
        assert mails["cs_editor@example.com"]["subject"].startswith("رؤى مركز المساعدة")
