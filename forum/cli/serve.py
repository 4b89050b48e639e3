"""``forum serve``: the app under uvicorn."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import click

from forum.cli.common import settings_of

LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "forum": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "uvicorn.error": {"level": "WARNING", "handlers": ["stderr"], "propagate": False},
    },
}
"""Logging of every ``forum serve`` process before the app starts; the app's own logging
configuration then adds the JSON access log (``forum.access``, see forum/web/access_log.py)."""


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--reload", is_flag=True, help="Restart when the code changes (development).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, reload: bool, workers: int) -> None:
    """Serve the forum with uvicorn."""
    import uvicorn

    from forum import backup

    display_host = f"[{host}]" if ":" in host else host
    # While it serves, a SQLite database is held: ``forum db restore`` refuses meanwhile.
    database = backup.sqlite_path(settings_of(ctx).effective_database_url)
    holding = backup.serving(database) if database is not None else nullcontext()
    click.echo(f"forum is serving on http://{display_host}:{port}/ (Ctrl+C to stop)")
    with holding:
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
