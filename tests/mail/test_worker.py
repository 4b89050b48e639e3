"""The background worker: delivers queued mail while the app runs, and survives errors."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import anyio
import pytest
from litestar import Litestar, get
from litestar.di import NamedDependency
from litestar.testing import TestClient
from sqlalchemy import func, select

from forum.app import create_app
from forum.mail.models import OutgoingMail
from forum.mail.outbox import Outbox
from forum.mail.worker import MailWorker
from forum.settings import Settings
from forum.web.unit_of_work import DbSession
from tests.conftest import SmtpServer, provided

ADDRESS = "janine@example.org"


@pytest.fixture
def settings_overrides(smtp_server: SmtpServer) -> dict[str, object]:
    return {"smtp_url": smtp_server.url}


@pytest.fixture
def app(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Litestar:
    """The app, with a worker that ticks once a minute: only a wake-up can deliver in time."""
    monkeypatch.setattr("forum.mail.worker.INTERVAL_SECONDS", 60.0)
    return create_app(settings)


def test_the_worker_delivers_queued_mail_without_anyone_calling_deliver_due(
    app: Litestar, client: TestClient, database, smtp_server: SmtpServer
):
    outbox: Outbox = provided(app, "outbox")
    with database.session(write=True) as session:
        outbox.queue(session, to=ADDRESS, subject="Welcome", text="Hello.")
    [received] = smtp_server.wait_for(1, timeout=10)
    assert received["Subject"] == "Welcome"


@get("/test/send-mail", sync_to_thread=True)
def send_mail(db: DbSession, outbox: NamedDependency[Outbox]) -> str:
    """A handler that queues mail the way module handlers will."""
    outbox.queue(db, to=ADDRESS, subject="From a request", text="Hello.")
    return "queued"


def test_a_request_that_queued_mail_wakes_the_worker(
    app: Litestar, client: TestClient, smtp_server: SmtpServer
):
    app.register(send_mail)
    time.sleep(0.3)  # let the round run at startup pass: from now on only a wake-up sends
    assert client.get("/test/send-mail").text == "queued"
    [received] = smtp_server.wait_for(1, timeout=10)
    assert received["Subject"] == "From a request"


def count_queued(database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(OutgoingMail))


@pytest.mark.parametrize("settings_overrides", [{"mail_worker": False}])
def test_with_the_worker_off_mail_waits_in_the_outbox(app: Litestar, client, database):
    with database.session(write=True) as session:
        provided(app, "outbox").queue(session, to=ADDRESS, subject="Later", text="Hello.")
    time.sleep(0.5)  # a running worker would have been woken and sent it by now
    assert count_queued(database) == 1
    assert not list((provided(app, "settings").var_dir / "mail").glob("*.eml"))


class FlakyOutbox:
    """Fails its first delivery round with an error that quotes an address, then works."""

    def __init__(self) -> None:
        self.rounds = 0
        self.recovered = threading.Event()

    def deliver_due(self, database: object, **options: object) -> None:
        self.rounds += 1
        if self.rounds == 1:
            raise RuntimeError(f"could not reach the database for {ADDRESS}")
        self.recovered.set()

    def add_listener(self, callback: object) -> None: ...

    def remove_listener(self, callback: object) -> None: ...


@pytest.mark.anyio
async def test_an_error_is_logged_without_its_text_and_the_loop_goes_on(caplog):
    outbox = FlakyOutbox()
    worker = MailWorker(outbox, database=None, interval=0.01)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="forum.mail"):
        await worker.start()
        try:
            recovered = await anyio.to_thread.run_sync(outbox.recovered.wait, 10)
        finally:
            await worker.stop()
    assert recovered
    assert "RuntimeError" in caplog.text
    assert ADDRESS not in caplog.text


class SlowOutbox:
    """A delivery round that lasts until the test releases it."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.told_to_stop: bool | None = None

    def deliver_due(self, database: object, *, stop) -> None:  # type: ignore[no-untyped-def]
        self.started.set()
        self.release.wait(10)
        self.told_to_stop = stop()

    def add_listener(self, callback: object) -> None: ...

    def remove_listener(self, callback: object) -> None: ...


@pytest.mark.anyio
async def test_stopping_waits_for_the_round_in_progress_and_tells_it_to_stop():
    outbox = SlowOutbox()
    worker = MailWorker(outbox, database=None, interval=60)  # type: ignore[arg-type]
    await worker.start()
    assert await anyio.to_thread.run_sync(outbox.started.wait, 10)
    stopping = asyncio.create_task(worker.stop())
    await asyncio.sleep(0.05)
    assert not stopping.done()  # the database must stay open under a running round
    outbox.release.set()
    await asyncio.wait_for(stopping, 10)
    assert outbox.told_to_stop is True
