"""Flask commands: `flask content import|export`, `flask users create`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.extensions import db
from app.kb.content_sync import article_files, export_content, import_content
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


@content_cli.command("export")
@click.argument("path", required=False, type=click.Path(file_okay=False))
def export_command(path: str | None) -> None:
    """Write every article (Markdown) and the synonyms back to PATH (default: content folder)."""
    root = _content_root(path)
    written = export_content(root)
    (root / SYNONYMS_FILE).write_text(format_synonyms(), encoding="utf-8")
    click.echo(f"exported {written} articles and {SYNONYMS_FILE}")


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
