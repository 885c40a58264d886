"""Attachments in Chromium: an editor attaches a file to an Arabic and a Japanese article; readers
see it under the article (light, dark, printed) and download it with safe headers."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from tests.browser.conftest import BROWSER_LOCALES
from tests.browser.test_accessibility import sign_in_to
from tests.browser.test_editor_journey import assert_no_axe_violations
from tests.conftest import make_user

EDITOR = ("attach-editor@example.com", "correct horse battery staple")
ARTICLE = "download-invoices-and-receipts"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + b"%" * 4000
FILES = {"ar": "نموذج الفاتورة.pdf", "ja": "請求書の見本.pdf"}


@pytest.fixture(scope="module")
def attach_editor(live_server) -> tuple[str, str]:
    with live_server.app.app_context():
        make_user(EDITOR[0], EDITOR[1], role="cs_editor", name="Attach Editor")
        db.session.remove()
    return EDITOR


def attach(page: Page, live_server, locale: str) -> None:
    [(article_id,)] = live_server.query(
        "SELECT id FROM kb_article WHERE locale = ? AND slug = ?", (locale, ARTICLE)
    )
    page.goto(f"/editor/articles/{article_id}/edit")
    page.locator(f"a[href='/editor/articles/{article_id}/attachments']").click()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": FILES[locale], "mimeType": "application/octet-stream", "buffer": PDF}]
    )
    page.locator("main form[enctype] button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".attachment-table")).to_contain_text(FILES[locale])


@pytest.mark.parametrize("locale", ["ar", "ja"])
def test_attached_files_are_listed_downloaded_printed_and_dark(
    new_page, live_server, attach_editor, browser_errors, locale, screenshot
):
    browser_errors.allow(r"status of 400")  # the refused upload below
    editor = new_page(locale=BROWSER_LOCALES[locale])
    sign_in_to(editor, *attach_editor, "/editor/")
    editor.wait_for_url("**/editor/")
    attach(editor, live_server, locale)
    assert_no_axe_violations(editor, f"attachments page ({locale})")
    # A wrong type is refused with the reason next to the field, nothing stored.
    editor.locator("input[type=file]").set_input_files(
        files=[{"name": "setup.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" * 40}]
    )
    editor.locator("main form[enctype] button[type=submit]").click()
    expect(editor.locator("#file-errors")).to_be_visible()
    expect(editor.locator("#file")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(editor, f"attachments page with an error ({locale})")

    reader = new_page(locale=BROWSER_LOCALES[locale], color_scheme="dark")
    reader.goto(f"/{locale}/articles/{ARTICLE}")
    files = reader.locator("section.attachments")
    expect(files.locator("a")).to_have_text(FILES[locale])
    expect(files).to_contain_text(live_server.gettext(locale, "PDF document"))
    expect(files).to_contain_text(live_server.gettext(locale, "%(size)s KB", size="4"))
    files.scroll_into_view_if_needed()
    screenshot(reader, f"attachments-dark-{locale}")
    assert_no_axe_violations(reader, f"article with attachments ({locale}, dark)")
    reader.emulate_media(color_scheme="light")
    assert_no_axe_violations(reader, f"article with attachments ({locale})")
    reader.emulate_media(media="print")
    expect(files).to_be_visible()
    expect(reader.locator("#feedback")).to_be_hidden()
    screenshot(reader, f"attachments-print-{locale}")

    href = files.locator("a").get_attribute("href")
    download = reader.request.get(href)
    assert download.ok and download.body() == PDF
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-type"] == "application/pdf"
