"""What the front cache stands on: gzip bodies completed per request, the write generation
that makes its entries stale, and render-cache keys that name the code."""

from __future__ import annotations

import gzip
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st
from redis import Redis
from sqlalchemy import text

from forum.db import generation
from forum.web.front_entries import split_at_marks
from forum.web.render_cache import RedisRenderCache, code_version
from forum.web.spliced_gzip import LEVEL, QUICK_LEVEL, CrcShift, SplicedGzip


@settings(deadline=None)  # a loaded CI machine may take long on one example
@given(
    st.lists(st.binary(max_size=3000), min_size=1, max_size=5),
    st.lists(st.binary(max_size=200), min_size=4, max_size=4),
    st.sampled_from([LEVEL, QUICK_LEVEL]),
)
def test_a_spliced_gzip_body_decodes_to_the_text_with_the_values_in_place(segments, values, level):
    spliced = SplicedGzip.of(segments, level)
    used = values[: len(segments) - 1]
    expected = segments[0] + b"".join(v + s for v, s in zip(used, segments[1:], strict=True))
    assert gzip.decompress(spliced.body(used)) == expected  # gzip checks CRC and length


def test_a_page_sized_body_compresses_well_with_a_token_in_it():
    page = b"<p>A comment with words in it.</p>\n" * 3000
    spliced = SplicedGzip.of([page[:50_000], page[50_000:]])
    body = spliced.body([b"f" * 128])
    assert len(body) < len(page) / 10
    assert gzip.decompress(body) == page[:50_000] + b"f" * 128 + page[50_000:]


@settings(deadline=None)
@given(st.binary(max_size=500), st.integers(0, 2**32 - 1))
def test_a_crc_is_carried_across_a_segment_without_reading_it(segment, crc):
    assert CrcShift.over(segment)(crc) == zlib.crc32(segment, crc)


def test_a_crc_is_carried_across_segments_of_any_length():
    for size in (1, 255, 256, 65_535, 65_536, 200_003):
        segment = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
        for crc in (0, 1, 0xDEADBEEF, 2**32 - 1):
            assert CrcShift.over(segment)(crc) == zlib.crc32(segment, crc)


MARKS = {b"\x00nonce\x00": 1, b"\x00time\x00": 2, b"\x00token\x00": 0}


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(
            st.binary(max_size=50).map(lambda b: b.replace(b"\x00", b"")),
            st.sampled_from(list(MARKS)),
        ),
        max_size=8,
    ),
    st.binary(max_size=50).map(lambda b: b.replace(b"\x00", b"")),
)
def test_a_page_is_cut_at_every_mark_in_order(parts, last):
    body = b"".join(text + mark for text, mark in parts) + last
    segments, cuts = split_at_marks(body, MARKS)
    assert segments == [text for text, _ in parts] + [last]
    assert cuts == [MARKS[mark] for _, mark in parts]


def test_a_committed_write_moves_the_generation_and_a_read_or_a_rollback_does_not(database):
    with database.session(write=True) as session:
        session.execute(text("CREATE TABLE scratch (n INTEGER)"))
    before = generation.value
    with database.session() as session:
        session.execute(text("SELECT n FROM scratch"))
    assert generation.value == before
    session = database.new_session(write=True)
    session.execute(text("INSERT INTO scratch VALUES (1)"))
    session.rollback()
    session.close()
    assert generation.value == before
    with database.engine.connect() as connection:  # below the session: still counted
        connection.execute(text("INSERT INTO scratch VALUES (2)"))
        connection.commit()
        connection.execute(text("SELECT 1"))  # a read after it, rolled back at close
    assert generation.value > before


def test_shared_render_cache_keys_name_the_code_version():
    client = Redis.from_url("redis://127.0.0.1:1/0")  # never connected
    cache = RedisRenderCache(client, "site")
    assert cache.prefix == f"site:render:{code_version()}:"
    assert len(code_version()) == 12
    client.close()
