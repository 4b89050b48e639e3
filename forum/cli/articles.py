"""``forum demo`` and ``forum articles import``: content from the package or Markdown files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from forum.cli.common import open_database, settings_of


@click.command()
@click.option("--if-empty", is_flag=True, help="Only when the database has no articles yet.")
@click.pass_context
def demo(ctx: click.Context, if_empty: bool) -> None:
    """Load demo content."""
    from forum.articles.demo import load_demo
    from forum.articles.service import count_articles

    database = open_database(settings_of(ctx))
    try:
        with database.session(write=True) as session:
            if if_empty and count_articles(session):
                click.echo("demo content skipped: the database already has articles")
                return
            result = load_demo(session)
    finally:
        database.dispose()
    click.echo(f"demo content loaded: {result.created} new, {result.updated} updated articles")


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
