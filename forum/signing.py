"""Everything keyed by the secret key: one derivation, one HMAC, one signer per purpose.

Links (email verification, unsubscribe), the consent cookie, the login throttle's store keys and
the CSRF secret each use a key derived here from the secret key and a purpose, so a value made
for one purpose is worthless for another, and how keys are derived is decided in one function.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

MAX_TOKEN = 2048


class BadToken(ValueError):
    """A token that is malformed, tampered with, for another purpose, or expired."""


def derive_key(secret_key: str, purpose: str) -> bytes:
    """The key for one purpose: SHA-256 over the purpose and the secret key.

    The one place keys come from (as Django's ``salted_hmac`` derives its keys); a new purpose
    gets its own name, never another purpose's key.
    """
    return hashlib.sha256(f"forum:{purpose}:{secret_key}".encode()).digest()


def purpose_secret(secret_key: str, purpose: str) -> str:
    """The derived key as text, for libraries that take a secret string (Litestar's CSRF)."""
    return derive_key(secret_key, purpose).hex()


def equal(given: str, expected: str) -> bool:
    """Whether two secrets (a state, a signature) are equal, in constant time."""
    return hmac.compare_digest(given.encode(), expected.encode())


def shared_key_mac(key: str, message: bytes) -> str:
    """HMAC-SHA256 (hex) of ``message`` under a key shared with someone else, not derived
    from ours: what a registered site signs its reader hand-offs with."""
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    """HMAC-SHA256 under one purpose's key: seals text, signs expiring payloads, hashes keys.

    ``mac_bytes`` shortens the MAC where space is tight (a cookie); 12 bytes still leave 96 bits
    to guess.
    """

    def __init__(self, secret_key: str, purpose: str, *, mac_bytes: int = 32) -> None:
        self._key = derive_key(secret_key, purpose)
        self._size = mac_bytes

    def _digest(self, text: str) -> bytes:
        return hmac.new(self._key, text.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()

    def mac(self, text: str) -> str:
        return _b64(self._digest(text)[: self._size])

    def seal(self, text: str) -> str:
        """``text.<mac>``: the text readable, any change to it detectable."""
        return f"{text}.{self.mac(text)}"

    def unseal(self, value: str) -> str:
        """The text of a sealed value, or ``BadToken`` when its MAC does not match."""
        text, dot, mac = value.rpartition(".")
        given = mac.encode("utf-8", "surrogatepass")
        if not dot or not hmac.compare_digest(given, self.mac(text).encode()):
            raise BadToken("bad signature")
        return text

    def keyed_hash(self, text: str) -> str:
        """A hex digest of ``text`` that only the secret key's holder can compute or link."""
        return self._digest(text).hex()

    def sign(
        self, payload: dict[str, Any], *, max_age_seconds: int, now: float | None = None
    ) -> str:
        """A token carrying ``payload`` (JSON) that ``unsign`` accepts for ``max_age_seconds``."""
        expires = int((now if now is not None else time.time()) + max_age_seconds)
        body = _b64(json.dumps({"p": payload, "e": expires}, separators=(",", ":")).encode())
        return self.seal(body)

    def unsign(self, token: str, *, now: float | None = None) -> dict[str, Any]:
        """The payload of a token from ``sign``, or ``BadToken``."""
        if len(token) > MAX_TOKEN or token.count(".") != 1:
            raise BadToken("malformed")
        body = self.unseal(token)
        try:
            data = json.loads(_unb64(body))
        except (ValueError, UnicodeDecodeError):
            raise BadToken("malformed") from None
        if not isinstance(data, dict):
            raise BadToken("malformed")
        expires = data.get("e", 0)
        if not isinstance(expires, int) or expires < (now if now is not None else time.time()):
            raise BadToken("expired")
        payload = data.get("p")
        if not isinstance(payload, dict):
            raise BadToken("malformed")
        return payload
