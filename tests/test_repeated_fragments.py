"""The parts every page repeats (head links, brand, search box, footer) render once per locale."""

from __future__ import annotations

import re

from flask import template_rendered

from tests.conftest import make_user, sign_in

REPEATED = {"_site_head.html", "_site_brand.html", "_site_header_search.html", "_site_footer.html"}


def rendered_partials(app, client, *paths):
    seen = []

    def record(_sender, template, **_extra):
        seen.append(template.name)

    with template_rendered.connected_to(record, app):
        pages = [client.get(path).get_data(as_text=True) for path in paths]
    return [name for name in seen if name in REPEATED], pages


def test_repeated_parts_render_once_per_locale_and_stay_in_its_language(demo_app, demo_client):
    paths = [
        "/en/articles/change-your-email-address",
        "/en/categories/account-and-sign-in",
        "/ar/categories/account-and-sign-in",
        "/ar/articles/change-your-email-address",
    ]
    partials, pages = rendered_partials(demo_app, demo_client, *paths)
    assert sorted(partials) == sorted([*REPEATED, *REPEATED])  # the first page of each locale
    assert all(page.count('class="header-search"') == 1 for page in pages)
    assert all('href="/en/feed.atom"' in page for page in pages[:2])
    assert all('href="/ar/feed.atom"' in page for page in pages[2:])


def test_a_signed_in_visitor_gets_a_search_box_with_their_own_token(demo_app, demo_client):
    demo_client.get("/en/articles/change-your-email-address")  # an anonymous copy is kept
    make_user()
    sign_in(demo_client)
    partials, [html] = rendered_partials(
        demo_app, demo_client, "/en/articles/change-your-email-address"
    )
    token = re.search(r'id="header-q"[^>]*data-csrf="([^"]*)"', html, re.S).group(1)
    assert token  # never the anonymous copy's empty token
    assert partials == []  # the kept search box, with the reader's token written in


def test_kept_dates_stay_in_the_language_of_the_page(app):
    """Dates are written once per language (app/templating.py), never in another's."""
    from datetime import datetime

    moment = datetime(2024, 5, 6, 7, 8, 9)
    page = "{{ moment|datetime }} / {{ moment.date()|date }}"
    written = []
    for locale in ("en", "ja", "en", "ja"):
        with app.app_context(), app.test_request_context(f"/{locale}/"):
            app.preprocess_request()
            written.append(app.jinja_env.from_string(page).render(moment=moment))
    assert written[0] == written[2] == "May 6, 2024, 7:08:09\u202fAM / May 6, 2024"
    assert written[1] == written[3] == "2024/05/06 7:08:09 / 2024/05/06"
