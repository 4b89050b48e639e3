"""Password hashing is bounded: at most ``concurrency`` argon2 runs at once, in worker threads;
callers beyond that wait briefly, then are told to come back (``Unavailable``)."""

import threading
import time

import anyio
import pytest
from argon2 import PasswordHasher, extract_parameters

from forum.accounts.passwords import Passwords
from forum.errors import Unavailable


class SlowHasher(PasswordHasher):
    """argon2's hasher with a slow, counted ``hash``: how many run at the same time."""

    def __init__(self, seconds: float) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.seconds = seconds
        self.running = self.most = self.calls = 0
        self._lock = threading.Lock()

    def hash(self, password, *, salt=None):
        with self._lock:
            self.running += 1
            self.calls += 1
            self.most = max(self.most, self.running)
        time.sleep(self.seconds)
        with self._lock:
            self.running -= 1
        return "$argon2id$fake"


def test_hashing_runs_at_most_capacity_at_once():
    hasher = SlowHasher(0.1)
    passwords = Passwords(hasher, concurrency=2, wait_seconds=30)
    results: list[str] = []

    async def main() -> None:
        async def one() -> None:
            results.append(await passwords.hash_async("a long enough passphrase"))

        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                for _ in range(8):
                    group.start_soon(one)

    anyio.run(main)
    assert results == ["$argon2id$fake"] * 8
    assert hasher.most == 2


def test_a_caller_beyond_capacity_gets_unavailable_with_retry_after():
    hasher = SlowHasher(1.5)
    passwords = Passwords(hasher, concurrency=1, wait_seconds=0.2)
    outcome: dict[str, object] = {}

    async def main() -> None:
        async def first() -> None:
            outcome["first"] = await passwords.hash_async("a long enough passphrase")

        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                group.start_soon(first)
                while passwords.busy == 0:
                    await anyio.sleep(0.01)
                started = time.monotonic()
                with pytest.raises(Unavailable) as refused:
                    await passwords.verify_async(None, "another passphrase")
                outcome["waited"] = time.monotonic() - started
                outcome["retry_after"] = refused.value.retry_after

    anyio.run(main)
    assert outcome["first"] == "$argon2id$fake"
    assert 0.15 <= outcome["waited"] < 1.4  # gave up after its wait, not after the hash
    assert outcome["retry_after"] >= 1
    assert hasher.calls == 1
    assert passwords.busy == 0


def test_making_the_dummy_hash_costs_no_hashing():
    hasher = SlowHasher(0)
    passwords = Passwords(hasher)
    assert hasher.calls == 0
    dummy = passwords._dummy
    assert extract_parameters(dummy) == extract_parameters(
        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("x")
    )
    assert passwords.verify(None, "anything at all") is False


def test_an_unknown_account_costs_as_much_as_a_wrong_password():
    passwords = Passwords(PasswordHasher(time_cost=2, memory_cost=16384, parallelism=1))
    stored = passwords.hash("the real passphrase")

    def timed(stored_hash):
        started = time.perf_counter()
        assert passwords.verify(stored_hash, "a wrong passphrase") is False
        return time.perf_counter() - started

    wrong = min(timed(stored) for _ in range(3))
    unknown = min(timed(None) for _ in range(3))
    assert unknown > wrong * 0.5
