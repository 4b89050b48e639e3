"""``forum privacy purge``: due erasures and retention, for cron."""

from __future__ import annotations

import click

from forum.cli.common import open_database, settings_of


@click.group()
def privacy() -> None:
    """Privacy: carry out due erasures and retention (run from cron)."""


@privacy.command("purge")
@click.pass_context
def privacy_purge(ctx: click.Context) -> None:
    """Erase accounts whose grace period is over; remove client addresses, consent records
    and undelivered mail past their retention. Safe to run again at any time."""
    from forum.mail.outbox import Outbox
    from forum.privacy.retention import purge

    settings = settings_of(ctx)
    database = open_database(settings)
    try:
        report = purge(database, Outbox.from_settings(settings), settings)
    finally:
        database.dispose()
    click.echo(report.summary())
