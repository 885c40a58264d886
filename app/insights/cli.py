"""`flask insights rollup|prune|digest|webhook`: keep roll-ups current, trim raw events, report."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

insights_cli = AppGroup("insights", help="Roll up, prune and report the first-party event log.")


def _parse_day(_ctx, _param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use the form YYYY-MM-DD") from None


@insights_cli.command("rollup")
@click.option("--since", callback=_parse_day, help="First day to (re)roll, YYYY-MM-DD.")
def rollup_command(since: date | None) -> None:
    """Roll up every settled day (idempotent); by default from the day before the last one."""
    from app.insights.rollups import roll_up
    from app.insights.webhooks import notify_new_gaps

    report = roll_up(since, retention_days=current_app.config["INSIGHTS_RETENTION_DAYS"])
    if report.days:
        click.echo(
            f"rolled up {len(report.days)} day(s) ({report.days[0]} .. {report.days[-1]}), "
            f"{report.events} events"
        )
    else:
        click.echo("nothing to roll up")
    sent = notify_new_gaps()
    if sent:
        url = current_app.config["INSIGHTS_WEBHOOK_URL"]
        click.echo(f"webhook: {sent} new gap alert(s) queued for {url}")


@insights_cli.command("prune")
@click.option("--days", type=click.IntRange(min=1), help="Keep this many days (default: setting).")
def prune_command(days: int | None) -> None:
    """Roll up, then delete raw events older than INSIGHTS_RETENTION_DAYS."""
    from app.insights.rollups import prune, roll_up

    keep = days or current_app.config["INSIGHTS_RETENTION_DAYS"]
    roll_up(retention_days=keep)
    click.echo(f"deleted {prune(keep)} events older than {keep} days")


@insights_cli.command("digest")
@click.option("--days", type=click.IntRange(min=1, max=366), default=7, show_default=True)
@click.option("--print", "print_only", is_flag=True, help="Print instead of mailing staff.")
def digest_command(days: int, print_only: bool) -> None:
    """Mail (or print) the weekly digest: new gaps, worst articles, the North Star."""
    from app.insights.digest import build_digest, send_digest

    subject, body = build_digest(days)
    if print_only:
        click.echo(subject)
        click.echo(body)
        return
    recipients = send_digest(days)  # each in the recipient's language
    if not recipients:
        click.echo(subject)
        click.echo(body)
    click.echo(
        f"digest {subject!r} queued for {len(recipients)} staff member(s)"
        + (": " + ", ".join(recipients) if recipients else "")
    )


@insights_cli.command("webhook")
def webhook_command() -> None:
    """Announce new gaps over the threshold to INSIGHTS_WEBHOOK_URL (if set)."""
    from app.insights.webhooks import notify_new_gaps

    url = current_app.config["INSIGHTS_WEBHOOK_URL"] or "(no TOUCHPOINT_INSIGHTS_WEBHOOK_URL)"
    click.echo(f"{notify_new_gaps()} new gap alert(s) queued for {url}")


@insights_cli.command("seed-demo")
def seed_demo_command() -> None:
    """Demo milestones, guide progress, reading and searches (after `flask forum seed-demo`)."""
    from app.clock import utcnow
    from app.insights.demo import seed_demo_insights

    report = seed_demo_insights(utcnow())
    click.echo(
        f"demo insights: {report.milestones} milestones, {report.progress} guide steps, "
        f"{report.events} events, {report.groups} synonym groups added"
    )
