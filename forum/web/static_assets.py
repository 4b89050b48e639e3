"""The files under ``/static/``, read once at start and served from memory.

Every file is reachable under two names: its own (``forum.css``, cached for
``SHORT_MAX_AGE`` seconds, for old pages and bookmarks) and a content-hashed one
(``forum.<hash>.css``, cached for a year and ``immutable``: a new content is a new name).
Templates link the hashed name through the ``static_url`` global. Text files carry
precompressed gzip and brotli variants, so a visitor's browser fetches each a few KB once.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import brotli  # type: ignore[import-untyped]

from forum.web.api_docs import api_docs_files

STATIC_DIR = Path(__file__).parent / "static"
URL_PREFIX = "/static/"
IMMUTABLE = b"public, max-age=31536000, immutable"
SHORT_MAX_AGE = 300
SHORT = f"public, max-age={SHORT_MAX_AGE}".encode()
LARGE = 256 * 1024
_COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")


@dataclass(frozen=True, slots=True)
class Asset:
    """One file's bytes (plain and, for text, compressed) and its validator."""

    content_type: bytes
    etag: bytes
    plain: bytes
    gzip: bytes | None
    br: bytes | None

    def body_for(self, accept_encoding: bytes) -> tuple[bytes, bytes | None]:
        """The smallest variant the client accepts, and its ``Content-Encoding``."""
        if self.br is not None and b"br" in accept_encoding:
            return self.br, b"br"
        if self.gzip is not None and b"gzip" in accept_encoding:
            return self.gzip, b"gzip"
        return self.plain, None


def _hashed_name(name: str, digest: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


def _brotli_quality(content: bytes) -> int:
    """The best brotli for our own files; a vendored bundle of a megabyte would take seconds at
    quality 11 at every start, so it gets 9 (some 10 % larger, a hundredth of the time)."""
    return 11 if len(content) < LARGE else 9


def _asset(path: Path, digest: str) -> Asset:
    content = path.read_bytes()
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    text = kind.startswith(_COMPRESSIBLE)
    content_type = f"{kind}; charset=utf-8" if kind.startswith("text/") else kind
    return Asset(
        content_type=content_type.encode(),
        etag=f'"{digest}"'.encode(),
        plain=content,
        gzip=gzip.compress(content, 9, mtime=0) if text else None,
        br=brotli.compress(content, quality=_brotli_quality(content)) if text else None,
    )


def _files(directory: Path, vendored: Mapping[str, Path]) -> list[tuple[str, Path]]:
    own = [
        (path.name, path)
        for path in sorted(directory.iterdir())
        if path.is_file() and not path.name.startswith(".")
    ]
    return own + sorted(vendored.items())


class StaticAssets:
    """The files of ``directory`` (not its subfolders), and ``vendored`` files of installed
    packages under names of ours, by URL path, with their cache policy."""

    def __init__(
        self, directory: Path = STATIC_DIR, vendored: Mapping[str, Path] | None = None
    ) -> None:
        self.urls: dict[str, str] = {}
        self.by_path: dict[str, tuple[Asset, bytes]] = {}
        for name, path in _files(directory, vendored or {}):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            asset = _asset(path, digest)
            hashed = URL_PREFIX + _hashed_name(name, digest)
            self.urls[name] = hashed
            self.by_path[hashed] = (asset, IMMUTABLE)
            self.by_path[URL_PREFIX + name] = (asset, SHORT)

    def url(self, name: str) -> str:
        """``/static/<name with its content hash>``; an unknown name fails loudly."""
        return self.urls[name]


@cache
def assets() -> StaticAssets:
    """The app's static files and the API documentation's, read once per process."""
    return StaticAssets(vendored=api_docs_files())


def static_url(name: str) -> str:
    """The Jinja global ``static_url("forum.css")`` → ``/static/forum.<hash>.css``."""
    return assets().url(name)
