"""Password rules and hashing (argon2id via argon2-cffi).

Passwords are NFKC-normalized before hashing so that the same keyboard input always verifies,
whichever Unicode form a browser sends.
"""

from __future__ import annotations

import gzip
import unicodedata
from functools import cache
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from forum.text import TextProblem

MIN_LENGTH = 10
MAX_LENGTH = 1024
COMMON_PASSWORDS = resources.files("forum.accounts").joinpath("common-passwords.txt.gz")
"""Package data, read wherever forum is installed."""


def make_hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    """An argon2id hasher with the given parameters."""
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID
    )


def normalize(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


@cache
def common_passwords() -> frozenset[str]:
    """The very common passwords we refuse (Django's list of 20,000, shipped with forum)."""
    with COMMON_PASSWORDS.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def check_new_password(password: str, *, username: str, email: str) -> str:
    """The normalized password, or ``TextProblem`` saying why it is refused."""
    value = normalize(password)
    if len(value) < MIN_LENGTH:
        raise TextProblem(f"Password must be at least {MIN_LENGTH} characters.")
    if len(value) > MAX_LENGTH:
        raise TextProblem(f"Password must be at most {MAX_LENGTH} characters.")
    if "\x00" in value:
        raise TextProblem("Password contains a character that is not allowed.")
    lowered = value.casefold()
    for personal in {username.casefold(), email.casefold(), email.split("@")[0].casefold()}:
        if len(personal) >= 3 and personal in lowered:
            raise TextProblem("Password must not contain your username or email address.")
    if lowered in common_passwords():
        raise TextProblem("That password is too common. Please choose another.")
    return value


class Passwords:
    """Hashing and verification with one set of parameters; verification always does the work.

    ``verify`` against a missing hash checks a dummy hash, so that an unknown account costs the
    same time as a wrong password and reveals nothing.
    """

    def __init__(self, hasher: PasswordHasher) -> None:
        self.hasher = hasher
        self._dummy = hasher.hash("forum dummy password for timing")

    def hash(self, password: str) -> str:
        return self.hasher.hash(normalize(password))

    def verify(self, stored_hash: str | None, password: str) -> bool:
        candidate = normalize(password)[: MAX_LENGTH * 4]
        try:
            return self.hasher.verify(stored_hash or self._dummy, candidate) and bool(stored_hash)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self.hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True
