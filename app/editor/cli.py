"""`flask editor publish-due`: publish scheduled revisions whose time has come (run from cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.editor.workflow import publish_due

editor_cli = AppGroup("editor", help="Editorial chores.")


@editor_cli.command("publish-due")
def publish_due_command() -> None:
    """Publish every scheduled article whose publish time has passed."""
    published = publish_due()
    for article in published:
        click.echo(f"published {article.locale}/{article.slug}")
    click.echo(f"{len(published)} published")
