"""``forum db``: upgrade, downgrade and inspect the schema (Alembic); back up and restore."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from forum.cli.common import settings_of
from forum.errors import DomainError


@click.group()
def db() -> None:
    """Database schema: upgrade, downgrade, current; backup and restore."""


@db.command("upgrade")
@click.argument("revision", default="heads")
@click.pass_context
def db_upgrade(ctx: click.Context, revision: str) -> None:
    """Upgrade the database to REVISION (default: the newest)."""
    from forum import schema

    settings = settings_of(ctx)
    schema.upgrade(settings, revision)
    click.echo(f"database at {schema.current_revision(settings) or 'base'}")


@db.command("downgrade")
@click.argument("revision")
@click.option(
    "--allow-data-loss",
    is_flag=True,
    help="Confirm a downgrade that must drop data people chose (privacy settings).",
)
@click.pass_context
def db_downgrade(ctx: click.Context, revision: str, allow_data_loss: bool) -> None:
    """Downgrade the database to REVISION ('base' removes every table)."""
    from forum import schema

    settings = settings_of(ctx)
    schema.downgrade(settings, revision, allow_data_loss=allow_data_loss)
    click.echo(f"database at {schema.current_revision(settings) or 'base'}")


@db.command("current")
@click.pass_context
def db_current(ctx: click.Context) -> None:
    """Print the database's revision and whether it is the newest."""
    from forum import schema

    current = schema.current_revision(settings_of(ctx))
    head = schema.head_revision()
    state = "up to date" if current == head else f"newest is {head}"
    click.echo(f"{current or 'base'} ({state})")


@db.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def db_backup(ctx: click.Context, file: Path) -> None:
    """Copy the SQLite database into FILE while the site keeps serving (VACUUM INTO).
    PostgreSQL: prints the pg_dump line to use instead."""
    from forum import backup

    url = settings_of(ctx).effective_database_url
    database = backup.sqlite_path(url)
    if database is None:
        _use_postgres_tools(backup.postgres_hint(url, str(file)))
    try:
        size = backup.backup_sqlite(database, file)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"backed up {database} to {file} ({size:,} bytes)")


@db.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def db_restore(ctx: click.Context, file: Path) -> None:
    """Put the SQLite backup FILE in place of the database (refused while forum serve runs;
    the replaced file is kept beside it). PostgreSQL: prints the pg_restore line."""
    from forum import backup

    url = settings_of(ctx).effective_database_url
    database = backup.sqlite_path(url)
    if database is None:
        _use_postgres_tools(backup.postgres_hint(url, str(file), restore=True))
    try:
        kept = backup.restore_sqlite(database, file)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"restored {database} from {file}")
    if kept is not None:
        click.echo(f"the database it replaced is kept at {kept}")
    click.echo(
        "next: forum db upgrade (the backup may be older than the code), then "
        "forum privacy purge (erases again the accounts erased since the backup)"
    )


def _use_postgres_tools(line: str) -> NoReturn:
    """PostgreSQL is backed up and restored with its own tools: say the exact line, fail."""
    click.echo("this database is PostgreSQL: use its own tools, e.g.", err=True)
    click.echo(f"  {line}", err=True)
    raise click.exceptions.Exit(2)
