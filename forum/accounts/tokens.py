"""Tokens in links and headers.

Signed tokens (email verification, unsubscribe links) carry their own data and expiry, signed
with HMAC-SHA256 under the secret key and a purpose, so a token for one purpose is useless for
another. Random tokens (password reset, access tokens) are stored only as SHA-256 hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any


class BadToken(ValueError):
    """A token that is malformed, tampered with, for another purpose, or expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    """Signs small JSON payloads with an expiry, for one purpose."""

    def __init__(self, secret_key: str, purpose: str) -> None:
        self._key = hashlib.sha256(f"forum:{purpose}:{secret_key}".encode()).digest()

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode("ascii"), hashlib.sha256).digest())

    def sign(
        self, payload: dict[str, Any], *, max_age_seconds: int, now: float | None = None
    ) -> str:
        expires = int((now if now is not None else time.time()) + max_age_seconds)
        body = _b64(json.dumps({"p": payload, "e": expires}, separators=(",", ":")).encode())
        return f"{body}.{self._mac(body)}"

    def unsign(self, token: str, *, now: float | None = None) -> dict[str, Any]:
        if len(token) > 2048 or token.count(".") != 1:
            raise BadToken("malformed")
        body, mac = token.split(".")
        if not hmac.compare_digest(mac, self._mac(body)):
            raise BadToken("bad signature")
        try:
            data = json.loads(_unb64(body))
        except (ValueError, UnicodeDecodeError):
            raise BadToken("malformed") from None
        if data.get("e", 0) < (now if now is not None else time.time()):
            raise BadToken("expired")
        payload = data.get("p")
        if not isinstance(payload, dict):
            raise BadToken("malformed")
        return payload


def random_token(prefix: str = "") -> str:
    """A new secret with 256 bits of randomness."""
    return prefix + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What we store instead of a random token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
