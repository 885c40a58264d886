"""Onboarding milestones and one need across languages, in Chromium, in en, ja and ar:
a milestone CS defines in the page shows which demo customers reached it; the three
"dark mode" searches are one gap with three parts. Axe clean."""

from __future__ import annotations

from importlib.resources import files

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import BROWSER_LOCALES, serve_copy
from tests.browser.test_accessibility import describe, run_axe
from tests.insights.demo_seed import PASSWORD, build_seeded_file

LOCALES = ["en", "ja", "ar"]


@pytest.fixture(scope="module")
def demo_server(demo_db_file, tmp_path_factory):
    """The demo as `dev.py serve` seeds it, served from its own copy."""
    seeded = build_seeded_file(demo_db_file, tmp_path_factory.mktemp("voice-seed"))
    with serve_copy(seeded, tmp_path_factory.mktemp("voice")) as server:
        yield server


@pytest.fixture(scope="module")
def axe_js() -> str:
    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def cs_page(new_page, server, locale: str) -> Page:
    page = new_page(base_url=server.url, locale=BROWSER_LOCALES[locale])
    page.goto("/account/sign-in")
    page.fill("input[name=email]", "cs_editor@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    return page


def assert_axe_clean(page: Page, axe_js: str) -> None:
    violations = run_axe(page, axe_js)
    assert not violations, describe(violations)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_milestone_defined_in_the_page_shows_who_reached_it(
    demo_server, new_page, axe_js, screenshot, locale
):
    page = cs_page(new_page, demo_server, locale)
    assert page.goto("/insights/milestones/").status == 200
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if locale == "ar" else "ltr")
    name = f"Read help ({locale})"
    page.get_by_label(demo_server.gettext(locale, "Milestone name")).fill(name)
    page.get_by_label(demo_server.gettext(locale, "Reached when the customer")).select_option(
        "event:article_view"
    )
    page.get_by_role("button", name=demo_server.gettext(locale, "Add milestone")).click()
    page.wait_for_load_state()
    table = page.locator("table.customer-milestones")
    column = table.locator("thead th").filter(has_text=name)
    expect(column).to_have_count(1)
    index = table.locator("thead th").all_inner_texts().index(name)
    for customer, reached in (("Maya Chen", True), ("Kenji Sato", True), ("Omar Khalil", False)):
        row = table.locator("tbody tr").filter(has=page.get_by_role("link", name=customer))
        cell = row.locator("th, td").nth(index)
        if reached:
            expect(cell).not_to_contain_text("—")
        else:
            expect(cell).to_have_text("—")
    # The demo's own milestones are there too: three customers finished the guide.
    guide = page.locator("table.milestone-table tbody tr").filter(
        has_text="Finished the Set up your workspace guide"
    )
    expect(guide).to_contain_text("3")
    screenshot(page, f"insights-milestones-{locale}")
    assert_axe_clean(page, axe_js)


@pytest.mark.parametrize("locale", LOCALES)
def test_dark_mode_in_three_languages_is_one_gap_with_three_parts(
    demo_server, new_page, axe_js, screenshot, locale
):
    page = cs_page(new_page, demo_server, locale)
    assert page.goto("/insights/needs/").status == 200
    rows = page.locator("tr.need").filter(has_text="ダークモード")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.locator("li.need-part")).to_have_count(3)
    for text in ("dark mode", "ダークモード", "الوضع الداكن"):
        expect(row).to_contain_text(text)
    expect(page.locator("tr.need").filter(has_text="الوضع الداكن")).to_have_count(1)
    screenshot(page, f"insights-needs-{locale}")
    assert_axe_clean(page, axe_js)
