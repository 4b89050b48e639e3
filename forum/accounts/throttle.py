"""Throttling of failed logins per account and per client address, in a Litestar store.

With Redis configured the counts hold across every process; keys are hashed under the secret
key (``forum.signing``), so neither addresses nor login names are written to the store in clear.
"""

from __future__ import annotations

from litestar.stores.base import Store

from forum.signing import Signer


class LoginThrottle:
    def __init__(self, store: Store, *, attempts: int, window_seconds: int, secret: str) -> None:
        self.store = store
        self.attempts = attempts
        self.window = window_seconds
        self._signer = Signer(secret, "login-throttle")

    def _keys(self, login: str, client: str) -> list[str]:
        def digest(kind: str, value: str) -> str:
            return f"{kind}:{self._signer.keyed_hash(f'{kind}:{value}')[:32]}"

        return [digest("account", login.strip().casefold()), digest("client", client)]

    async def retry_after(self, login: str, client: str) -> int | None:
        """Seconds until another attempt is allowed, or None when one is allowed now."""
        waits = []
        for key in self._keys(login, client):
            count = await self.store.get(key)
            if count is not None and int(count) >= self.attempts:
                waits.append(await self.store.expires_in(key) or self.window)
        return max(waits) if waits else None

    async def record_failure(self, login: str, client: str) -> None:
        for key in self._keys(login, client):
            current = await self.store.get(key)
            remaining = await self.store.expires_in(key) if current is not None else None
            count = int(current or 0) + 1
            await self.store.set(key, str(count), expires_in=remaining or self.window)

    async def reset(self, login: str, client: str) -> None:
        """Forget the account's failures after a success (the address keeps its count, so one
        working account cannot be used to go on guessing others' passwords)."""
        await self.store.delete(self._keys(login, client)[0])
