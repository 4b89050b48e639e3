"""Rate limits on what costs or mails: a burst, then a steady rate (a token bucket per key).

A route names its limit in its ``opt`` (``opt=limited(Limit.COMMENT)``); ``RateLimitMiddleware``
spends a token in each of the limit's buckets *before* the handler runs (no transaction is open
yet, no body is validated) and raises ``RateLimited`` — 429 with ``Retry-After`` in HTML and
JSON — when one of them is empty. Buckets live in the app's store: with Redis one Lua script
takes every bucket at once (atomic across every process and host); with the file store a file
lock makes the read-and-write atomic across the processes of one machine. Bucket keys are
hashed under the secret key, so no address is written to the store in clear.

Litestar's own ``RateLimitConfig`` counts one fixed window per client, not atomically; here a
limit has a burst and a steady rate, per user, per client address and per mailed address.
"""

from __future__ import annotations

import fcntl
import math
import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from anyio import to_thread
from litestar import Request
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.redis import RedisStore
from litestar.types import ASGIApp, Receive, Scope, Send

from forum.errors import RateLimited
from forum.i18n import N_, gettext, ngettext
from forum.settings import Settings
from forum.signing import Signer

OPT_KEY = "rate_limit"


class Limit(StrEnum):
    """What a route spends; each names the buckets it draws from (``rules``)."""

    COMMENT = "comment"
    """A comment or reply: per user and per client address; moderators are exempt."""
    REPORT = "report"
    """A report: per user and per client address."""
    VOTE = "vote"
    """A vote on a comment (cast, changed or taken back): per user and per client address."""
    REGISTRATION = "registration"
    """A registration: per client address, and a mail to the form's ``email``."""
    MAIL = "mail"
    """A reset or verification mail to the form's ``email``: per address and per client."""
    RESEND = "resend"
    """The verification mail again, to the account's own address: per user and per client."""
    TOKEN = "token"  # noqa: S105  (a limit's name, not a secret)
    """A personal access token: per user and per client address."""
    SUGGEST = "suggest"
    """A look-up of usernames to mention while typing: per user and per client address."""


def limited(limit: Limit) -> dict[str, Any]:
    """The route ``opt`` that puts a handler under ``limit``."""
    return {OPT_KEY: limit}


class Key(StrEnum):
    """What a bucket counts by."""

    USER = "user"
    ADDRESS = "address"
    MAIL_TO = "mail-to"
    """The ``email`` field of the posted form (trimmed, case-folded)."""


@dataclass(frozen=True)
class Rate:
    """``burst`` at once, then ``per_hour`` spread evenly; a burst of 0 is no limit."""

    burst: int
    per_hour: int

    def times(self, factor: int) -> Rate:
        return Rate(self.burst * factor, self.per_hour * factor)

    @property
    def per_second(self) -> float:
        return max(self.per_hour, 1) / 3600


@dataclass(frozen=True)
class Bucket:
    name: str
    key: Key
    rate: Rate


@dataclass(frozen=True)
class Rule:
    message: str
    """What was done too often, one sentence for the person (marked; translated when said):
    "try_again" adds "Please try again in 5 minutes." """
    buckets: tuple[Bucket, ...]
    moderators_exempt: bool = False


