"""``forum import <format>`` and ``forum export``: comment archives in and out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from forum.cli.common import open_database, settings_of
from forum.settings import Settings

if TYPE_CHECKING:
    from forum.importers.archive import Archive
    from forum.importers.writer import ImportSummary

ARCHIVE_FORMATS = {
    "disqus": "a Disqus XML export",
    "wordpress": "a WordPress export (WXR)",
    "isso": "an isso SQLite database",
    "forum": "our own JSON export (forum export), articles included",
}


@click.group("import")
def import_group() -> None:
    """Import comment archives: Disqus, WordPress, isso, or our own export."""


def _read_archive(fmt: str, path: Path, settings: Settings) -> Archive:
    from forum.importers import disqus, forum_json, isso, wordpress

    if fmt in {"disqus", "wordpress"}:
        size = path.stat().st_size
        with click.progressbar(length=size, label="reading", file=sys.stderr) as bar:
            if fmt == "disqus":
                return disqus.read(path, bar.update)
            return wordpress.read(path, settings.tz, bar.update)
    if fmt == "isso":
        return isso.read(path)
    return forum_json.read(path)


def _print_summary(summary: ImportSummary) -> None:
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


def _import_archive(settings: Settings, fmt: str, path: Path, create_articles: bool) -> None:
    from forum.importers.archive import ArchiveUnreadable
    from forum.importers.writer import import_archive

    try:
        archive = _read_archive(fmt, path, settings)
    except ArchiveUnreadable as exc:
        click.echo(f"error: {path}: {exc}", err=True)
        click.echo("nothing was imported", err=True)
        sys.exit(1)
    database = open_database(settings)
    try:
        with (
            database.session(write=True) as session,
            click.progressbar(
                length=len(archive.comments), label="importing", file=sys.stderr
            ) as bar,
        ):
            summary = import_archive(
                session, archive, create_articles=create_articles, progress=bar.update
            )
    finally:
        database.dispose()
    _print_summary(summary)


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
        _import_archive(settings_of(ctx), fmt, path, create_articles)


for _format, _what in ARCHIVE_FORMATS.items():
    _import_command(_format, _what)


@click.command("export")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_context
def export(ctx: click.Context, path: Path) -> None:
    """Write every article and comment thread to PATH as JSON (docs/export-format.md)."""
    import os
    import tempfile

    from forum.db import utcnow
    from forum.importers.forum_json import count_articles, write_export

    folder = path.resolve().parent
    if not folder.is_dir():
        raise click.ClickException(f"{path}: the folder {folder} does not exist")
    settings = settings_of(ctx)
    database = open_database(settings)
    handle, temporary = tempfile.mkstemp(prefix=".forum-export-", dir=folder)
    try:
        with database.session() as session, os.fdopen(handle, "w", encoding="utf-8") as out:
            total = count_articles(session)
            with click.progressbar(length=total, label="exporting", file=sys.stderr) as bar:
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
