"""Mail jobs for cron: ``forum mail send``, ``forum notifications digest``,
``forum moderation remind``."""

from __future__ import annotations

import click

from forum.cli.common import open_database, settings_of


@click.group()
def mail() -> None:
    """Outgoing mail: deliver what is queued."""


@mail.command("send")
@click.pass_context
def mail_send(ctx: click.Context) -> None:
    """Deliver every message that is due now (for cron, or when the app's worker is off)."""
    from forum.mail.outbox import Outbox

    settings = settings_of(ctx)
    outbox = Outbox.from_settings(settings)
    database = open_database(settings)
    try:
        report = outbox.deliver_due(database, limit=None)
    finally:
        database.dispose()
    click.echo(
        f"mail: {report.sent} sent, {report.failed} failed, {report.retry_later} to retry later"
    )


@click.group()
def notifications() -> None:
    """Notification mails about comments: the daily digest."""


@notifications.command("digest")
@click.pass_context
def notifications_digest(ctx: click.Context) -> None:
    """Queue each waiting reader's digest mail (run daily from cron)."""
    from forum.comments.notify.notifier import Notifier
    from forum.mail.outbox import Outbox

    settings = settings_of(ctx)
    database = open_database(settings)
    try:
        report = Notifier(settings, Outbox.from_settings(settings)).send_digests(database)
    finally:
        database.dispose()
    click.echo(
        f"notifications: {report.mails} digest mails queued, with {report.comments} comments"
    )


@click.group()
def moderation() -> None:
    """Moderation: reminder mails about items that have waited too long."""


@moderation.command("remind")
@click.pass_context
def moderation_remind(ctx: click.Context) -> None:
    """Mail opted-in moderators about queue items past the waiting time (run from cron)."""
    from forum.mail.outbox import Outbox
    from forum.moderation.reminders import send_reminders

    settings = settings_of(ctx)
    database = open_database(settings)
    try:
        with database.session(write=True) as session:
            sent = send_reminders(session, Outbox.from_settings(settings), settings)
    finally:
        database.dispose()
    click.echo(f"moderation: {sent} reminder mails queued")


COMMANDS = (mail, notifications, moderation)
