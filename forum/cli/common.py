"""What every command needs: the settings ``main`` read, and a database to open."""

from __future__ import annotations

import click

from forum.db import Database
from forum.settings import Settings


def settings_of(ctx: click.Context) -> Settings:
    """The settings the ``forum`` group read from the environment."""
    settings = ctx.find_object(Settings)
    if settings is None:  # pragma: no cover - the group always sets it
        raise click.UsageError("settings are missing")
    return settings


def open_database(settings: Settings) -> Database:
    """The configured database; commands dispose of it when they are done."""
    return Database(settings.effective_database_url)
