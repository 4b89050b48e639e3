"""Tell every open stream of this site about an event: live threads ("3 new comments").

One ``Broadcast`` per process. Subscribers are asyncio queues, each listening to one topic
(an article). ``publish`` may be called from any thread (handlers run in a thread pool): the
message is handed to the event loop that owns the subscriber.

Without Redis a message reaches the streams of this process only. With ``FORUM_REDIS_URL``
it goes through a Redis channel that every process relays to its own streams, so a comment
posted on one worker shows on the readers of all of them. Redis failing is never an error
for the writer: the message is delivered in this process and the fault logged at most once a
minute; the relay reconnects by itself.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from redis import Redis
from redis import asyncio as aioredis
from redis.exceptions import RedisError

from forum.web.errors import FaultLog

log = logging.getLogger(__name__)

QUEUE_SIZE = 64
"""Messages a slow stream may fall behind by; beyond that the oldest are dropped (a stream
only counts new comments, so losing some of a burst costs the reader nothing but a number)."""
RELAY_RETRY_SECONDS = 2.0
REDIS_TIMEOUT_SECONDS = 0.25


class TooManyStreams(Exception):
    """This process already serves its maximum of open streams."""


@dataclass
class _Subscriber:
    topic: str
    queue: asyncio.Queue[dict[str, Any]]
    loop: asyncio.AbstractEventLoop


class Broadcast:
    """Fan-out of small JSON messages to the streams listening to a topic."""

    def __init__(
        self, *, max_streams: int = 500, redis_url: str = "", channel: str = "forum:broadcast"
    ) -> None:
        self.max_streams = max_streams
        self.redis_url = redis_url
        self.channel = channel
        self._subscribers: dict[str, set[int]] = defaultdict(set)
        self._by_id: dict[int, _Subscriber] = {}
        self._lock = threading.Lock()
        self._client: Redis | None = None
        self._faults = FaultLog(log)
        self._relay: asyncio.Task[None] | None = None

    @property
    def streams(self) -> int:
        return len(self._by_id)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        """A queue that receives the topic's messages while the block runs."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        subscriber = _Subscriber(topic, queue, asyncio.get_running_loop())
        key = id(subscriber)
        with self._lock:
            if len(self._by_id) >= self.max_streams:
                raise TooManyStreams
            self._by_id[key] = subscriber
            self._subscribers[topic].add(key)
        if self.redis_url and self._relay is None:
            self._relay = subscriber.loop.create_task(self.relay())
        try:
            yield queue
        finally:
            with self._lock:
                self._by_id.pop(key, None)
                keys = self._subscribers.get(topic)
                if keys is not None:
                    keys.discard(key)
                    if not keys:
                        del self._subscribers[topic]

    def publish(self, topic: str, message: dict[str, Any]) -> None:
        """Send ``message`` to every stream of ``topic`` (through Redis when configured)."""
        if self.redis_url and self._publish_to_redis(topic, message):
            return
        self.deliver(topic, message)

    def deliver(self, topic: str, message: dict[str, Any]) -> None:
        """Hand ``message`` to this process's streams of ``topic``."""
        with self._lock:
            subscribers = [self._by_id[key] for key in self._subscribers.get(topic, ())]
        for subscriber in subscribers:
            try:
                subscriber.loop.call_soon_threadsafe(_put, subscriber.queue, message)
            except RuntimeError:  # the loop has closed (the server is stopping)
                continue

    def _publish_to_redis(self, topic: str, message: dict[str, Any]) -> bool:
        payload = json.dumps({"topic": topic, "message": message})
        try:
            if self._client is None:
                self._client = Redis.from_url(
                    self.redis_url,
                    socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                    socket_timeout=REDIS_TIMEOUT_SECONDS,
                )
            self._client.publish(self.channel, payload)
        except RedisError:
            self._fault("publish")
            return False
        return True

    def _fault(self, what: str) -> None:
        self._faults.warn(
            f"broadcast-{what}",
            "broadcast: Redis %s failed; live updates stay within this process",
            what,
        )

    def close(self) -> None:
        """Stop relaying (the app is stopping)."""
        if self._relay is not None:
            self._relay.cancel()
            self._relay = None

    async def relay(self) -> None:
        """Deliver what any process published to Redis to this process's streams (a task
        started with the first stream, running while the app does; reconnects after a fault)."""
        if not self.redis_url:
            return
        while True:
            try:
                await self._relay_once()
            except (RedisError, OSError):
                self._fault("subscribe")
            await asyncio.sleep(RELAY_RETRY_SECONDS)

    async def _relay_once(self) -> None:
        client = aioredis.Redis.from_url(self.redis_url, socket_connect_timeout=1)
        try:
            async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                await pubsub.subscribe(self.channel)
                async for raw in pubsub.listen():
                    self._relayed(raw)
        finally:
            await client.aclose()

    def _relayed(self, raw: Any) -> None:
        try:
            data = json.loads(raw["data"])
            self.deliver(str(data["topic"]), dict(data["message"]))
        except (KeyError, TypeError, ValueError):
            log.warning("broadcast: ignored a malformed message on the channel")


def _put(queue: asyncio.Queue[dict[str, Any]], message: dict[str, Any]) -> None:
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(message)
