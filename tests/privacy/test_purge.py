"""Retention: `forum privacy purge` removes client addresses, consent records and undelivered
mail past their periods, keeps what is newer, and is harmless to run again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from forum.cli import main
from forum.comments.models import Comment
from forum.db import utcnow
from forum.mail.models import MailStatus, OutgoingMail
from forum.mail.outbox import Outbox
from forum.privacy import erasure
from forum.privacy.models import ConsentMethod, ConsentRecord
from forum.privacy.retention import PurgeReport, purge

OLD, RECENT = timedelta(days=31), timedelta(days=29)


@pytest.fixture
def comments_with_addresses(make_article: Any, make_user: Any, post: Any, database: Any) -> Any:
    """One comment written 31 days ago and one 29 days ago, each with a client address."""
    article = make_article()
    author = make_user("writer")
    old = post(article, author, "Old.", client_address="198.51.100.1")
    recent = post(article, author, "Recent.", client_address="198.51.100.2")
    with database.session(write=True) as session:
        for comment, age in ((old, OLD), (recent, RECENT)):
            session.execute(
                update(Comment).where(Comment.id == comment.id).values(created_at=utcnow() - age)
            )
    return old, recent


def addresses(database: Any) -> dict[int, str | None]:
    with database.session() as session:
        return dict(session.execute(select(Comment.id, Comment.client_address)).all())


@pytest.fixture
def run_purge(database: Any, settings: Any, user_data: Any) -> Any:
    def run() -> PurgeReport:
        return purge(database, Outbox.from_settings(settings), settings, user_data)

    return run


def test_purge_removes_old_client_addresses_and_keeps_recent_ones(
    database, run_purge, comments_with_addresses
):
    old, recent = comments_with_addresses
    report = run_purge()
    assert report.client_addresses_removed == 1
    assert addresses(database) == {old.id: None, recent.id: "198.51.100.2"}


class TestShorterRetention:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"client_address_retention_days": 7}

    def test_the_retention_period_is_a_setting(self, database, run_purge, comments_with_addresses):
        assert run_purge().client_addresses_removed == 2
        assert set(addresses(database).values()) == {None}


def test_purge_deletes_consent_records_past_their_retention_and_keeps_newer_ones(
    database, run_purge
):
    now = utcnow()
    with database.session(write=True) as session:
        for age in (timedelta(days=1826), timedelta(days=1824)):
            session.add(
                ConsentRecord(
                    visitor_id="v" * 32,
                    policy_version=1,
                    preferences=True,
                    analytics=False,
                    method=ConsentMethod.BANNER,
                    created_at=now - age,
                )
            )
    assert run_purge().consent_records_deleted == 1
    with database.session() as session:
        kept = session.scalars(select(ConsentRecord.created_at)).all()
    assert len(kept) == 1 and kept[0] > now - timedelta(days=1825)


def test_purge_deletes_old_undelivered_mail_and_keeps_recent_mail(database, run_purge):
    now = utcnow()
    with database.session(write=True) as session:
        for subject, age, status in [
            ("old failed", timedelta(days=8), MailStatus.FAILED),
            ("old queued", timedelta(days=8), MailStatus.QUEUED),
            ("recent failed", timedelta(days=6), MailStatus.FAILED),
        ]:
            session.add(
                OutgoingMail(
                    to_address="someone@example.org",
                    subject=subject,
                    body_text="…",
                    status=status,
                    created_at=now - age,
                    next_attempt_at=now + timedelta(days=1),
                )
            )
    assert run_purge().old_mails_deleted == 2
    with database.session() as session:
        assert session.scalars(select(OutgoingMail.subject)).all() == ["recent failed"]


def test_purging_twice_is_harmless(database, run_purge, comments_with_addresses, make_user):
    leaver = make_user("leaver")
    with database.session(write=True) as session:
        erasure.request_erasure(session, leaver.id, delete_comments=True, grace=timedelta(0))
    first = run_purge()
    assert (first.accounts_erased, first.client_addresses_removed) == (1, 1)
    before = addresses(database)
    assert run_purge() == PurgeReport()
    assert addresses(database) == before


def test_the_forum_command_runs_the_purge_and_prints_counts(
    settings, database, comments_with_addresses
):
    env = {
        "FORUM_DATABASE_URL": settings.effective_database_url,
        "FORUM_VAR_DIR": str(settings.var_dir),
        "FORUM_SECRET_KEY": settings.secret_key,
    }
    result = CliRunner().invoke(main, ["privacy", "purge"], env=env, catch_exceptions=False)
    assert result.exit_code == 0
    assert "0 accounts erased, 1 client addresses removed" in result.output
    again = CliRunner().invoke(main, ["privacy", "purge"], env=env, catch_exceptions=False)
    assert "0 accounts erased, 0 client addresses removed" in again.output
