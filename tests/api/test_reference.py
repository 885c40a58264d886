"""The API reference page: rendered from the document, in every language, linked from the footer."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("locale", "heading"),
    [("en", "API reference"), ("ja", "API リファレンス"), ("ar", "مرجع الواجهة البرمجية")],
)
def test_the_reference_lists_every_operation_of_the_document(client, locale, heading):
    document = client.get("/api/v1/openapi.json").get_json()
    html = client.get(f"/{locale}/developers/api").get_data(as_text=True)
    assert f"<h1>{heading}</h1>" in html
    for path, methods in document["paths"].items():
        for method, spec in methods.items():
            assert f'id="{spec["operationId"]}"' in html
            assert f"{method.upper()} /api/v1{path}" in html
    assert "maxLength: 10000" in html  # the limits are the document's
    assert 'lang="en" dir="ltr"' in html  # the document's English is marked as such
    assert 'href="/api/v1/openapi.json"' in html


@pytest.mark.parametrize(
    ("locale", "says"),
    [
        ("en", "The API's error messages come in the language of the request"),
        ("ja", "同じく英語です。API のエラーメッセージは、リクエストの言語"),
        ("ar", "بالإنجليزية، مثل المستند. أما رسائل الأخطاء في الواجهة البرمجية فتأتي بلغة الطلب"),
    ],
)
def test_the_reference_says_in_its_language_that_the_document_is_english(client, locale, says):
    """The document stays English; the page says so, and that errors follow the request."""
    html = client.get(f"/{locale}/developers/api").get_data(as_text=True)
    assert says in html.replace("&#39;", "'")


@pytest.mark.parametrize("locale", ["en", "ja", "ar"])
def test_the_footer_links_developers_to_the_reference(client, locale):
    html = client.get(f"/{locale}/").get_data(as_text=True)
    footer = html.split('<footer class="site-footer">')[1]
    assert f'href="/{locale}/developers/api"' in footer
