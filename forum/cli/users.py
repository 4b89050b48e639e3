"""``forum users``: bootstrap the first administrator."""

from __future__ import annotations

import sys

import click

from forum.cli.common import open_database, settings_of


@click.group()
def users() -> None:
    """User accounts: bootstrap the first administrator."""


def _password() -> str:
    """Asked for twice on a terminal; the first line of standard input otherwise."""
    if sys.stdin.isatty():
        password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password
    return sys.stdin.readline().rstrip("\r\n")


@users.command("create-admin")
@click.argument("username")
@click.argument("email")
@click.pass_context
def users_create_admin(ctx: click.Context, username: str, email: str) -> None:
    """Create an administrator. The password is asked for, or read from standard input."""
    from forum.accounts.passwords import Passwords, make_hasher
    from forum.accounts.service import create_admin
    from forum.errors import Invalid

    settings = settings_of(ctx)
    password = _password()
    passwords = Passwords(
        make_hasher(
            settings.argon2_time_cost, settings.argon2_memory_cost, settings.argon2_parallelism
        )
    )
    database = open_database(settings)
    try:
        with database.session(write=True) as session:
            user = create_admin(session, passwords, username, email, password)
            name = user.username
    except Invalid as exc:
        for field_name, message in exc.errors.items():
            click.echo(f"error: {field_name}: {message}", err=True)
        sys.exit(1)
    finally:
        database.dispose()
    click.echo(f"administrator {name} created")
