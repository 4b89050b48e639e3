"""What keeps one worker's memory small (issue 13, target 8): each SQLite connection keeps a
small page cache of its own, ``forum serve`` caps glibc's malloc arenas and fixes its mmap
threshold, and the render cache
counts what its strings really hold."""

import os

import pytest

from forum.cli import serve
from forum.sqlite import PAGE_CACHE_KIB
from forum.web.render_cache import MemoryRenderCache


def test_every_sqlite_connection_keeps_a_small_page_cache(database):
    if database.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -PAGE_CACHE_KIB


def test_forum_serve_caps_malloc_arenas_and_fixes_the_mmap_threshold_unless_told_otherwise(
    monkeypatch,
):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    serve._fewer_malloc_arenas()
    assert os.environ["MALLOC_ARENA_MAX"] == str(serve.MALLOC_ARENAS)
    assert os.environ["MALLOC_MMAP_THRESHOLD_"] == str(128 * 1024)
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    serve._fewer_malloc_arenas()
    assert os.environ["MALLOC_ARENA_MAX"] == "4"
    assert os.environ["MALLOC_MMAP_THRESHOLD_"] == "65536"


def test_the_render_cache_counts_what_a_string_holds_in_memory():
    ascii_text, euros = "a" * 500, "€" * 600
    cache = MemoryRenderCache(max_bytes=1500)
    cache.set("plain", ascii_text)
    cache.set("accented", euros)  # 600 characters of 2 bytes each in memory: the plain one goes
    assert cache.get("plain") is None and cache.get("accented") == euros
    assert cache.size <= 1500
