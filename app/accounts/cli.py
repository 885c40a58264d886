"""`flask users create`: staff accounts from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.accounts.models import Role, User
from app.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", default=None, help="Display name (default: from email).")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.CUSTOMER.value)
@click.password_option(prompt=True, confirmation_prompt=True, help="At least 10 characters.")
def create_user(email: str, display_name: str | None, role: str, password: str) -> None:
    """Create an account with a role (customer, moderator, cs_editor, product, admin)."""
    email = email.strip().lower()
    if db.session.scalar(select(User).filter_by(email=email)):
        raise click.ClickException(f"a user with email {email} already exists")
    if len(password) < 10:
        raise click.ClickException("the password must have at least 10 characters")
    user = User(email=email, display_name=display_name or email.split("@")[0], role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"created {role} {email}")
