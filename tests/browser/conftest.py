"""Real-browser tests: Playwright driving Debian's Chromium against the app served by
uvicorn on loopback, with a real SMTP server for the mail.

They run when ``FORUM_TEST_BROWSER`` is set (``.ci/run`` sets it) and then fail — never skip —
if Chromium, Playwright or axe-core cannot be used.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from forum import schema
from forum.db import Database
from forum.settings import Settings
from tests.conftest import TEST_SECRET

BROWSER = os.environ.get("FORUM_TEST_BROWSER", "")
CHROMIUM = os.environ.get("FORUM_TEST_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("FORUM_TEST_AXE", ROOT / "var/npm/node_modules/axe-core/axe.min.js"))
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if BROWSER:
        return
    skip = pytest.mark.skip(reason="set FORUM_TEST_BROWSER=1 to run the real-browser tests")
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


def _bound_socket() -> socket.socket:
    """A loopback socket on a port of its own, kept until the server is done with it (a port
    looked up, let go and bound again later could be taken by another worker's server)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


@dataclass
class LiveServer:
    url: str
    settings: Settings
    database: Database


@pytest.fixture
def live_overrides() -> dict[str, Any]:
    """Settings a test wants for its server (override with parametrize)."""
    return {}


@pytest.fixture
def live_server(
    tmp_path: Path, smtp_server: Any, live_overrides: dict[str, Any]
) -> Iterator[LiveServer]:
    """The forum on a free loopback port, SQLite under tmp, mail to the loopback SMTP server."""
    import uvicorn

    from forum.app import create_app

    sock = _bound_socket()
    port = sock.getsockname()[1]
    settings = Settings(
        var_dir=tmp_path / "var",
        secret_key=TEST_SECRET,
        base_url=f"http://127.0.0.1:{port}",
        smtp_url=smtp_server.url,
        argon2_time_cost=1,
        argon2_memory_cost=1024,
        argon2_parallelism=1,
        **live_overrides,
    )
    schema.upgrade(settings)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=2,
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the forum did not start within 15 s")
        time.sleep(0.05)
    database = Database(settings.effective_database_url)
    try:
        yield LiveServer(url=settings.base_url, settings=settings, database=database)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        database.dispose()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright; a set FORUM_TEST_BROWSER that cannot start it fails.

    Module-scoped: Playwright's sync API keeps an event loop running in the main thread while
    it lives, which later async tests (anyio) must not find.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - a broken install
        pytest.fail(f"FORUM_TEST_BROWSER is set but Playwright is missing: {exc}")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"FORUM_TEST_BROWSER is set but {CHROMIUM} does not exist")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as exc:
            pytest.fail(f"FORUM_TEST_BROWSER is set but Chromium does not start: {exc}")
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh browser profile (no cookies) and one page in it."""
    context = chromium.new_context(bypass_csp=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: `npm install --prefix var/npm axe-core@4`")
    return AXE.read_text(encoding="utf-8")


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