def rules(settings: Settings) -> dict[Limit, Rule]:
    """Every limit with its buckets, from the settings (a client address may stand for a
    household or an office: it gets ``limit_address_factor`` times a person's rate)."""
    factor = settings.limit_address_factor
    comments = Rate(settings.limit_comments_burst, settings.limit_comments_per_hour)
    reports = Rate(settings.limit_reports_burst, settings.limit_reports_per_hour)
    mails = Rate(settings.limit_mails_burst, settings.limit_mails_per_hour)
    tokens = Rate(settings.limit_tokens_burst, settings.limit_tokens_per_hour)
    suggestions = Rate(settings.limit_suggestions_burst, settings.limit_suggestions_per_hour)
    votes = Rate(settings.limit_votes_burst, settings.limit_votes_per_hour)
    registrations = Rate(settings.limit_registrations_burst, settings.limit_registrations_per_hour)
    mail_to = Bucket("mail-to", Key.MAIL_TO, mails)
    mail_from = Bucket("mail-from", Key.ADDRESS, mails.times(factor))
    return {
        Limit.COMMENT: Rule(
            N_("You have posted many comments in a short time."),
            (
                Bucket("comment", Key.USER, comments),
                Bucket("comment", Key.ADDRESS, comments.times(factor)),
            ),
            moderators_exempt=True,
        ),
        Limit.REPORT: Rule(
            N_("You have sent many reports in a short time."),
            (
                Bucket("report", Key.USER, reports),
                Bucket("report", Key.ADDRESS, reports.times(factor)),
            ),
        ),
        Limit.VOTE: Rule(
            N_("You have voted many times in a short time."),
            (Bucket("vote", Key.USER, votes), Bucket("vote", Key.ADDRESS, votes.times(factor))),
        ),
        Limit.REGISTRATION: Rule(
            N_("Many accounts were registered from your network or with this address lately."),
            (Bucket("registration", Key.ADDRESS, registrations), mail_to),
        ),
        Limit.MAIL: Rule(N_("Many mails were asked for in a short time."), (mail_to, mail_from)),
        Limit.RESEND: Rule(
            N_("Many mails were asked for in a short time."),
            (Bucket("mail-user", Key.USER, mails), mail_from),
        ),
        Limit.TOKEN: Rule(
            N_("You have created many access tokens in a short time."),
            (Bucket("token", Key.USER, tokens), Bucket("token", Key.ADDRESS, tokens.times(factor))),
        ),
        Limit.SUGGEST: Rule(
            N_("You have looked up many names in a short time."),
            (
                Bucket("suggest", Key.USER, suggestions),
                Bucket("suggest", Key.ADDRESS, suggestions.times(factor)),
            ),
        ),
    }


def try_again(seconds: int) -> str:
    """When to try again, a sentence: "Please try again in 40 seconds." (or in 3 minutes, in
    about 2 hours)."""
    if seconds < 60:
        return ngettext(
            "Please try again in %(num)s second.", "Please try again in %(num)s seconds.", seconds
        )
    minutes = math.ceil(seconds / 60)
    if minutes < 90:
        return ngettext(
            "Please try again in %(num)s minute.", "Please try again in %(num)s minutes.", minutes
        )
    hours = round(seconds / 3600)
    return ngettext(
        "Please try again in about %(num)s hour.", "Please try again in about %(num)s hours.", hours
    )


TAKE_SCRIPT = """
local now = tonumber(ARGV[1])
local levels, wait = {}, 0
for i, key in ipairs(KEYS) do
  local burst, rate = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local state = redis.call('HMGET', key, 't', 'at')
  local tokens = tonumber(state[1]) or burst
  local at = tonumber(state[2]) or now
  tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
  levels[i] = tokens
  if tokens < 1 then wait = math.max(wait, (1 - tokens) / rate) end
end
if wait > 0 then return tostring(wait) end
for i, key in ipairs(KEYS) do
  local burst, rate = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local tokens = levels[i] - 1
  redis.call('HSET', key, 't', tostring(tokens), 'at', tostring(now))
  redis.call('EXPIRE', key, math.ceil((burst - tokens) / rate) + 1)
end
return '0'
"""
"""Take one token from every bucket, or from none: returns the seconds to wait ('0': taken)."""


def refill(state: bytes | None, rate: Rate, now: float) -> float:
    """The tokens in a bucket now, from its stored ``tokens,at`` (full when never used)."""
    if state is None:
        return float(rate.burst)
    tokens, at = (float(part) for part in state.decode().split(","))
    return min(float(rate.burst), tokens + max(0.0, now - at) * rate.per_second)


