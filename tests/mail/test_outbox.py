"""The outbox: queued in the caller's transaction, delivered once, retried until it goes."""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forum.db import Database
from forum.mail.message import InvalidMail
from forum.mail.models import MailStatus, OutgoingMail
from forum.mail.outbox import DeliveryReport, Outbox, retry_delay
from forum.mail.transport import FileTransport, SmtpConfig, SmtpTransport
from forum.settings import Settings
from tests.conftest import SmtpServer, serve_smtp

SENDER = "Forum <noreply@forum.example>"
ADDRESS = "janine@example.org"
SUBJECT = "Please confirm your address"
BODY = "Follow this link to confirm: https://forum.example/verify/abc"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def smtp_outbox(url: str, clock: Clock) -> Outbox:
    return Outbox(SmtpTransport(SmtpConfig.from_url(url), timeout=5), sender=SENDER, clock=clock)


def queue(database: Database, outbox: Outbox, count: int = 1, **fields: str) -> None:
    with database.session(write=True) as session:
        for n in range(count):
            values = {"to": ADDRESS, "subject": f"{SUBJECT} {n}", "text": BODY} | fields
            outbox.queue(session, **values)


def queue_and_roll_back(database: Database, outbox: Outbox) -> None:
    """Queue a message in a transaction that then fails, as a request that raises would."""
    with contextlib.suppress(RuntimeError), database.session(write=True) as session:
        outbox.queue(session, to=ADDRESS, subject=SUBJECT, text=BODY)
        raise RuntimeError("the request failed")


