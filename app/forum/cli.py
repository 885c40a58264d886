"""`flask forum init` (default categories) and `flask forum seed-demo` (demo data)."""

from __future__ import annotations

import os
import secrets

import click
from flask.cli import AppGroup

from app.forum.seeding import ensure_categories, seed_demo

forum_cli = AppGroup("forum", help="Set up the community forum.")
PASSWORD_ENV = "TOUCHPOINT_DEMO_PASSWORD"


@forum_cli.command("init")
def init_command() -> None:
    """Create the default categories (Questions, Ideas, Announcements, Tips); safe to rerun."""
    created, updated = ensure_categories()
    click.echo(f"forum categories: {created} created, {updated} updated")


@forum_cli.command("seed-demo")
def seed_demo_command() -> None:
    """Add demo customer accounts and topics in every language; safe to rerun.

    The demo accounts' password comes from $TOUCHPOINT_DEMO_PASSWORD, or is generated and
    printed once when the accounts are created.
    """
    password = os.environ.get(PASSWORD_ENV) or ""
    generated = not password
    if generated:
        password = secrets.token_urlsafe(12)
    elif len(password) < 10:
        raise click.ClickException(f"{PASSWORD_ENV} must have at least 10 characters")
    report = seed_demo(password)
    click.echo(
        f"demo topics: {report.topics_created} created, {report.topics_skipped} already there"
    )
    if report.users_created:
        click.echo(f"demo accounts created: {', '.join(report.users_created)}")
        if generated:
            click.echo(f"their password (set {PASSWORD_ENV} to choose one): {password}")
    else:
        click.echo("demo accounts already existed; their passwords were not changed")
