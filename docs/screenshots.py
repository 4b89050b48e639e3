"""Take the README's screenshots of a thread: the demo discussion in Chromium at 1280 and 390 px.

    .venv/bin/python docs/screenshots.py      # writes docs/images/thread-1280.png and -390.png

The demo is loaded into a temporary directory and served on a free loopback port; the reader
(the demo's "marcus") rejects non-essential cookies first, so the banner is not in the picture,
and logs in, so the picture shows what a reader can do (reply, vote, the comment box).
Chromium is Debian's (``FORUM_TEST_CHROMIUM``, default /usr/bin/chromium), driven by Playwright
as in the tests.
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from forum import schema
from forum.accounts.passwords import Passwords, make_hasher
from forum.app import create_app
from forum.db import Database
from forum.demo.articles import SEED_SLUG
from forum.demo.discussion import PASSWORD
from forum.demo.loader import demo_password_hash, load_demo
from forum.settings import Settings

OUT = Path(__file__).resolve().parent / "images"
SIZES = {"1280": (1280, 900), "390": (390, 844)}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _demo_site(var_dir: Path, port: int) -> Settings:
    settings = Settings(var_dir=var_dir, base_url=f"http://127.0.0.1:{port}", mail_worker=False)
    schema.upgrade(settings)
    database = Database(settings.effective_database_url)
    with database.session(write=True) as session:
        load_demo(session, settings, demo_password_hash(Passwords(make_hasher(1, 1024, 1))))
    database.dispose()
    return settings


def main() -> None:
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        settings = _demo_site(Path(tmp), port)
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            _shoot(settings.base_url)
        finally:
            server.should_exit = True
            thread.join(timeout=10)


def _shoot(base: str) -> None:
    OUT.mkdir(exist_ok=True)
    chromium = os.environ.get("FORUM_TEST_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for name, (width, height) in SIZES.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(f"{base}/login")
            page.get_by_role("button", name="Reject non-essential").click()
            page.wait_for_load_state()
            page.get_by_label("Username or email").fill("marcus")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_load_state()
            page.goto(f"{base}/articles/{SEED_SLUG}")
            page.evaluate("document.getElementById('comments').scrollIntoView()")
            page.screenshot(path=str(OUT / f"thread-{name}.png"))
            page.close()
        browser.close()
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    main()
