"""Surveys in Chromium, in en, ja and ar: a customer answers NPS and CSAT with the keyboard and
the mouse, staff see both on the customer-voice page; axe finds nothing on either page."""

from __future__ import annotations

from importlib.resources import files

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from tests.browser.conftest import BROWSER_LOCALES
from tests.browser.test_accessibility import describe, expect_language, run_axe

PASSWORD = "correct horse battery"
ARTICLE = "change-your-plan"


@pytest.fixture(scope="module")
def axe_js() -> str:
    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def survey_people(live_server):
    from app.accounts.models import User

    with live_server.app.app_context():
        for email, role in [
            ("survey-en@example.com", "customer"),
            ("survey-ja@example.com", "customer"),
            ("survey-ar@example.com", "customer"),
            ("survey-staff@example.com", "product"),
        ]:
            if db.session.query(User).filter_by(email=email).first() is None:
                user = User(email=email, display_name=email.split("@")[0], role=role)
                user.set_password(PASSWORD)
                db.session.add(user)
        db.session.commit()
        db.session.remove()
    return live_server


def sign_in(page: Page, email: str) -> None:
    page.goto("/account/sign-in")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["en", "ja", "ar"])
def test_customer_answers_nps_and_csat_staff_see_them(
    survey_people, new_page, locale, axe_js, screenshot
):
    server = survey_people
    t = lambda message, **kw: server.gettext(locale, message, **kw)  # noqa: E731
    page = new_page(locale=BROWSER_LOCALES[locale])
    sign_in(page, f"survey-{locale}@example.com")
    page.goto(f"/{locale}/articles/{ARTICLE}")
    expect_language(page, locale)
    survey = page.locator("section.survey")
    legend = t("How likely are you to recommend Planwise to a friend or colleague?")
    expect(survey.locator("fieldset legend")).to_have_text(legend)
    expect(page.get_by_role("group", name=legend)).to_be_visible()
    violations = run_axe(page, axe_js)
    assert not violations, describe(violations)
    screenshot(page, f"survey-nps-{locale}")
    # the keyboard: into the radio group, then arrow keys pick the score
    page.locator("#survey-score-8").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#survey-score-9")).to_be_checked()
    page.get_by_label(t("What is the main reason for your score? (optional)")).fill(
        f"Clear guides ({locale}) — mail me at someone@example.com"
    )
    page.get_by_role("button", name=t("Send answer")).click()
    expect(survey.locator("[data-survey-status]")).to_have_text(t("Thank you for your answer."))
    # CSAT after marking the article helpful (this form posts without script help)
    page.reload()
    expect(page.locator("section.survey")).to_have_count(0)
    page.locator("form.vote-form button[value=yes]").click()
    page.wait_for_load_state()
    csat = t("How satisfied are you with the help you got?")
    expect(page.get_by_role("group", name=csat)).to_be_visible()
    page.locator("label[for=survey-score-4]").click()
    page.get_by_role("button", name=t("Send answer")).click()
    expect(page.locator("[data-survey-status]")).to_have_text(t("Thank you for your answer."))
    stored = server.query(
        "SELECT kind, score, comment FROM survey_response r JOIN account_user u"
        " ON u.id = r.user_id WHERE u.email = ? AND state = 'answered' ORDER BY r.id",
        (f"survey-{locale}@example.com",),
    )
    assert stored == [
        ("nps", 9, f"Clear guides ({locale}) — mail me at [email]"),
        ("csat", 4, None),
    ]

    staff = new_page(locale=BROWSER_LOCALES[locale])
    sign_in(staff, "survey-staff@example.com")
    staff.goto(f"/insights/voice?locale={locale}")
    expect(staff.locator("[data-nps]")).to_have_text("100")
    expect(staff.locator("[data-csat]")).to_contain_text("100")
    expect(staff.locator(".verbatims").first).to_contain_text(f"Clear guides ({locale})")
    expect(staff.locator(".verbatims").first).to_contain_text("[email]")
    screenshot(staff, f"survey-dashboard-{locale}")
    violations = run_axe(staff, axe_js)
    assert not violations, describe(violations)
