"""`flask jobs work|status|retry-failed`: run and watch the delivery of mail and webhooks."""

from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from app.jobs.queue import counts, prune_finished, retry_failed, run_due, unfinished
from app.jobs.worker import work

jobs_cli = AppGroup("jobs", help="Deliver queued mail and webhooks; show what is waiting.")


@jobs_cli.command("work")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
def work_command(once: bool) -> None:
    """Deliver jobs until stopped (SIGTERM/SIGINT finish the current job first)."""
    if once:
        click.echo(f"{run_due(limit=10_000)} job(s) delivered")
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_args: stop.set())
    click.echo("delivering jobs (Ctrl+C stops)")
    work(current_app._get_current_object(), stop)


@jobs_cli.command("status")
def status_command() -> None:
    """Counts per status, then each pending, running or failed job with its last error."""
    found = counts()
    click.echo(
        f"pending {found['pending']} (due now {found['due']}), running {found['running']}, "
        f"failed {found['failed']}, done {found['done']}"
    )
    for job in unfinished():
        line = f"#{job.id} {job.status} {job.kind} attempts={job.attempts} {job.summary}"
        if job.status == "pending" and job.attempts:
            line += f" next={job.run_after:%Y-%m-%d %H:%M:%S}"
        if job.last_error:
            line += f" last error: {job.last_error}"
        click.echo(line)


@jobs_cli.command("retry-failed")
def retry_failed_command() -> None:
    """Queue every failed job again with a fresh round of attempts."""
    click.echo(f"{retry_failed()} failed job(s) queued again")


@jobs_cli.command("prune")
@click.option("--days", type=click.IntRange(min=1), default=14, show_default=True)
def prune_command(days: int) -> None:
    """Delete delivered jobs older than DAYS."""
    click.echo(f"deleted {prune_finished(days)} delivered job(s) older than {days} days")
