"""``forum privacy purge``: due erasures and retention, for cron."""

from __future__ import annotations

import click

from forum import schema
from forum.cli.common import open_database, settings_of


@click.group()
def privacy() -> None:
    """Privacy: carry out due erasures and retention (run from cron)."""


@privacy.command("purge")
@click.pass_context
def privacy_purge(ctx: click.Context) -> None:
    """Erase accounts whose grace period is over; remove client addresses, consent records
    and undelivered mail past their retention; refresh SQLite's planner statistics. Safe to
    run again at any time."""
    from forum.app import user_data_registry
    from forum.comments.hooks import CommentHooks
    from forum.mail.outbox import Outbox
    from forum.privacy.retention import purge

    settings = settings_of(ctx)
    database = open_database(settings)
    user_data = user_data_registry(settings, CommentHooks())
    try:
        report = purge(database, Outbox.from_settings(settings), settings, user_data)
    finally:
        database.dispose()
    schema.analyze(settings)  # the daily run keeps the statistics in step with growth
    click.echo(report.summary())
