"""URL names made from titles: transliterated (ja by reading, ar by letters), unique."""

from __future__ import annotations

from app.editor.slugs import slugify, suggest_slug
from tests.conftest import csrf_token_from
from tests.editor.conftest import article


def test_titles_in_every_language_become_ascii_url_names():
    assert slugify("How do I reset my password?") == "how-do-i-reset-my-password"
    assert slugify("パスワードを再設定する方法", locale="ja") == "pasuwado-o-saisettei-suru-houhou"
    assert slugify("請求書をダウンロードする") == "seikyuusho-o-daunrodo-suru"
    assert slugify("2段階認証を有効にする", locale="ja") == "2-dankai-ninshou-o-yuukou-ni-suru"
    assert slugify("كيف أسترد أموالي بعد الإلغاء؟", locale="ar") == "kyf-astrd-amwaly-bd-alalgha"
    assert slugify("Café crème") == "cafe-creme"
    assert slugify("!!! ???", "fallback") == "fallback"
    assert len(slugify("word " * 60)) <= 80


def test_taken_names_get_a_number_in_that_language_only(demo_app):
    renamed = article("ja", "reset-your-password")
    renamed.slug = "reset-your-password-2"
    assert suggest_slug("Reset your password", "en") == "reset-your-password-2"
    assert suggest_slug("Reset your password", "ja") == "reset-your-password"
    assert suggest_slug("Reset your password", "ar") == "reset-your-password-2"


def new_article(client, **values):
    token = csrf_token_from(client.get("/editor/articles/new").text)
    data = {
        "csrf_token": token,
        "locale": "en",
        "title": "Export to CSV",
        "summary": "Download any list as a CSV file.",
        "category": "data-and-privacy",
        "kind": "faq",
        "slug": "",
        "body": "Open the list and choose **Export**.",
        "action": "save",
        **values,
    }
    return client.post("/editor/articles/new", data=data)


def test_an_empty_url_name_is_made_from_the_title(editor_client):
    assert new_article(editor_client).status_code == 303
    assert article("en", "export-to-csv").title == "Export to CSV"
    again = new_article(editor_client)  # the same title again: a numbered name, not a 400
    assert again.status_code == 303
    assert article("en", "export-to-csv-2").title == "Export to CSV"
    japanese = new_article(editor_client, locale="ja", title="請求書をダウンロードする")
    assert japanese.status_code == 303
    assert article("ja", "seikyuusho-o-daunrodo-suru").locale == "ja"
    typed = new_article(editor_client, title="Another", slug="my-own-name")
    assert typed.status_code == 303 and article("en", "my-own-name").title == "Another"


def test_the_editor_previews_the_generated_name(editor_client, demo_app):
    preview = editor_client.get("/editor/slug?title=Reset+your+password&locale=en").get_json()
    assert preview == {"slug": "reset-your-password-2"}
    translation = editor_client.get(f"/editor/slug?title=!!&locale=ja&source={article().id}")
    assert translation.get_json()["slug"] == "reset-your-password-2"  # the source's name
    arabic = editor_client.get("/editor/slug", query_string={"title": "الفواتير", "locale": "ar"})
    assert arabic.get_json()["slug"] == "alfwatyr"
    assert demo_app.test_client().get("/editor/slug?title=x").status_code in (302, 303, 401, 403)
