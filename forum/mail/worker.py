"""The background task that delivers queued mail while the app runs.

Every few seconds, or at once when woken (a transaction that queued mail has committed), it
runs ``Outbox.deliver_due`` in a worker thread. Nothing it meets ends the loop: errors are
logged by class only (they may quote data) and the next round tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread

from forum.db import Database
from forum.mail.outbox import Outbox

log = logging.getLogger("forum.mail")

INTERVAL_SECONDS = 2.0
LONGEST_PAUSE_SECONDS = 60.0
"""After repeated errors (database down) the pause doubles up to this, to keep logs readable."""


class MailWorker:
    """Delivers due mail every ``interval`` seconds, or sooner when ``wake()`` is called."""

    def __init__(
        self, outbox: Outbox, database: Database, *, interval: float | None = None
    ) -> None:
        self.outbox = outbox
        self.database = database
        self.interval = INTERVAL_SECONDS if interval is None else interval
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self) -> None:
        """Start the loop on the running event loop and listen for newly queued mail."""
        self._stopping = False
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="forum-mail-worker")
        self.outbox.add_listener(self.wake)

    async def stop(self) -> None:
        """Stop the loop, after the message being sent, if any: its thread cannot be cut off,
        and the database must not be closed under it."""
        self.outbox.remove_listener(self.wake)
        if self._task is None:
            return
        self._stopping = True
        if self._wake is not None:
            self._wake.set()
        await self._task
        self._task = None

    def wake(self) -> None:
        """Deliver now rather than at the next tick; safe to call from any thread."""
        loop, wake = self._loop, self._wake
        if loop is None or wake is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed in between
            loop.call_soon_threadsafe(wake.set)

    async def _run(self) -> None:
        assert self._wake is not None
        failures = 0
        while not self._stopping:
            self._wake.clear()
            try:
                await to_thread.run_sync(self._deliver)
                failures = 0
            except Exception as exc:
                failures += 1
                log.error("mail delivery round failed (%s); retrying", type(exc).__name__)
            if self._stopping:
                break
            pause = min(self.interval * 2 ** min(failures, 10), LONGEST_PAUSE_SECONDS)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), pause)

    def _deliver(self) -> None:
        self.outbox.deliver_due(self.database, stop=lambda: self._stopping)


@asynccontextmanager
async def run_mail_worker(
    outbox: Outbox, database: Database, *, enabled: bool = True
) -> AsyncIterator[MailWorker | None]:
    """Run a ``MailWorker`` for the duration of the block (the app's lifespan), if ``enabled``."""
    if not enabled:
        yield None
        return
    worker = MailWorker(outbox, database)
    await worker.start()
    try:
        yield worker
    finally:
        await worker.stop()
