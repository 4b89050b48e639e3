"""Throttling of password logins per account and per client address, in a Litestar store.

Each attempt is counted *before* its password is checked, with an atomic increment
(``forum.web.counters``): of a parallel burst of guesses, only the first ``attempts`` are
checked at all, the rest are refused unchecked. The account is the one the typed name
resolves to (``user:<id>``), so a username, its email address, its upper-case and its
full-width spellings share one count; a name that resolves to nobody is counted under its
normalized form, so an unknown account is throttled exactly like a known one.

With Redis configured the counts hold across every process; keys are hashed under the secret
key (``forum.signing``), so neither addresses nor login names are written to the store in clear.
"""

from __future__ import annotations

from litestar.stores.base import Store

from forum.signing import Signer
from forum.web.counters import increment


class LoginThrottle:
    def __init__(self, store: Store, *, attempts: int, window_seconds: int, secret: str) -> None:
        self.store = store
        self.attempts = attempts
        self.window = window_seconds
        self._signer = Signer(secret, "login-throttle")

    def _key(self, kind: str, value: str) -> str:
        return f"{kind}:{self._signer.keyed_hash(f'{kind}:{value}')[:32]}"

    def _keys(self, account: str, client: str) -> list[str]:
        return [self._key("account", account), self._key("client", client)]

    async def attempt(self, account: str, client: str) -> int | None:
        """Count an attempt on ``account`` from ``client``; None when its password may be
        checked, else the seconds until the busier of the two counts expires."""
        waits = []
        for key in self._keys(account, client):
            count, ttl = await increment(self.store, key, expires_in=self.window)
            if count > self.attempts:
                waits.append(ttl)
        return max(waits) if waits else None

    async def refund(self, account: str, client: str) -> None:
        """Take back an attempt whose password was never checked (no hashing capacity)."""
        for key in self._keys(account, client):
            await increment(self.store, key, by=-1, expires_in=self.window)

    async def succeeded(self, account: str, client: str) -> None:
        """After a success the account's count starts again; the address's forgets only this
        attempt, so one working account cannot be used to go on guessing others'."""
        account_key, client_key = self._keys(account, client)
        await self.store.delete(account_key)
        await increment(self.store, client_key, by=-1, expires_in=self.window)

    async def take(self, kind: str, value: str, *, limit: int) -> bool:
        """Count one use of something else limited per account (login-link mails): whether
        it is still within ``limit`` in the window."""
        count, _ = await increment(self.store, self._key(kind, value), expires_in=self.window)
        return count <= limit
