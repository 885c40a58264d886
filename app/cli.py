"""Flask commands: `flask content import|export|relate`, `flask users create`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.editor.errors import EditorError
from app.editor.media import import_image
from app.extensions import db
from app.kb.content_docs import DocsReport, count_pages, import_docs
from app.kb.content_docs_layout import find_docs_root, locale_sets
from app.kb.content_render import rerender_articles
from app.kb.content_sync import article_files, export_content, import_content
from app.kb.related import rebuild_all
from app.site_search.synonym_files import (
    SYNONYMS_FILE,
    SynonymFileError,
    format_synonyms,
    import_synonyms,
    read_synonym_groups,
)

content_cli = AppGroup("content", help="Load content/ into the database and write it back.")


def _content_root(path: str | None) -> Path:
    return Path(path or current_app.config["CONTENT_DIR"]).resolve()


@content_cli.command("import")
@click.argument("path", required=False, type=click.Path(file_okay=False))
def import_command(path: str | None) -> None:
    """Import Markdown articles and synonyms.yml from PATH (default: the content folder)."""
    root = _content_root(path)
    if not root.is_dir():
        raise click.ClickException(f"{root} is not a folder")
    total = len(article_files(root))
    with click.progressbar(length=total, label="Importing", show_pos=True, file=None) as bar:
        report = import_content(
            root, tuple(current_app.config["LOCALES"]), lambda _p: bar.update(1)
        )
    for relative, reason in report.failed:
        click.secho(f"FAILED {relative}: {reason}", fg="red", err=True)
    for relative in report.conflicts:
        click.secho(
            f"CONFLICT {relative}: the file and the database both changed since the last sync;"
            " nothing was overwritten",
            fg="yellow",
            err=True,
        )
    for relative in report.kept:
        click.echo(f"kept {relative}: edited in the browser since the last sync (export it)")
    for relative in report.archived:
        click.echo(f"archived {relative}")
    counts = report.counts()
    click.echo(", ".join(f"{name} {count}" for name, count in counts.items()))
    try:
        groups = read_synonym_groups(root / SYNONYMS_FILE, tuple(current_app.config["LOCALES"]))
    except SynonymFileError as error:
        click.secho(f"FAILED {SYNONYMS_FILE}: {error}", fg="red", err=True)
        raise SystemExit(1) from None
    synonyms = import_synonyms(groups)
    db.session.commit()
    click.echo(f"synonym groups: added {len(synonyms.added)}, kept {len(synonyms.kept)}")
    if not report.ok:
        raise SystemExit(1)


def store_docs_image(data: bytes, filename: str) -> str:
    """The docs import's way into the editor's media store; returns the image's URL."""
    try:
        media = import_image(data, filename)
    except EditorError as error:
        raise ValueError(error.message) from None
    db.session.flush()
    return f"/media/{media.name}"


def _print_docs_report(locale: str, report: DocsReport) -> None:
    for relative, reason in report.failed:
        click.secho(f"FAILED {relative}: {reason}", fg="red", err=True)
    for relative in report.kept:
        click.echo(f"kept {relative}: edited in the browser since the last import")
    for problem in report.problems:
        click.secho(f"NOT RENDERED {problem.path}:{problem.line}: {problem.what}", fg="yellow")
    counts = ", ".join(f"{name} {count}" for name, count in report.counts().items())
    click.echo(f"[{locale}] {counts}")


@content_cli.command("import-docs")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--locale", help="The set's language; without it PATH holds one folder per locale.")
@click.option("--category", help="Category (slug) for pages outside any toc.yml section.")
@click.option("--link-base", help="Prefix for site-absolute links outside the set (a URL).")
def import_docs_command(
    path: Path, locale: str | None, category: str | None, link_base: str | None
) -> None:
    """Import a docs-as-code set (Markdown + front matter, toc.yml/mkdocs.yml, includes, media)."""
    locales = tuple(current_app.config["LOCALES"])
    if locale is not None and locale not in locales:
        raise click.BadParameter(f"one of {', '.join(locales)}", param_hint="--locale")
    default = current_app.config["DEFAULT_LOCALE"]
    sets = {locale: find_docs_root(path)} if locale else locale_sets(path, locales, default)
    if not sets:
        raise click.ClickException(f"{path} has no folder per locale ({', '.join(locales)})")
    failed = False
    for name in sets:
        with click.progressbar(
            length=count_pages(sets[name]), label=f"Importing {name}", show_pos=True
        ) as bar:
            report = import_docs(
                sets[name],
                name,
                store_media=store_docs_image,
                category=category,
                link_base=link_base,
                progress=lambda _p: bar.update(1),
            )
        _print_docs_report(name, report)
        failed = failed or not report.ok
    if failed:
        raise SystemExit(1)


@content_cli.command("rerender")
def rerender_command() -> None:
    """Refresh stored article HTML after the Markdown renderer changed (no new revisions)."""
    changed = rerender_articles()
    db.session.commit()
    click.echo(f"articles re-rendered: {len(changed)}")


@content_cli.command("export")
@click.argument("path", required=False, type=click.Path(file_okay=False))
def export_command(path: str | None) -> None:
    """Write every article (Markdown) and the synonyms back to PATH (default: content folder)."""
    root = _content_root(path)
    written = export_content(root)
    (root / SYNONYMS_FILE).write_text(format_synonyms(), encoding="utf-8")
    click.echo(f"exported {written} articles and {SYNONYMS_FILE}")


@content_cli.command("relate")
def relate_command() -> None:
    """Recompute every article's related articles (after an upgrade or a bulk load)."""
    count = rebuild_all(db.session)
    db.session.commit()
    click.echo(f"related articles computed for {count} articles")


def register_cli(app: Flask) -> None:
    app.cli.add_command(content_cli)
    from app.accounts.cli import users_cli

    app.cli.add_command(users_cli)
    from app.site_search.cli import search_cli

    app.cli.add_command(search_cli)
    from app.forum.cli import forum_cli

    app.cli.add_command(forum_cli)
    from app.insights.cli import insights_cli

    app.cli.add_command(insights_cli)
    from app.editor.cli import editor_cli

    app.cli.add_command(editor_cli)
    from app.jobs.cli import jobs_cli

    app.cli.add_command(jobs_cli)
