"""The ``forum`` command: serve, db, demo, articles, import/export, users, mail and cron jobs.

Each group lives in its own module; this one only gathers them under ``main``.
"""

from __future__ import annotations

import click

from forum.cli import archives, articles, db, jobs, privacy, serve, users
from forum.cli.failures import ForumGroup
from forum.i18n import LANGUAGES
from forum.i18n.catalogues import load_catalogues
from forum.settings import Settings, SettingsError


@click.group(cls=ForumGroup)
@click.version_option(package_name="forum", prog_name="forum")
@click.pass_context
def main(ctx: click.Context) -> None:
    """forum: articles with threaded comments."""
    try:
        ctx.obj = Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    load_catalogues(LANGUAGES)  # mails sent from the command speak their recipients' language


for _command in (
    serve.serve,
    db.db,
    articles.demo,
    articles.articles,
    archives.import_group,
    archives.export,
    users.users,
    *jobs.COMMANDS,
    privacy.privacy,
):
    main.add_command(_command)

__all__ = ["main"]
