"""`flask content import/export` on SQLite and PostgreSQL."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.kb.content_sync import export_content, import_content
from app.kb.models import Article

LOCALES = ("en", "ja", "ar")
CATEGORIES = """- slug: billing
  position: 1
  name: {en: Billing, ja: 請求, ar: الفوترة}
  description: {en: Money., ja: お金。, ar: المال.}
"""


def article_text(title="Download invoices", body="## Where\n\nSettings → Billing.", extra=""):
    return (
        f"---\ntitle: {title}\ntranslation_key: download-invoices\nkind: faq\n"
        f"summary: Find every invoice.\ntags: [invoice]\n{extra}---\n{body}\n"
    )


@pytest.fixture
def tree(tmp_path) -> Path:
    root = tmp_path / "content"
    (root / "en" / "billing").mkdir(parents=True)
    (root / "ja" / "billing").mkdir(parents=True)
    (root / "categories.yml").write_text(CATEGORIES, encoding="utf-8")
    (root / "README.md").write_text("docs, not an article", encoding="utf-8")
    (root / "en" / "billing" / "download-invoices.md").write_text(article_text(), encoding="utf-8")
    (root / "ja" / "billing" / "download-invoices.md").write_text(
        article_text(title="請求書をダウンロードする", body="## 場所\n\n設定 → 請求"),
        encoding="utf-8",
    )
    return root


def articles():
    return {(a.locale, a.slug): a for a in db.session.scalars(select(Article))}


def test_import_is_idempotent_and_tracks_changes(any_db_app, tree):
    first = import_content(tree, LOCALES)
    assert first.counts() == {
        "added": 2,
        "updated": 0,
        "unchanged": 0,
        "archived": 0,
        "failed": 0,
        "conflicts": 0,
        "kept": 0,
        "rerendered": 0,
    }
    assert import_content(tree, LOCALES).counts()["unchanged"] == 2

    (tree / "en" / "billing" / "download-invoices.md").write_text(
        article_text(body="## Where\n\nSettings → Billing → Invoice history."), encoding="utf-8"
    )
    third = import_content(tree, LOCALES)
    assert third.updated == ["en/billing/download-invoices.md"]
    article = articles()[("en", "download-invoices")]
    assert "Invoice history" in article.body_html
    assert [r.number for r in article.revisions] == [1, 2]
    assert article.revisions[-1].changed_fields == ["body"]


def test_missing_file_archives_and_never_deletes(any_db_app, tree):
    import_content(tree, LOCALES)
    (tree / "ja" / "billing" / "download-invoices.md").unlink()
    report = import_content(tree, LOCALES)
    assert report.archived == ["ja/billing/download-invoices.md"]
    assert articles()[("ja", "download-invoices")].status == "archived"
    assert import_content(tree, LOCALES).counts()["archived"] == 0


def test_broken_files_are_reported_and_the_rest_import(any_db_app, tree):
    (tree / "en" / "billing" / "broken.md").write_text("---\ntitle: [oops\n---\n", encoding="utf-8")
    (tree / "en" / "nowhere").mkdir()
    (tree / "en" / "nowhere" / "lost.md").write_text(article_text(), encoding="utf-8")
    report = import_content(tree, LOCALES)
    failed = dict(report.failed)
    assert "not valid YAML" in failed["en/billing/broken.md"]
    assert "unknown category 'nowhere'" in failed["en/nowhere/lost.md"]
    assert len(report.added) == 2


def test_import_export_import_changes_nothing(any_db_app, tree, tmp_path):
    import_content(tree, LOCALES)
    exported = tmp_path / "exported"
    assert export_content(exported) == 2
    assert import_content(exported, LOCALES).counts()["unchanged"] == 2
    assert import_content(tree, LOCALES).counts()["unchanged"] == 2


def test_cli_reports_counts_and_fails_on_broken_file(any_db_app, tree):
    runner = any_db_app.test_cli_runner()
    result = runner.invoke(args=["content", "import", str(tree)])
    assert result.exit_code == 0, result.output
    assert "added 2, updated 0, unchanged 0, archived 0, failed 0" in result.output
    (tree / "en" / "billing" / "bad.md").write_text("---\nkind: faq\n---\n", encoding="utf-8")
    result = runner.invoke(args=["content", "import", str(tree)])
    assert result.exit_code == 1
    assert "en/billing/bad.md" in result.output and "missing front matter" in result.output
    assert "unchanged 2" in result.output


def test_demo_content_round_trips(demo_app, tmp_path):
    # demo_app: the demo content imported once per run (tests/conftest.py, with report.ok)
    out = tmp_path / "out"
    export_content(out)
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    report = import_content(copy, LOCALES)
    assert report.counts()["unchanged"] == len(articles()) and report.ok


def test_import_and_rerender_refresh_html_a_newer_renderer_would_change(any_db_app, tree):
    import_content(tree, LOCALES)
    article = articles()[("en", "download-invoices")]
    fresh_html, revisions = article.body_html, len(article.revisions)
    article.body_html = "<p>stored by an older renderer</p>"
    db.session.commit()
    report = import_content(tree, LOCALES)
    assert report.rerendered == ["en/billing/download-invoices.md"]
    assert report.counts()["unchanged"] == 2
    assert articles()[("en", "download-invoices")].body_html == fresh_html
    assert len(articles()[("en", "download-invoices")].revisions) == revisions

    articles()[("en", "download-invoices")].body_html = "<p>stale</p>"
    db.session.commit()
    result = any_db_app.test_cli_runner().invoke(args=["content", "rerender"])
    assert result.exit_code == 0 and "articles re-rendered: 1" in result.output
    db.session.expire_all()
    assert articles()[("en", "download-invoices")].body_html == fresh_html
