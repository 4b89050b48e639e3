"""Per-request random tokens (CSRF tokens, form nonces, request ids) without a system call each.

``secrets.token_hex`` asks the kernel for every token, and on a virtual machine each
``getrandom`` call costs about 18 µs: three of them were half the cost of an answer from the
front cache. These functions take the same operating-system CSPRNG output from a buffer
refilled 4 KiB at a time, so a token is exactly as unpredictable; a forked process starts
with an empty buffer, so two processes never hand out the same bytes. Long-lived secrets (the
secret key, a site's signing secret) still come from ``secrets`` directly.
"""

from __future__ import annotations

import base64
import os
import threading

from litestar.middleware.csrf import generate_csrf_hash

CHUNK = 4096


class _Buffer:
    """Random bytes from ``os.urandom``, handed out once each, under a lock (handlers run in
    threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.data = b""
        self.position = 0

    def take(self, count: int) -> bytes:
        with self.lock:
            if self.position + count > len(self.data):
                self.data, self.position = os.urandom(max(CHUNK, count)), 0
            start = self.position
            self.position += count
            return self.data[start : self.position]

    def forget(self) -> None:
        """Drop what is left (in a child after a fork: its parent hands out the same bytes)."""
        self.lock = threading.Lock()
        self.data, self.position = b"", 0


_buffer = _Buffer()
os.register_at_fork(after_in_child=_buffer.forget)


def token_hex(nbytes: int) -> str:
    """``nbytes`` random bytes as hex, as ``secrets.token_hex``."""
    return _buffer.take(nbytes).hex()


def token_urlsafe(nbytes: int) -> str:
    """``nbytes`` random bytes in URL-safe base64 without padding, as ``secrets.token_urlsafe``."""
    return base64.urlsafe_b64encode(_buffer.take(nbytes)).rstrip(b"=").decode("ascii")


CSRF_RANDOM_LENGTH = 64
"""Hex digits of a CSRF token's random part (its HMAC follows)."""
_HEX = frozenset("0123456789abcdef")


def csrf_token(secret: str) -> str:
    """A new CSRF token as Litestar's CSRF middleware makes and checks them (a random value
    and its HMAC under ``secret``)."""
    token = token_hex(CSRF_RANDOM_LENGTH // 2)
    return token + generate_csrf_hash(token=token, secret=secret)


def csrf_token_of(random_part: str, secret: str) -> str | None:
    """The whole CSRF token whose random part is ``random_part`` (a token's first half), or
    None when it is not one: the HMAC is ours, so only the holder of a page can name it."""
    if len(random_part) != CSRF_RANDOM_LENGTH or not _HEX.issuperset(random_part):
        return None
    return random_part + generate_csrf_hash(token=random_part, secret=secret)
