"""The ``forum`` command: serve, db, demo, articles import, mail (and more as modules arrive)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from forum.settings import Settings, SettingsError


def _settings(ctx: click.Context) -> Settings:
    settings = ctx.find_object(Settings)
    if settings is None:  # pragma: no cover - the group always sets it
        raise click.UsageError("settings are missing")
    return settings


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """forum: articles with threaded comments."""
    try:
        ctx.obj = Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "forum": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "uvicorn.error": {"level": "WARNING", "handlers": ["stderr"], "propagate": False},
    },
}
"""Logging of every ``forum serve`` process: one access line per request (forum.access)."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--reload", is_flag=True, help="Restart when the code changes (development).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, reload: bool, workers: int) -> None:
    """Serve the forum with uvicorn."""
    import uvicorn

    display_host = f"[{host}]" if ":" in host else host
    click.echo(f"forum is serving on http://{display_host}:{port}/ (Ctrl+C to stop)")
    uvicorn.run(
        "forum.app:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        workers=None if reload else workers,
        proxy_headers=True,
        server_header=False,
        access_log=False,
        log_config=LOG_CONFIG,
    )


@main.group()
def db() -> None:
    """Database schema: upgrade, downgrade, current."""


@db.command("upgrade")
@click.argument("revision", default="heads")
@click.pass_context
def db_upgrade(ctx: click.Context, revision: str) -> None:
    """Upgrade the database to REVISION (default: the newest)."""
    from forum import schema

    settings = _settings(ctx)
    schema.upgrade(settings, revision)
    click.echo(f"database at {schema.current_revision(settings) or 'base'}")


@db.command("downgrade")
@click.argument("revision")
@click.pass_context
def db_downgrade(ctx: click.Context, revision: str) -> None:
    """Downgrade the database to REVISION ('base' removes every table)."""
    from forum import schema

    settings = _settings(ctx)
    schema.downgrade(settings, revision)
    click.echo(f"database at {schema.current_revision(settings) or 'base'}")


@db.command("current")
@click.pass_context
def db_current(ctx: click.Context) -> None:
    """Print the database's revision and whether it is the newest."""
    from forum import schema

    current = schema.current_revision(_settings(ctx))
    head = schema.head_revision()
    state = "up to date" if current == head else f"newest is {head}"
    click.echo(f"{current or 'base'} ({state})")


def _database(settings: Settings):  # type: ignore[no-untyped-def]
    from forum.db import Database

    return Database(settings.effective_database_url)


@main.command()
@click.option("--if-empty", is_flag=True, help="Only when the database has no articles yet.")
@click.pass_context
def demo(ctx: click.Context, if_empty: bool) -> None:
    """Load demo content."""
    from forum.articles.demo import load_demo
    from forum.articles.service import count_articles

    database = _database(_settings(ctx))
    try:
        with database.session(write=True) as session:
            if if_empty and count_articles(session):
                click.echo("demo content skipped: the database already has articles")
                return
            result = load_demo(session)
    finally:
        database.dispose()
    click.echo(f"demo content loaded: {result.created} new, {result.updated} updated articles")


@main.group()
def articles() -> None:
    """Articles: import from Markdown files."""


