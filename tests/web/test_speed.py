"""Issue 13: the cheap paths (``/healthz``, ``/static/``), compression, cache headers of static
files and the server stack ``forum serve`` picks."""

from __future__ import annotations

import gzip
import json
import os
import re
import socket
import subprocess
import sys
import threading

import brotli
import pytest
from click.testing import CliRunner

from bench.seed import seed_articles
from forum.cli import main
from forum.db import UnitOfWork
from forum.web.log_lines import JsonLines
from forum.web.static_assets import STATIC_DIR, static_url
from tests.web.test_access_log import access_lines as access_lines  # a fixture
from tests.web.test_access_log import only_the_writer

HASHED_CSS = re.compile(r"/static/forum\.[0-9a-f]{12}\.css")


def _refuse(*args, **kwargs):
    raise AssertionError("the request went through Litestar")


def test_healthz_and_static_files_skip_the_whole_stack(app, client, access_lines):
    """No middleware, no access log line, not even Litestar's router: yet the security
    headers every response carries."""
    app.asgi_handler = _refuse
    for path in ["/healthz", "/static/forum.css", static_url("thread.js")]:
        response = client.get(path, headers={"Cookie": "forum_session=whatever"})
        assert response.status_code == 200, path
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "set-cookie" not in response.headers and "x-request-id" not in response.headers
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/healthz").headers["cache-control"] == "no-store"
    assert client.head("/healthz").content == b""
    assert access_lines.written == []


def test_other_methods_and_unknown_static_names_still_reach_litestar(client):
    assert client.post("/healthz").status_code == 405
    assert client.get("/static/nothing-here.css").status_code == 404


def test_pages_link_static_files_by_content_hash(client):
    html = client.get("/").text
    (css,) = HASHED_CSS.findall(html)
    assert css == static_url("forum.css")
    response = client.get(css)
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-type"].startswith("text/css")
    assert response.text == (STATIC_DIR / "forum.css").read_text()


def test_unhashed_names_still_work_with_a_short_cache(client):
    response = client.get("/static/consent.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.content == (STATIC_DIR / "consent.js").read_bytes()


def test_static_files_revalidate_and_come_compressed(client):
    plain = (STATIC_DIR / "forum.css").read_bytes()
    etag = client.get("/static/forum.css").headers["etag"]
    again = client.get("/static/forum.css", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    # what updates the stored copy, no more (it keeps the security headers of its 200)
    assert set(again.headers) == {"cache-control", "etag", "vary"}
    for encoding, decompress in [("br", brotli.decompress), ("gzip", gzip.decompress)]:
        with client.stream(
            "GET", static_url("forum.css"), headers={"Accept-Encoding": encoding}
        ) as response:
            raw = b"".join(response.iter_raw())
        assert response.headers["content-encoding"] == encoding
        assert response.headers["vary"] == "accept-encoding"
        assert decompress(raw) == plain and len(raw) < len(plain) / 2


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_an_88_kb_article_page_goes_over_the_wire_at_a_quarter_of_its_size(
    client, database, encoding
):
    """The issue's page: an article with 100 comments (the benchmark's tree and bodies)."""
    seed_articles(database, {"long": 100})
    identity = client.get("/articles/long", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in identity.headers
    size = len(identity.content)
    # 88 KB when the issue was written; folds, "in reply to" and votes added about 0.6 KB a
    # comment since. What counts is the share on the wire.
    assert 80_000 < size < 160_000
    with client.stream("GET", "/articles/long", headers={"Accept-Encoding": encoding}) as response:
        raw = b"".join(response.iter_raw())
    assert response.headers["content-encoding"] == encoding
    assert "accept-encoding" in response.headers["vary"].lower()
    assert len(raw) <= size / 4
    decompress = brotli.decompress if encoding == "br" else gzip.decompress
    assert len(decompress(raw)) == size


def test_forum_serve_runs_uvloop_and_httptools_by_default(settings, monkeypatch):
    import uvicorn

    seen: list[dict] = []
    monkeypatch.setattr(
        uvicorn, "run", lambda *args, **kwargs: seen.append({"app": args, **kwargs})
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"FORUM_DATABASE_URL": settings.effective_database_url}
    env["FORUM_VAR_DIR"] = str(settings.var_dir)
    for args, expected in [
        ([], ("uvloop", "httptools")),
        (["--loop", "asyncio", "--http", "h11"], ("asyncio", "h11")),
    ]:
        result = CliRunner().invoke(main, ["serve", "--port", str(port), *args], env=env)
        assert result.exit_code == 0, result.output
        assert (seen[-1]["loop"], seen[-1]["http"]) == expected
        assert seen[-1]["app"] == ("forum.app.served:served_app",) and seen[-1]["factory"]


SERVED_PROBE = """
import gc, json
from forum.app import served
before = gc.get_threshold()
app = served.served_app()
print(json.dumps({"frozen": gc.get_freeze_count(), "before": before,
                  "after": gc.get_threshold(), "young": served.YOUNG_THRESHOLD,
                  "routes": len(app.routes)}))
"""


def test_a_served_app_keeps_the_collector_off_what_lives_as_long_as_the_process(settings):
    """``forum serve`` freezes the objects the app was built of out of garbage collection and
    walks the young generation less often (a thousand-comment thread makes thousands). In a
    process of its own, as uvicorn's worker: the test's process keeps its collector as it is."""
    env = {
        **os.environ,
        "FORUM_DATABASE_URL": settings.effective_database_url,
        "FORUM_VAR_DIR": str(settings.var_dir),
        "FORUM_SECRET_KEY": settings.effective_secret_key(),
    }
    done = subprocess.run(
        [sys.executable, "-c", SERVED_PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["frozen"] > 10_000  # the app, its routes, the modules
    assert seen["after"] == [seen["young"], *seen["before"][1:]]
    assert seen["before"][0] < seen["young"] and seen["routes"] > 100


def test_the_access_log_formats_on_its_writer_thread_not_the_event_loop(client, monkeypatch):
    """The request's thread only hands the line over; the writer thread turns it into JSON."""
    handler = only_the_writer(monkeypatch)
    assert isinstance(handler.formatter, JsonLines)
    assert handler.writer.is_alive() and handler.writer is not threading.current_thread()
    handler.flush()
    client.get("/api/articles")
    (pending,) = handler.pending  # not written yet: the writer's next batch does it
    assert pending[1]["route"] == "/api/articles"


def test_a_request_that_queued_no_bookkeeping_takes_no_thread_for_it(client, monkeypatch):
    ran: list[bool] = []
    original = UnitOfWork.run_after_work

    def spy(self: UnitOfWork) -> None:
        ran.append(self.has_after_work)
        original(self)

    monkeypatch.setattr(UnitOfWork, "run_after_work", spy)
    assert client.get("/api/articles").status_code == 200
    assert ran == []
