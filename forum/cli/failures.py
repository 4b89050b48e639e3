"""One line for whatever stops a command: an operator needs the cause, not a traceback.

``FORUM_DEBUG=1`` lets the traceback through for a bug report.
"""

from __future__ import annotations

from typing import Any

import click


def _first_line(value: object) -> str:
    text = str(value).strip()
    return text.splitlines()[0] if text else ""


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a URL SQLAlchemy cannot read: only its scheme is shown
        return url.split(":", 1)[0]


def describe(exc: BaseException, database_url: str = "") -> str:
    """What went wrong, in one line that names the thing (file, revision, database)."""
    from alembic.util import CommandError
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    if isinstance(exc, CommandError):
        return f"{_first_line(exc)} (forum db current shows the database's revision)"
    if isinstance(exc, DBAPIError):
        where = f" at {_safe_url(database_url)}" if database_url else ""
        return f"the database{where} cannot be used: {_first_line(exc.orig)}"
    if isinstance(exc, SQLAlchemyError):
        return f"database error: {_first_line(exc)}"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    return f"{type(exc).__name__}: {_first_line(exc)} (FORUM_DEBUG=1 shows the traceback)"


class ForumGroup(click.Group):
    """The ``forum`` group: an exception a command did not expect ends it with one line on
    stderr and exit status 1, never a traceback (unless the settings say debug)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            settings = ctx.obj
            if getattr(settings, "debug", False):
                raise
            url = getattr(settings, "effective_database_url", "")
            raise click.ClickException(describe(exc, url)) from None