@articles.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def articles_import(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Import Markdown files with front matter (title, author, submitted, slug, published)."""
    from forum.articles.importer import ImportRejected, import_articles, read_articles

    settings = _settings(ctx)
    try:
        parsed = read_articles(paths, settings.tz)
    except ImportRejected as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo("nothing was imported", err=True)
        sys.exit(1)
    database = _database(settings)
    try:
        with database.session(write=True) as session:
            result = import_articles(session, parsed, image_hosts=settings.article_image_sources)
    finally:
        database.dispose()
    click.echo(f"imported {result.created} new and updated {result.updated} articles")


ARCHIVE_FORMATS = {
    "disqus": "a Disqus XML export",
    "wordpress": "a WordPress export (WXR)",
    "isso": "an isso SQLite database",
    "forum": "our own JSON export (forum export), articles included",
}


@main.group("import")
def import_group() -> None:
    """Import comment archives: Disqus, WordPress, isso, or our own export."""


def _read_archive(fmt: str, path: Path, settings: Settings):  # type: ignore[no-untyped-def]
    from forum.importers import disqus, forum_json, isso, wordpress

    if fmt in {"disqus", "wordpress"}:
        stderr = sys.stderr
        size = path.stat().st_size
        with click.progressbar(length=size, label="reading", file=stderr) as bar:
            if fmt == "disqus":
                return disqus.read(path, bar.update)
            return wordpress.read(path, settings.tz, bar.update)
    if fmt == "isso":
        return isso.read(path)
    return forum_json.read(path)


def _print_summary(summary) -> None:  # type: ignore[no-untyped-def]
    left_out = sum(summary.left_out.values())
    reasons = ", ".join(f"{k}: {v}" for k, v in sorted(summary.left_out.items()))
    click.echo(
        f"{summary.source}: {summary.threads} threads, {summary.comments} comments imported, "
        f"{summary.skipped} skipped (already imported), "
        f"{left_out} left out{f' ({reasons})' if reasons else ''}, "
        f"{summary.authors_created} profiles and {summary.articles_created} articles created"
    )
    for title, problems in (
        ("replies imported as top-level", summary.notes),
        ("threads without an article (use --create-articles)", summary.unmatched),
        ("errors", summary.errors),
    ):
        if problems:
            click.echo(f"{title}: {len(problems)}")
            for problem in problems:
                click.echo(f"  {problem}")


def _import_command(fmt: str, what: str) -> None:
    @import_group.command(fmt, help=f"Import the comments of {what}.")
    @click.argument("path", type=click.Path(path_type=Path, exists=True, dir_okay=False))
    @click.option(
        "--create-articles",
        is_flag=True,
        help="Create a published article for each thread that matches none.",
    )
    @click.pass_context
    def command(ctx: click.Context, path: Path, create_articles: bool) -> None:
        from forum.importers.archive import ArchiveUnreadable
        from forum.importers.writer import import_archive

        settings = _settings(ctx)
        try:
            archive = _read_archive(fmt, path, settings)
        except ArchiveUnreadable as exc:
            click.echo(f"error: {path}: {exc}", err=True)
            click.echo("nothing was imported", err=True)
            sys.exit(1)
        database = _database(settings)
        stderr = sys.stderr
        try:
            with (
                database.session(write=True) as session,
                click.progressbar(
                    length=len(archive.comments), label="importing", file=stderr
                ) as bar,
            ):
                summary = import_archive(
                    session, archive, create_articles=create_articles, progress=bar.update
                )
        finally:
            database.dispose()
        _print_summary(summary)


for _format, _what in ARCHIVE_FORMATS.items():
    _import_command(_format, _what)


@main.command("export")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_context
def export(ctx: click.Context, path: Path) -> None:
    """Write every article and comment thread to PATH as JSON (docs/export-format.md)."""
    import os
    import tempfile

    from forum.db import utcnow
    from forum.importers.forum_json import count_articles, write_export

    settings = _settings(ctx)
    database = _database(settings)
    stderr = sys.stderr
    folder = path.resolve().parent
    handle, temporary = tempfile.mkstemp(prefix=".forum-export-", dir=folder)
    try:
        with database.session() as session, os.fdopen(handle, "w", encoding="utf-8") as out:
            total = count_articles(session)
            with click.progressbar(length=total, label="exporting", file=stderr) as bar:
                articles, comments = write_export(
                    session,
                    out,
                    site=settings.base_url.rstrip("/"),
                    now=utcnow(),
                    progress=bar.update,
                )
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    finally:
        database.dispose()
    click.echo(f"exported {articles} articles and {comments} comments to {path}")


@main.group()
def users() -> None:
    """User accounts: bootstrap the first administrator."""


@users.command("create-admin")
@click.argument("username")
@click.argument("email")
@click.pass_context
def users_create_admin(ctx: click.Context, username: str, email: str) -> None:
    """Create an administrator. The password is asked for, or read from standard input."""
    from forum.accounts.passwords import Passwords, make_hasher
    from forum.accounts.service import FormErrors, create_admin

    settings = _settings(ctx)
    stdin = sys.stdin
    if stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = stdin.readline().rstrip("\r\n")
    passwords = Passwords(
        make_hasher(
            settings.argon2_time_cost, settings.argon2_memory_cost, settings.argon2_parallelism
        )
    )
    database = _database(settings)
    try:
        with database.session(write=True) as session:
            user = create_admin(session, passwords, username, email, password)
            name = user.username
    except FormErrors as exc:
        for field_name, message in exc.errors.items():
            click.echo(f"error: {field_name}: {message}", err=True)
        sys.exit(1)
    finally:
        database.dispose()
    click.echo(f"administrator {name} created")


@main.group()
def mail() -> None:
    """Outgoing mail: deliver what is queued."""


@mail.command("send")
@click.pass_context
def mail_send(ctx: click.Context) -> None:
    """Deliver every message that is due now (for cron, or when the app's worker is off)."""
    from forum.mail.outbox import Outbox

    settings = _settings(ctx)
    outbox = Outbox.from_settings(settings)
    database = _database(settings)
    try:
        report = outbox.deliver_due(database, limit=None)
    finally:
        database.dispose()
    click.echo(
        f"mail: {report.sent} sent, {report.failed} failed, {report.retry_later} to retry later"
    )


@main.group()
def notifications() -> None:
    """Notification mails about comments: the daily digest."""


@notifications.command("digest")
@click.pass_context
def notifications_digest(ctx: click.Context) -> None:
    """Queue each waiting reader's digest mail (run daily from cron)."""
    from forum.comments.notify.notifier import Notifier
    from forum.mail.outbox import Outbox

    settings = _settings(ctx)
    database = _database(settings)
    try:
        report = Notifier(settings, Outbox.from_settings(settings)).send_digests(database)
    finally:
        database.dispose()
    click.echo(
        f"notifications: {report.mails} digest mails queued, with {report.comments} comments"
    )


@main.group()
def moderation() -> None:
    """Moderation: reminder mails about items that have waited too long."""


@moderation.command("remind")
@click.pass_context
def moderation_remind(ctx: click.Context) -> None:
    """Mail opted-in moderators about queue items past the waiting time (run from cron)."""
    from forum.mail.outbox import Outbox
    from forum.moderation.reminders import send_reminders

    settings = _settings(ctx)
    database = _database(settings)
    try:
        with database.session(write=True) as session:
            sent = send_reminders(session, Outbox.from_settings(settings), settings)
    finally:
        database.dispose()
    click.echo(f"moderation: {sent} reminder mails queued")


@main.group()
def privacy() -> None:
    """Privacy: carry out due erasures and retention (run from cron)."""


@privacy.command("purge")
@click.pass_context
def privacy_purge(ctx: click.Context) -> None:
    """Erase accounts whose grace period is over; remove client addresses, consent records
    and undelivered mail past their retention. Safe to run again at any time."""
    from forum.mail.outbox import Outbox
    from forum.privacy.retention import purge

    settings = _settings(ctx)
    database = _database(settings)
    try:
        report = purge(database, Outbox.from_settings(settings), settings)
    finally:
        database.dispose()
    click.echo(report.summary())


if __name__ == "__main__":  # pragma: no cover
    main()
