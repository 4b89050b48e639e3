"""Tokens in links and headers.

Signed tokens (email verification, unsubscribe links) carry their own data and expiry; they are
made by ``forum.signing.Signer`` under the secret key and a purpose, so a token for one purpose
is useless for another. Random tokens (password reset, access tokens) are stored only as
SHA-256 hashes.
"""

from __future__ import annotations

import hashlib
import secrets

from forum.signing import BadToken, Signer

__all__ = ["BadToken", "Signer", "hash_token", "random_token"]


def random_token(prefix: str = "") -> str:
    """A new secret with 256 bits of randomness."""
    return prefix + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What we store instead of a random token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
