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
            result = import_articles(session, parsed)
    finally:
        database.dispose()
    click.echo(f"imported {result.created} new and updated {result.updated} articles")


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


if __name__ == "__main__":  # pragma: no cover
    main()
