"""Per-request tokens come from a buffer of the OS's random bytes: each unique, CSRF tokens
that Litestar's middleware accepts, and never the same bytes in a forked worker."""

from __future__ import annotations

import os
import re

from litestar.middleware.csrf import generate_csrf_hash

from forum.web.random_tokens import CHUNK, csrf_token, token_hex, token_urlsafe


def test_tokens_are_never_handed_out_twice_across_refills():
    tokens = [token_hex(32) for _ in range(3 * CHUNK // 32)]
    assert len(set(tokens)) == len(tokens)
    assert all(re.fullmatch(r"[0-9a-f]{64}", t) for t in tokens)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token_urlsafe(16))


def test_a_csrf_token_carries_the_hmac_litestar_checks():
    token = csrf_token("a secret of the site")
    value, signature = token[:64], token[64:]
    assert signature == generate_csrf_hash(token=value, secret="a secret of the site")
    assert csrf_token("a secret of the site")[:64] != value


def test_a_forked_worker_does_not_repeat_its_parents_next_tokens():
    token_hex(1)  # the buffer holds bytes the child would inherit
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child
        os.write(write, token_hex(16).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    childs = os.read(read, 64).decode()
    os.close(read)
    assert len(childs) == 32 and childs != token_hex(16)