class Buckets:
    """Token buckets in a Litestar store: Redis (a Lua script) or files (under a file lock)."""

    def __init__(self, store: Store) -> None:
        if not isinstance(store, RedisStore | FileStore):
            raise TypeError(f"rate limits need a Redis or file store, not {type(store).__name__}")
        self.store = store
        self._script = (
            store._redis.register_script(TAKE_SCRIPT) if isinstance(store, RedisStore) else None
        )

    async def take(self, keys: list[str], rates: list[Rate], now: float) -> float:
        """Take a token from each bucket if every one has one; else the seconds to wait."""
        if isinstance(self.store, RedisStore) and self._script is not None:
            args: list[float] = [now]
            for rate in rates:
                args += [rate.burst, rate.per_second]
            wait = await self._script(keys=[self.store._make_key(k) for k in keys], args=args)
            return float(wait.decode() if isinstance(wait, bytes) else wait)
        async with self._file_lock():
            levels = [
                refill(await self.store.get(k), r, now) for k, r in zip(keys, rates, strict=True)
            ]
            wait = max(
                ((1 - t) / r.per_second for t, r in zip(levels, rates, strict=True) if t < 1),
                default=0,
            )
            if wait > 0:
                return wait
            for key, rate, tokens in zip(keys, rates, levels, strict=True):
                full_in = math.ceil((rate.burst - tokens + 1) / rate.per_second) + 1
                await self.store.set(key, f"{tokens - 1},{now}", expires_in=full_in)
            return 0.0

    @asynccontextmanager
    async def _file_lock(self) -> AsyncIterator[None]:
        """An exclusive lock on the store's folder, held across processes (``flock``)."""
        assert isinstance(self.store, FileStore)
        folder = str(self.store.path)
        os.makedirs(folder, exist_ok=True)
        fd = os.open(os.path.join(folder, ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            await to_thread.run_sync(fcntl.flock, fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock


class RateLimiter:
    """Spends tokens for a limit and refuses with ``RateLimited`` when a bucket is empty."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.buckets = Buckets(store)
        self.rules = rules(settings)
        self.clock = clock
        self._signer = Signer(settings.effective_secret_key(), "rate-limits")

    async def spend(
        self, limit: Limit, values: dict[Key, str | None], *, exempt: bool = False
    ) -> None:
        """One attempt at ``limit`` by whoever ``values`` name (a missing value: no bucket)."""
        rule = self.rules[limit]
        if exempt and rule.moderators_exempt:
            return
        keys, rates = [], []
        for bucket in rule.buckets:
            value = values.get(bucket.key)
            if value and bucket.rate.burst > 0:
                digest = self._signer.keyed_hash(f"{bucket.key}:{value}")[:32]
                keys.append(f"{bucket.name}:{bucket.key}:{digest}")
                rates.append(bucket.rate)
        if not keys:
            return
        wait = await self.buckets.take(keys, rates, self.clock())
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            message = f"{gettext(rule.message)} {try_again(retry_after)}"
            raise RateLimited(message, retry_after=retry_after)


@dataclass(frozen=True)
class Caller:
    """Who is asking, as the rate limits see it: a user key (None for visitors) and whether
    the comment limits exempt them (moderators). Filled in by a higher layer in ``create_app``."""

    user: str | None = None
    exempt: bool = False


class RateLimitMiddleware(ASGIMiddleware):
    """Spends the route's limit (its ``opt``) before the handler runs."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, limiter: RateLimiter, caller: Callable[[Scope], Caller]) -> None:
        self.limiter = limiter
        self.caller = caller

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        limit = scope["route_handler"].opt.get(OPT_KEY)
        if limit is not None:
            caller = self.caller(scope)
            client = scope.get("client")
            values: dict[Key, str | None] = {
                Key.USER: caller.user,
                Key.ADDRESS: client[0] if client else "unknown",
            }
            if any(b.key is Key.MAIL_TO for b in self.limiter.rules[limit].buckets):
                values[Key.MAIL_TO] = await _mailed_address(scope, receive)
            await self.limiter.spend(limit, values, exempt=caller.exempt)
        await next_app(scope, receive, send)


async def _mailed_address(scope: Scope, receive: Receive) -> str | None:
    """The form's ``email`` field (the form is parsed once: the handler reads it again)."""
    form = await Request[Any, Any, Any](scope, receive).form()
    value = form.get("email")
    return value.strip().casefold()[:320] if isinstance(value, str) and value.strip() else None
