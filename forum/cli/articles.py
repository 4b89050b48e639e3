"""``forum demo`` and ``forum articles import``: content from the package or Markdown files."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from forum.cli.common import open_database, settings_of

if TYPE_CHECKING:
    from forum.demo.discussion import Reader


@click.command()
@click.option("--if-empty", is_flag=True, help="Only when the database has no articles yet.")
@click.pass_context
def demo(ctx: click.Context, if_empty: bool) -> None:
    """Load demo content: articles, a discussion and demo accounts (never over https)."""
    from forum.accounts.passwords import Passwords, make_hasher
    from forum.articles.service import count_articles
    from forum.demo.loader import demo_password_hash, existing_readers, load_demo

    settings = settings_of(ctx)
    if settings.https:
        raise click.ClickException(
            "refusing to create demo accounts with a published password: FORUM_BASE_URL is "
            "https://, a public site (run the demo on a local http:// address)"
        )
    password_hash = demo_password_hash(
        Passwords(
            make_hasher(
                settings.argon2_time_cost, settings.argon2_memory_cost, settings.argon2_parallelism
            )
        )
    )
    database = open_database(settings)
    try:
        with database.session(write=True) as session:
            if if_empty and count_articles(session):
                click.echo("demo content skipped: the database already has articles")
            else:
                result = load_demo(session, settings, password_hash)
                click.echo(
                    f"demo content loaded: {result.articles.created} new, "
                    f"{result.articles.updated} updated articles; "
                    f"{result.comments} new comments at /articles/{result.slug}"
                )
            readers = existing_readers(session)
    finally:
        database.dispose()
    _print_logins(readers)


def _print_logins(readers: list[Reader]) -> None:
    """The demo accounts to log in with, when the database has them."""
    from forum.demo.discussion import PASSWORD

    if not readers:
        return
    click.echo(f"demo logins (password for each: {PASSWORD}):")
    for reader in readers:
        click.echo(f"  {reader.username:<8} {reader.about}")


@click.group()
def articles() -> None:
    """Articles: import from Markdown files."""


@articles.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def articles_import(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Import Markdown files with front matter (title, author, submitted, slug, published)."""
    from forum.articles.importer import ImportRejected, import_articles, read_articles

    settings = settings_of(ctx)
    try:
        parsed = read_articles(paths, settings.tz)
    except ImportRejected as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo("nothing was imported", err=True)
        sys.exit(1)
    database = open_database(settings)
    try:
        with database.session(write=True) as session:
            result = import_articles(session, parsed, image_hosts=settings.article_image_sources)
    finally:
        database.dispose()
    click.echo(f"imported {result.created} new and updated {result.updated} articles")
