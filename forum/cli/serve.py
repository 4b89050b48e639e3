"""``forum serve``: the app under uvicorn."""

from __future__ import annotations

import errno
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
SHUTDOWN_GRACE_SECONDS = 5
"""On stop, requests in flight get this long to finish; open live-thread streams (which would
otherwise run for minutes) are then closed, and browsers reconnect to the next server."""


MALLOC_ARENAS = 2
"""glibc's malloc arenas per process (its default: eight per core). Every worker thread that
serves a request would otherwise get an arena of its own and keep what it freed there: a
worker's memory grew by some 20 MiB at 16 requests at once, for no measurable speed."""
MALLOC_MMAP_THRESHOLD = 128 * 1024
"""Blocks from this size up (a page's body, a thread's JSON) are mapped and given back to the
system when freed. glibc's default threshold moves up to the largest block freed so far, so
after the first 600 KB thread such blocks came from the heap and left holes there: a worker
grew by about a tenth over a ten-minute soak. Fixed, it costs a few µs a large answer."""


def _fewer_malloc_arenas() -> None:
    """Cap glibc's malloc arenas and fix its mmap threshold for this process and the workers
    it starts (which read ``MALLOC_ARENA_MAX`` and ``MALLOC_MMAP_THRESHOLD_`` when they start);
    a value already set wins; nothing elsewhere."""
    import ctypes
    import ctypes.util
    import os

    os.environ.setdefault("MALLOC_ARENA_MAX", str(MALLOC_ARENAS))
    os.environ.setdefault("MALLOC_MMAP_THRESHOLD_", str(MALLOC_MMAP_THRESHOLD))
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        mallopt = getattr(libc, "mallopt", None)
    except OSError:
        return
    if mallopt is None:
        return
    m_arena_max, m_mmap_threshold = -8, -3  # glibc's malloc.h
    for option, variable in (
        (m_arena_max, "MALLOC_ARENA_MAX"),
        (m_mmap_threshold, "MALLOC_MMAP_THRESHOLD_"),
    ):
        value = os.environ[variable]
        if value.isdigit():
            mallopt(option, int(value))


def _refuse_a_busy_port(host: str, port: int, display_host: str) -> None:
    """Fail before claiming to serve when the address is taken (another server runs there)
    or cannot be listened on: the same bind uvicorn is about to try, released at once."""
    import socket

    where = f"{display_host}:{port}"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except socket.gaierror as exc:
        raise click.ClickException(f"cannot listen on {where}: {exc.strerror}") from None
    except OSError as exc:
        hint = " (is another server running there?)" if exc.errno == errno.EADDRINUSE else ""
        raise click.ClickException(f"cannot listen on {where}: {exc.strerror}{hint}") from None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--reload", is_flag=True, help="Restart when the code changes (development).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--loop",
    type=click.Choice(["uvloop", "asyncio"]),
    default="uvloop",
    show_default=True,
    help="Event loop (uvloop: about 3x the requests per second of asyncio, see the README).",
)
@click.option(
    "--http",
    type=click.Choice(["httptools", "h11"]),
    default="httptools",
    show_default=True,
    help="HTTP parser (httptools: C, h11: pure Python).",
)
@click.pass_context
def serve(
    ctx: click.Context, host: str, port: int, reload: bool, workers: int, loop: str, http: str
) -> None:
    """Serve the forum with uvicorn (uvloop and httptools unless told otherwise)."""
    import uvicorn

    from forum import backup

    display_host = f"[{host}]" if ":" in host else host
    _refuse_a_busy_port(host, port, display_host)
    # While it serves, a SQLite database is held: ``forum db restore`` refuses meanwhile.
    database = backup.sqlite_path(settings_of(ctx).effective_database_url)
    holding = backup.serving(database) if database is not None else nullcontext()
    _fewer_malloc_arenas()
    click.echo(f"forum is serving on http://{display_host}:{port}/ (Ctrl+C to stop)")
    with holding:
        uvicorn.run(
            "forum.app.served:served_app",
            factory=True,
            host=host,
            port=port,
            reload=reload,
            workers=None if reload else workers,
            loop=loop,
            http=http,
            proxy_headers=True,
            server_header=False,
            access_log=False,
            log_config=LOG_CONFIG,
            timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
        )
