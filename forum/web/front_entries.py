"""What the front cache keeps of an answer, and the bodies it makes of it.

A handler that serves every cookieless visitor alike registers its answer on the request's
``Offer`` (with marks where each answer's own form nonce and start time go); ``build`` cuts
the body where those values and the CSRF token go, precompresses it around the cuts, and keeps
the headers that do not change per answer; ``body_for`` puts an answer's values back in.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import brotli  # type: ignore[import-untyped]

from forum.db import generation
from forum.web.random_tokens import token_hex, token_urlsafe
from forum.web.spliced_gzip import LEVEL, SplicedGzip

MIN_COMPRESS = 500
"""Bodies smaller than this go out as they are (Litestar's compression does the same)."""
BROTLI_QUALITY = 5
LIVE_BROTLI_QUALITY = 4
"""For the rare client that takes brotli but not gzip, a page compressed per answer (as
Litestar's compression does every answer)."""
DROPPED = frozenset(
    {b"set-cookie", b"x-request-id", b"etag", b"content-length", b"content-encoding", b"vary"}
)
"""Response headers the front cache writes per answer instead of keeping them."""
IN_304 = frozenset({b"cache-control", b"expires", b"content-location"})
"""The kept headers a 304 repeats: what updates the client's stored copy (RFC 9110 15.4.5:
no other representation metadata). The security headers stay on that copy from its 200: a
304 carrying them again cost a third of the cheapest answer's time in the server's header
loop and write."""
Headers = list[tuple[bytes, bytes]]
Etag = Callable[[str], str] | str
"""The answer's ETag: made of the CSRF token it carries (a page, whose forms carry it), or the
same for every answer (a JSON thread)."""


def validator_of(tag: str) -> str:
    """What names the content in an entity tag: a visitor page's tag is ``"content.token"``
    (its second part the random half of the CSRF token its forms carry); a JSON thread's has
    no dot."""
    return tag.strip().removeprefix("W/").strip('"').split(".", 1)[0]


@dataclass
class Offer:
    """Put in the state of a request the front cache could keep: the marks a handler puts
    where the form's nonce and start time go, and what it registered."""

    generation: int
    made: float = field(default_factory=lambda: time.monotonic())
    """When the request began: the entry's age counts from here."""
    nonce_mark: str = field(default_factory=lambda: "nonce" + token_hex(12))
    time_mark: str = field(default_factory=lambda: "time" + token_hex(12))
    etag: Etag | None = None

    def register(self, etag: Etag) -> None:
        """This answer is every cookieless visitor's alike (but for the token and marks)."""
        self.etag = etag


TOKEN, NONCE, TIME = 0, 1, 2


@dataclass
class Entry:
    """One kept answer; ``cuts`` says which value goes in each cut of ``segments``."""

    generation: int
    expires: float
    route: str
    headers: Headers
    head_304: Headers
    vary: bytes
    etag: Etag
    validator: str
    segments: list[bytes]
    cuts: list[int]
    gzip: SplicedGzip | None
    br: bytes | None
    token: str = ""
    """The CSRF token an answer carries when it is always the same one (a reader's own)."""
    fixed_304: Headers | None = None
    """The whole head of every 304, when nothing in it depends on a token: a body without one
    and a tag of its own (a JSON thread). It carries no CSRF cookie: the client's copy holds
    no form that would need it (its 200 carried one), and the cookie cost a fifth of the
    answer's time (an HMAC, a 150-byte header the server checks and writes)."""

    @property
    def size(self) -> int:
        gzip = self.gzip.size if self.gzip else 0
        return sum(map(len, self.segments)) + gzip + len(self.br or b"") + 2048

    def fresh(self, arrived: float) -> bool:
        """Current for a request that ``arrived`` then (one that waited while the entry was
        made is judged by when it came, not by how long the making took)."""
        return self.generation == generation.value and arrived < self.expires


def tag_of(etag: Etag, token: str) -> str:
    """The ETag of an answer carrying ``token``."""
    return etag if isinstance(etag, str) else etag(token)


def token_part(tag: str) -> str:
    """What follows the content in an entity tag (a page's: its CSRF token's random part)."""
    return tag.strip().removeprefix("W/").strip('"').partition(".")[2]


def header_value(headers: Headers, name: bytes) -> bytes:
    return next((v for k, v in headers if k == name), b"")


def decode(body: bytes, encoding: bytes) -> bytes:
    if encoding == b"gzip":
        return zlib.decompress(body, 16 + zlib.MAX_WBITS)
    if encoding == b"br":
        return bytes(brotli.decompress(body))
    return body


def build(
    found: Offer,
    headers: Headers,
    body: bytes,
    token: str,
    *,
    route: str,
    expires: float,
    cut_token: bool = True,
    level: int = LEVEL,
) -> Entry:
    """An entry of ``body``, cut where the handler's marks are and, unless every answer of it
    carries the same ``token`` (``cut_token`` False), where the token is; gzip ``level``."""
    assert found.etag is not None
    marks = {found.nonce_mark.encode(): NONCE, found.time_mark.encode(): TIME}
    if cut_token:
        marks[token.encode()] = TOKEN
    segments, cuts = split_at_marks(body, marks)
    compress = len(body) >= MIN_COMPRESS
    vary = header_value(headers, b"vary")
    if compress and b"accept-encoding" not in vary.lower():
        vary = vary + b", Accept-Encoding" if vary else b"Accept-Encoding"
    kept = [(k, v) for k, v in headers if k not in DROPPED]
    head_304 = [(k, v) for k, v in kept if k in IN_304]
    tag = tag_of(found.etag, token)
    fixed = isinstance(found.etag, str) and TOKEN not in cuts  # the same tag for every answer
    return Entry(
        generation=found.generation,
        expires=expires,
        route=route,
        headers=kept,
        head_304=head_304,
        vary=vary,
        etag=found.etag,
        validator=validator_of(tag),
        segments=segments,
        cuts=cuts,
        gzip=SplicedGzip.of(segments, level) if compress else None,
        br=brotli.compress(body, quality=BROTLI_QUALITY) if compress and not cuts else None,
        fixed_304=[(b"etag", tag.encode()), (b"vary", vary), *head_304] if fixed else None,
    )


def split_at_marks(body: bytes, marks: dict[bytes, int]) -> tuple[list[bytes], list[int]]:
    """``body`` cut at every occurrence of the marks, and which mark was at each cut (found
    with ``bytes.find``: a regular expression of the marks took 20 times as long)."""
    segments: list[bytes] = []
    cuts: list[int] = []
    at = 0
    next_at = {mark: body.find(mark) for mark in marks}
    while True:
        found = [(where, mark) for mark, where in next_at.items() if where >= 0]
        if not found:
            segments.append(body[at:])
            return segments, cuts
        where, mark = min(found)
        segments.append(body[at:where])
        cuts.append(marks[mark])
        at = where + len(mark)
        next_at[mark] = body.find(mark, at)


def _values(entry: Entry, token: str) -> list[bytes]:
    made: dict[int, bytes] = {TOKEN: token.encode()}
    if NONCE in entry.cuts:
        made[NONCE] = token_urlsafe(16).encode()
    if TIME in entry.cuts:
        made[TIME] = b"%d" % int(time.time())
    return [made[cut] for cut in entry.cuts]


def body_for(entry: Entry, token: str, accept: bytes) -> tuple[bytes, bytes | None]:
    """The body for a client that accepts ``accept``, and its ``Content-Encoding``."""
    if entry.br is not None and b"br" in accept:
        return entry.br, b"br"
    if not entry.cuts:
        if entry.gzip is not None and b"gzip" in accept:
            return entry.gzip.body([]), b"gzip"
        return entry.segments[0], None
    values = _values(entry, token)
    if entry.gzip is not None and b"gzip" in accept:
        return entry.gzip.body(values), b"gzip"
    parts = [entry.segments[0]]
    for value, segment in zip(values, entry.segments[1:], strict=True):
        parts += (value, segment)
    plain = b"".join(parts)
    if entry.gzip is not None and b"br" in accept:  # brotli only: compressed for this answer
        return brotli.compress(plain, quality=LIVE_BROTLI_QUALITY), b"br"
    return plain, None


def filled(start: Any, body: bytes, found: Offer) -> tuple[dict[str, Any], bytes]:
    """A registered answer that was not kept, with its marks filled (sent uncompressed)."""
    headers: Headers = [(bytes(k).lower(), bytes(v)) for k, v in start.get("headers", [])]
    body = decode(body, header_value(headers, b"content-encoding"))
    body = body.replace(found.nonce_mark.encode(), token_urlsafe(16).encode())
    body = body.replace(found.time_mark.encode(), b"%d" % int(time.time()))
    headers = [(k, v) for k, v in headers if k not in (b"content-encoding", b"content-length")]
    headers.append((b"content-length", b"%d" % len(body)))
    return {**start, "headers": headers}, body
