"""The ask form never types a new question onto an old draft: a draft put back is announced,
and discarding it (by keyboard) leaves a clean form — English and Arabic, light and dark."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import BROWSER_LOCALES
from tests.browser.test_ask_journey import forum_live, sign_up  # noqa: F401
from tests.browser.test_editor_journey import assert_no_axe_violations

OLD, NEW = "Can I get a refund after cancelling", "How do I reset my password"


def notice(page: Page):
    return page.locator("#ask-draft-notice")


@pytest.mark.usefixtures("forum_live")
@pytest.mark.parametrize("locale", ["en", "ar"])
def test_a_restored_draft_is_announced_and_discarded_with_the_keyboard(
    new_page, live_server, locale
):
    page = new_page(locale=BROWSER_LOCALES[locale])
    ask = f"/{locale}/community/ask"
    sign_up(page, "Drafter", ask)
    restored = live_server.gettext(
        locale, "Your unfinished question from earlier was put back into the form."
    )
    discarded = live_server.gettext(locale, "Draft discarded. Write your new question below.")
    expect(notice(page)).to_have_attribute("role", "status")
    page.locator("#title").fill(OLD)
    page.locator("#body").fill("I cancelled yesterday and want my money back.")
    page.locator("#ask-form button[type=submit]").click()  # the preview saves the draft
    page.wait_for_load_state()

    # Later, a new question from a search: the old draft comes back and says so.
    page.goto(f"{ask}?title={NEW.replace(' ', '+')}")
    expect(notice(page)).to_contain_text(restored)
    expect(page.locator("#title")).to_have_value(OLD)  # never OLD + NEW
    assert_no_axe_violations(page, f"ask form with a restored draft ({locale})")
    page.emulate_media(color_scheme="dark")
    assert_no_axe_violations(page, f"ask form with a restored draft ({locale}, dark)")
    page.emulate_media(color_scheme="light")
    notice(page).locator("button").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{ask}?title=*")
    expect(page.locator(".flash-success")).to_have_text(discarded)
    expect(page.locator("#title")).to_have_value(NEW)
    expect(page.locator("#body")).to_have_value("")
    expect(notice(page).locator("p")).to_have_count(0)

    # This tab's unsaved draft (kept while a suggestion is read) is restored by ask.js into
    # the empty form, with the same notice and a button that empties the form.
    page.locator("#title").fill("Export my data")
    page.locator("#body").fill("Where is the export button?")
    page.goto(f"/{locale}/")
    page.goto(ask)
    expect(notice(page)).to_contain_text(restored)
    expect(page.locator("#title")).to_have_value("Export my data")
    button = notice(page).locator("button")
    button.focus()
    page.keyboard.press("Enter")
    expect(notice(page)).to_have_text(discarded)
    expect(page.locator("#title")).to_have_value("")
    expect(page.locator("#body")).to_have_value("")
    expect(page.locator("#title")).to_be_focused()
    page.reload()
    expect(page.locator("#title")).to_have_value("")  # gone from storage too
