"""The new-article form shows the URL name a title will get, and leaving it empty uses it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.browser.test_accessibility import sign_in_to
from tests.browser.test_editor_journey import assert_no_axe_violations
from tests.conftest import make_user

EDITOR = ("slug-editor@example.com", "correct horse battery staple")


@pytest.fixture(scope="module")
def slug_editor(live_server) -> tuple[str, str]:
    with live_server.app.app_context():
        make_user(EDITOR[0], EDITOR[1], role="cs_editor", name="Slug Editor")
        db.session.remove()
    return EDITOR


def test_a_japanese_title_gets_a_readable_url_name(new_page, live_server, slug_editor):
    page = new_page(locale="ja-JP")
    sign_in_to(page, *slug_editor, "/editor/articles/new")
    page.wait_for_url("**/editor/articles/new")
    page.locator("#locale").select_option("ja")
    page.locator("#title").press_sequentially("チームのメンバーを招待する方法", delay=20)
    hint = page.locator("#slug-suggestion")
    expect(hint).to_contain_text("chimu-no-menba-o-shoutai-suru-houhou")
    expect(hint).to_have_attribute("aria-live", "polite")
    expect(page.locator("#slug")).to_have_attribute(
        "placeholder", "chimu-no-menba-o-shoutai-suru-houhou"
    )
    assert_no_axe_violations(page, "new article with a suggested URL name (ja)")
    page.locator("#summary").fill("メンバーを招待する手順です。")
    page.locator("#body").fill("**設定 → メンバー** から招待します。")
    page.locator("main form.editor-form button[name=action][value=save]").last.click()
    page.wait_for_url("**/editor/articles/*/edit")
    expect(page.locator("#slug")).to_have_value("chimu-no-menba-o-shoutai-suru-houhou")
    # Typing a name of one's own hides the suggestion.
    page.goto("/editor/articles/new")
    page.locator("#title").fill("Invite your team")
    expect(page.locator("#slug-suggestion")).to_contain_text("invite-your-team-2")
    page.locator("#slug").fill("my-own-name")
    expect(page.locator("#slug-suggestion")).to_be_hidden()