def rows(database: Database) -> list[OutgoingMail]:
    with database.session() as session:
        return list(session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def test_queued_mail_is_sent_and_then_deleted(database, smtp_server: SmtpServer, clock):
    outbox = smtp_outbox(smtp_server.url, clock)
    queue(database, outbox, html="<p>Confirm</p>")
    assert outbox.deliver_due(database) == DeliveryReport(sent=1)
    [received] = smtp_server.wait_for(1)
    assert received["To"] == ADDRESS
    assert received["From"] == SENDER
    assert received.get_body(("plain",)).get_content().strip() == BODY
    assert received.get_body(("html",)).get_content().strip() == "<p>Confirm</p>"
    assert rows(database) == []  # no copy of delivered mail is kept


def test_a_rolled_back_transaction_queues_nothing(database, smtp_server: SmtpServer, clock):
    outbox = smtp_outbox(smtp_server.url, clock)
    queue_and_roll_back(database, outbox)
    assert rows(database) == []
    assert outbox.deliver_due(database) == DeliveryReport()
    assert smtp_server.messages == []


def test_listeners_hear_of_committed_mail_only(database, clock):
    outbox = Outbox(FileTransport(Path("unused")), sender=SENDER, clock=clock)
    calls: list[str] = []
    outbox.add_listener(lambda: calls.append("woken"))
    queue_and_roll_back(database, outbox)
    assert calls == []
    queue(database, outbox, count=2)
    assert calls == ["woken"]  # once per transaction, not per message


@pytest.mark.parametrize(
    "address",
    [
        "janine",
        "janine@example.org\nBcc: all@example.org",
        "a@example.org, b@example.org",
        "Janine <janine@example.org>",
        "",
    ],
)
def test_queue_refuses_anything_but_one_bare_address(database, clock, address: str):
    outbox = Outbox(FileTransport(Path("unused")), sender=SENDER, clock=clock)
    with database.session(write=True) as session:
        with pytest.raises(InvalidMail) as refused:
            outbox.queue(session, to=address, subject=SUBJECT, text=BODY)
        assert address not in str(refused.value) or not address
    assert rows(database) == []


def test_queue_refuses_a_subject_with_a_line_break(database, clock):
    outbox = Outbox(FileTransport(Path("unused")), sender=SENDER, clock=clock)
    with database.session(write=True) as session, pytest.raises(InvalidMail):
        outbox.queue(session, to=ADDRESS, subject="Hi\r\nBcc: all@example.org", text=BODY)


def test_a_server_that_is_down_loses_nothing_and_gets_the_mail_later(database, clock):
    with serve_smtp() as server:
        outbox = smtp_outbox(server.url, clock)
        server.stop()
        queue(database, outbox)

        assert outbox.deliver_due(database) == DeliveryReport(retry_later=1)
        [row] = rows(database)
        assert row.status is MailStatus.QUEUED
        assert row.attempts == 1
        assert row.claimed_until is None
        assert row.next_attempt_at == clock.now + timedelta(seconds=30)
        assert row.last_error == "ConnectionRefusedError"

        clock.advance(seconds=10)  # not due yet: nothing is tried
        assert outbox.deliver_due(database) == DeliveryReport()

        server.start()
        clock.advance(seconds=25)
        assert outbox.deliver_due(database) == DeliveryReport(sent=1)
        assert server.wait_for(1)[0]["Subject"] == f"{SUBJECT} 0"
        assert rows(database) == []


def test_retries_wait_30_seconds_doubling_up_to_an_hour():
    assert [retry_delay(n).total_seconds() for n in range(1, 9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
    ]
    assert retry_delay(1000) == timedelta(hours=1)


def test_a_wrong_password_keeps_the_message_queued(database, clock):
    with serve_smtp(users={"forum": "s3cret"}, auth_require_tls=False) as server:
        wrong = smtp_outbox(f"smtp://forum:wrong@127.0.0.1:{server.port}", clock)
        queue(database, wrong)
        assert wrong.deliver_due(database) == DeliveryReport(retry_later=1)
        [row] = rows(database)
        assert (row.status, row.attempts) == (MailStatus.QUEUED, 1)
        assert row.last_error == "SMTPAuthenticationError 535"

        right = smtp_outbox(f"smtp://forum:s3cret@127.0.0.1:{server.port}", clock)
        clock.advance(minutes=1)
        assert right.deliver_due(database) == DeliveryReport(sent=1)
        server.wait_for(1)
        assert server.logins == ["forum"]


def test_a_server_problem_stops_the_round_and_the_rest_wait(database, clock):
    with serve_smtp() as server:
        outbox = smtp_outbox(server.url, clock)
        server.stop()
        queue(database, outbox, count=3)
        assert outbox.deliver_due(database) == DeliveryReport(retry_later=3)
        assert [row.attempts for row in rows(database)] == [1, 0, 0]


def test_a_refused_recipient_fails_at_once_and_the_others_go(
    database, smtp_server: SmtpServer, clock
):
    smtp_server.refused.add("nobody@example.org")
    outbox = smtp_outbox(smtp_server.url, clock)
    queue(database, outbox, to="nobody@example.org")
    queue(database, outbox)
    assert outbox.deliver_due(database) == DeliveryReport(sent=1, failed=1)
    [row] = rows(database)
    assert row.status is MailStatus.FAILED
    assert row.last_error == "SMTPRecipientsRefused 550"  # the server's text named the address


def test_mail_still_failing_after_48_hours_is_given_up_and_kept(database, clock):
    with serve_smtp() as server:
        outbox = smtp_outbox(server.url, clock)
        server.stop()
        queue(database, outbox)
        clock.advance(hours=47, minutes=59)
        assert outbox.deliver_due(database) == DeliveryReport(retry_later=1)
        clock.advance(hours=1)
        assert outbox.deliver_due(database) == DeliveryReport(failed=1)
        [row] = rows(database)
        assert (row.status, row.attempts) == (MailStatus.FAILED, 2)
        clock.advance(days=1)
        server.start()
        assert outbox.deliver_due(database) == DeliveryReport()
        assert server.messages == []


def test_a_claimed_message_is_left_to_its_deliverer_until_the_claim_expires(
    database, smtp_server: SmtpServer, clock
):
    outbox = smtp_outbox(smtp_server.url, clock)
    queue(database, outbox)
    with database.session(write=True) as session:
        row = session.scalar(select(OutgoingMail))
        row.claimed_until = clock.now + timedelta(minutes=5)
    assert outbox.deliver_due(database) == DeliveryReport()
    clock.advance(minutes=6)  # the other deliverer died mid-send
    assert outbox.deliver_due(database) == DeliveryReport(sent=1)
    smtp_server.wait_for(1)


def test_two_concurrent_deliverers_never_send_one_message_twice(
    settings: Settings, database, smtp_server: SmtpServer
):
    count = 30
    outbox = Outbox.from_settings(Settings(smtp_url=smtp_server.url, mail_from=SENDER))
    queue(database, outbox, count=count)
    # Two engines, as two processes would have.
    others = [Database(settings.effective_database_url) for _ in range(2)]
    start = threading.Barrier(2)
    reports: list[DeliveryReport] = []

    def deliver(db: Database) -> None:
        start.wait()
        reports.append(outbox.deliver_due(db))

    threads = [threading.Thread(target=deliver, args=(db,)) for db in others]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        for db in others:
            db.dispose()
    assert sum(report.sent for report in reports) == count
    smtp_server.wait_for(count)
    subjects = sorted(message["Subject"] for message in smtp_server.messages)
    assert subjects == sorted(f"{SUBJECT} {n}" for n in range(count))
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(OutgoingMail)) == 0


def test_from_settings_writes_eml_files_when_no_smtp_url_is_set(settings: Settings, database):
    outbox = Outbox.from_settings(settings)
    queue(database, outbox)
    assert outbox.deliver_due(database) == DeliveryReport(sent=1)
    [path] = (settings.var_dir / "mail").glob("*.eml")
    assert ADDRESS in path.read_text()


def test_nothing_personal_reaches_the_log(database, clock, caplog):
    with serve_smtp(users={"forum": "hunter2"}, auth_require_tls=False) as server:
        server.refused.add("refused@example.org")
        outbox = smtp_outbox(f"smtp://forum:hunter2@127.0.0.1:{server.port}", clock)
        with caplog.at_level(logging.DEBUG):
            queue(database, outbox, to="refused@example.org")
            queue(database, outbox)
            outbox.deliver_due(database)
            server.stop()
            queue(database, outbox)
            outbox.deliver_due(database)
    ours = "\n".join(
        record.getMessage() for record in caplog.records if record.name.startswith("forum")
    )
    assert "1 sent, 1 failed" in ours and "attempt 1 failed" in ours
    for secret in ("hunter2", ADDRESS, "refused@example.org", SUBJECT, "verify/abc"):
        assert secret not in ours
