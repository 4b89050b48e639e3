"""``forum db``: upgrade, downgrade and inspect the schema (Alembic)."""

from __future__ import annotations

import click

from forum.cli.common import settings_of


@click.group()
def db() -> None:
    """Database schema: upgrade, downgrade, current."""


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
@click.pass_context
def db_downgrade(ctx: click.Context, revision: str) -> None:
    """Downgrade the database to REVISION ('base' removes every table)."""
    from forum import schema

    settings = settings_of(ctx)
    schema.downgrade(settings, revision)
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
