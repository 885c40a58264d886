"""Synonyms shipped as content: `content/synonyms.yml` in and out with `flask content`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.site_search.models import Synonym
from app.site_search.synonym_files import SYNONYMS_FILE, read_synonym_groups

LOCALES = ("en", "ja", "ar")


def groups_in_db() -> dict[tuple[str, str], list[str]]:
    return {(s.locale, s.term): s.synonyms for s in db.session.scalars(select(Synonym))}


@pytest.fixture
def content(app, tmp_path) -> Path:
    """The demo's categories and synonyms, without its articles (importing those is slow)."""
    root = tmp_path / "content"
    root.mkdir()
    for name in ("categories.yml", SYNONYMS_FILE):
        shutil.copy(Path(app.config["CONTENT_DIR"]) / name, root / name)
    return root


def test_import_adds_the_shipped_groups_once_and_keeps_edits(app, content):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["content", "import", str(content)])
    assert result.exit_code == 0, result.output
    shipped = read_synonym_groups(content / SYNONYMS_FILE, LOCALES)
    count = sum(len(groups) for groups in shipped.values())
    assert f"synonym groups: added {count}, kept 0" in result.output
    assert groups_in_db()[("en", "2fa")] == ["two-factor", "mfa"]
    assert groups_in_db()[("ja", "請求書")] == ["インボイス"]

    # CS edits a group in the browser; the next import keeps the edit.
    row = db.session.scalar(select(Synonym).filter_by(locale="en", term="2fa"))
    row.synonyms = ["two-factor", "mfa", "otp"]
    db.session.commit()
    result = runner.invoke(args=["content", "import", str(content)])
    assert f"synonym groups: added 0, kept {count}" in result.output
    assert groups_in_db()[("en", "2fa")] == ["two-factor", "mfa", "otp"]


def test_export_writes_the_database_back_and_it_reads_the_same(app, content, tmp_path):
    runner = app.test_cli_runner()
    runner.invoke(args=["content", "import", str(content)])
    db.session.add(Synonym(locale="ar", term="فاتورة", synonyms=["إيصال"]))
    db.session.commit()
    out = tmp_path / "out"
    result = runner.invoke(args=["content", "export", str(out)])
    assert result.exit_code == 0, result.output
    exported = read_synonym_groups(out / SYNONYMS_FILE, LOCALES)
    assert {(loc, g[0]): g[1:] for loc, groups in exported.items() for g in groups} == (
        groups_in_db()
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("en: [oops", "not valid YAML"),
        ("- [a, b]", "expected a mapping"),
        ("xx:\n  - [a, b]", "unknown locale"),
        ("en: 2fa", "expected a list of groups"),
        ("en:\n  - lonely", "expected a list of words"),
        ("en:\n  - [same, Same]", "needs 2 to 21 different words"),
        ("en:\n  - [ok, " + "x" * 81 + "]", "over 80"),
    ],
)
def test_a_broken_synonyms_file_fails_clearly_and_adds_nothing(app, content, text, message):
    (content / SYNONYMS_FILE).write_text(text, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["content", "import", str(content)])
    assert result.exit_code == 1
    assert f"FAILED {SYNONYMS_FILE}" in result.output and message in result.output
    assert groups_in_db() == {}


def test_shipped_synonyms_reach_search(app):
    from app.site_search.services import SearchRequest, run_search

    app.test_cli_runner().invoke(args=["content", "import", app.config["CONTENT_DIR"]])
    results = run_search(SearchRequest(text="mfa", locale="en"))
    assert "turn-on-two-factor-authentication" in [h.url.rsplit("/", 1)[-1] for h in results.hits]
