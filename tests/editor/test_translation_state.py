"""Translation state after imports: outdated only when the source changed after the translation."""

import shutil

from sqlalchemy import select

from app.editor.translations import translation_dashboard
from app.extensions import db
from app.kb.content_sync import import_content
from app.kb.models import Article
from tests.conftest import CONTENT_DIR

ARTICLE = "account-and-sign-in/reset-your-password.md"


def outdated_by_locale() -> dict[str, list[str]]:
    return {r.locale: sorted(t.slug for t, _s in r.outdated) for r in translation_dashboard()}


def test_fresh_import_of_the_demo_content_marks_nothing_out_of_date(demo_app):
    reports = {r.locale: r for r in translation_dashboard()}
    assert {locale: (r.outdated, r.missing) for locale, r in reports.items()} == {
        "ja": ([], []),
        "ar": ([], []),
    }
    assert reports["ar"].current == reports["ja"].current == 30


def test_source_change_makes_translations_outdated_until_they_change_too(demo_app, tmp_path):
    tree = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, tree)
    source = tree / "en" / ARTICLE
    source.write_text(source.read_text() + "\nOne more sentence.\n", encoding="utf-8")
    report = import_content(tree, tuple(demo_app.config["LOCALES"]))
    assert report.updated == [f"en/{ARTICLE}"]
    assert outdated_by_locale() == {"ja": ["reset-your-password"], "ar": ["reset-your-password"]}

    arabic = tree / "ar" / ARTICLE
    arabic.write_text(arabic.read_text() + "\nجملة أخرى.\n", encoding="utf-8")
    import_content(tree, tuple(demo_app.config["LOCALES"]))
    assert outdated_by_locale() == {"ja": ["reset-your-password"], "ar": []}
    assert import_content(tree, tuple(demo_app.config["LOCALES"])).counts()["updated"] == 0
    assert outdated_by_locale() == {"ja": ["reset-your-password"], "ar": []}


def test_reimport_fixes_translations_an_older_version_left_untracked(demo_app, tmp_path):
    tree = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, tree)
    for article in db.session.scalars(select(Article)):
        article.source_revision = None  # as an install imported before this fix
    db.session.commit()
    source = tree / "en" / ARTICLE
    source.write_text(source.read_text() + "\nOne more sentence.\n", encoding="utf-8")
    import_content(tree, tuple(demo_app.config["LOCALES"]))
    assert outdated_by_locale() == {"ja": ["reset-your-password"], "ar": ["reset-your-password"]}
