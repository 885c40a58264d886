"""axe-core finds nothing on the main pages, in every shipped language and both directions."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import BROWSER_LOCALES

LOCALES = ["en", "ja", "ar"]


def vote_no(page: Page) -> None:
    """The feedback form with reasons and a comment box appears after a "No"."""
    page.locator("section#feedback button[name=helpful][value=no]").click()
    expect(page.locator("form.feedback-details")).to_be_visible()


def tick_first_step(page: Page) -> None:
    """A guide with one step done shows both button states and the progress bar."""
    page.locator("li.step button.step-toggle").first.click()
    expect(page.locator("li.step").first).to_have_attribute("class", "step step-done")


PAGES: dict[str, tuple[str, Callable[[Page], None] | None]] = {
    "home": ("/{locale}/", None),
    "category": ("/{locale}/categories/getting-started", None),
    "faq": ("/{locale}/articles/reset-your-password", None),
    "faq-feedback-form": ("/{locale}/articles/cannot-upload-files", vote_no),
    "guide": ("/{locale}/articles/set-up-your-workspace", tick_first_step),
    "not-found": ("/{locale}/articles/no-such-article", None),
    "sign-in": ("/account/sign-in", None),  # no locale in the URL: Accept-Language decides
}


@pytest.fixture(scope="session")
def axe_source() -> str:
    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def run_axe(page: Page, axe_source: str) -> list[dict]:
    # The site's CSP forbids inline <script>, so define axe through the DevTools protocol.
    page.evaluate(axe_source)
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return results["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        rule, impact = violation["id"], violation["impact"]
        lines.append(f"{rule} [{impact}] {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            target = " ".join(
                " > ".join(part) if isinstance(part, list) else part for part in node["target"]
            )
            summary = node.get("failureSummary", "").replace("\n", "\n        ")
            lines.append(f"    {target}\n        {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("locale", LOCALES)
def test_page_has_no_axe_violations(new_page, browser_errors, axe_source, locale: str, name: str):
    path, prepare = PAGES[name]
    page = new_page(locale=BROWSER_LOCALES[locale])
    if name == "not-found":
        browser_errors.allow(r"status of 404")
    response = page.goto(path.format(locale=locale))
    assert response is not None
    assert response.status == (404 if name == "not-found" else 200)
    expect(page.locator("html")).to_have_attribute("lang", locale)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if locale == "ar" else "ltr")
    if prepare is not None:
        prepare(page)

    violations = run_axe(page, axe_source)

    if violations:
        report = describe(violations)
        print(f"axe violations on {name} ({locale}):\n{report}")
        pytest.fail(f"{len(violations)} axe violation(s) on {name} ({locale}):\n{report}")
