"""Password rules and hashing (argon2id via argon2-cffi).

Passwords are NFKC-normalized before hashing so that the same keyboard input always verifies,
whichever Unicode form a browser sends.
"""

from __future__ import annotations

import base64
import gzip
import math
import os
import secrets
import statistics
import time
import unicodedata
from collections import deque
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import anyio
from anyio import CapacityLimiter, move_on_after, to_thread
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from forum.errors import Unavailable
from forum.i18n import gettext, ngettext
from forum.text import TextProblem

T = TypeVar("T")

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
        raise TextProblem(
            ngettext(
                "Password must be at least %(num)s character.",
                "Password must be at least %(num)s characters.",
                MIN_LENGTH,
            )
        )
    if len(value) > MAX_LENGTH:
        raise TextProblem(
            ngettext(
                "Password must be at most %(num)s character.",
                "Password must be at most %(num)s characters.",
                MAX_LENGTH,
            )
        )
    if "\x00" in value:
        raise TextProblem(gettext("Password contains a character that is not allowed."))
    lowered = value.casefold()
    for personal in {username.casefold(), email.casefold(), email.split("@")[0].casefold()}:
        if len(personal) >= 3 and personal in lowered:
            raise TextProblem(gettext("Password must not contain your username or email address."))
    if lowered in common_passwords():
        raise TextProblem(gettext("That password is too common. Please choose another."))
    return value


HASH_WAIT_SECONDS = 4.5
"""How long a caller waits for hashing capacity before it is told to come back (503): a burst
of 32 logins on 2 cores (each hash ~0.28 s, two at once) is all hashed in about 4.5 s, so each
gets in within 5 s (issue 13) rather than the last few being turned away after 3 s."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def dummy_hash(hasher: PasswordHasher) -> str:
    """A well-formed hash with the hasher's parameters and random salt and digest.

    Verifying against it costs exactly what a real hash costs (argon2 recomputes, then
    compares), yet making it costs nothing: no 64 MiB hash at start-up in every worker.
    """
    return (
        f"$argon2id$v=19$m={hasher.memory_cost},t={hasher.time_cost},p={hasher.parallelism}"
        f"${_b64(secrets.token_bytes(hasher.salt_len))}${_b64(secrets.token_bytes(hasher.hash_len))}"
    )


def parameters_of(stored_hash: str | None) -> str:
    """The ``m=…,t=…,p=…`` part of an argon2 hash ('' for anything else)."""
    parts = (stored_hash or "").split("$")
    return parts[3] if len(parts) == 6 and parts[1].startswith("argon2") else ""


class VerifyCosts:
    """How long one verification takes with each set of parameters seen (the median of the
    latest few, steady under passing load), and the longest of them: what every verification
    is made to last (``floor``)."""

    SAMPLES = 15

    def __init__(self) -> None:
        self._seconds: dict[str, deque[float]] = {}

    def record(self, parameters: str, seconds: float) -> None:
        self._seconds.setdefault(parameters, deque(maxlen=self.SAMPLES)).append(seconds)

    def floor(self) -> float:
        return max((statistics.median(s) for s in self._seconds.values()), default=0.0)


class Passwords:
    """Hashing and verification with one set of parameters; verification always does the work.

    ``verify`` against a missing hash checks a dummy hash, so that an unknown account costs the
    same time as a wrong password and reveals nothing. Hashes made with older parameters cost
    more or less than the dummy, so ``verify_async`` (what requests use) lasts as long as the
    slowest parameters seen since start: an unknown account, a current hash and an older one
    take the same time, and timing tells neither that an account exists nor how old it is.

    The async variants run argon2 in a worker thread, at most ``concurrency`` at once (the CPU
    count by default): each costs ``memory_cost`` KiB, so a burst of logins can neither exhaust
    memory nor starve the threads other requests need. A caller that cannot start within
    ``wait_seconds`` gets ``Unavailable`` (503 with Retry-After). The sync ones are for the
    command line and tests.
    """

    def __init__(
        self,
        hasher: PasswordHasher,
        *,
        concurrency: int | None = None,
        wait_seconds: float = HASH_WAIT_SECONDS,
    ) -> None:
        self.hasher = hasher
        self._dummy = dummy_hash(hasher)
        self.concurrency = max(1, concurrency or os.cpu_count() or 1)
        self.wait_seconds = wait_seconds
        self._slots = CapacityLimiter(self.concurrency)
        """Who may hash now; waited for on the event loop, with a deadline."""
        self._threads = CapacityLimiter(self.concurrency)
        """The worker threads that hash, apart from the pool other requests use."""
        self.costs = VerifyCosts()
        self._current = parameters_of(self._dummy)

    @property
    def busy(self) -> int:
        """How many hashes are running now."""
        return int(self._slots.borrowed_tokens)

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

    async def hash_async(self, password: str) -> str:
        """``hash`` in a worker thread, within the capacity (or ``Unavailable``)."""
        return await self._bounded(self.hash, password)

    async def verify_async(self, stored_hash: str | None, password: str) -> bool:
        """``verify`` in a worker thread, within the capacity (or ``Unavailable``), lasting
        at least as long as the slowest parameters seen (the wait is outside the capacity)."""
        parameters = parameters_of(stored_hash) or self._current

        def timed() -> tuple[bool, float]:
            started = time.perf_counter()
            ok = self.verify(stored_hash, password)
            return ok, time.perf_counter() - started

        ok, seconds = await self._bounded(timed)
        self.costs.record(parameters, seconds)
        await anyio.sleep(max(0.0, self.costs.floor() - seconds))
        return ok

    async def _bounded(self, work: Callable[..., T], *args: Any) -> T:
        started = False
        with move_on_after(self.wait_seconds):
            await self._slots.acquire()
            started = True
        if not started:
            raise Unavailable(
                gettext("Too many people are logging in right now. Please try again in a moment."),
                retry_after=math.ceil(self.wait_seconds),
            )
        try:
            return await to_thread.run_sync(work, *args, limiter=self._threads)
        finally:
            self._slots.release()
