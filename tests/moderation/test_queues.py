"""The queue pages: items in context, the author's record, reports, ages, counts, reminders."""

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from forum.accounts.models import Role
from forum.comments.models import Comment
from forum.db import utcnow
from forum.moderation.models import ReminderChoice
from forum.moderation.reminders import send_reminders, set_reminders
from tests.moderation.conftest import text_of


@pytest.fixture
def waiting(make_article, make_user, make_regular, submit, moderator):
    """A newcomer's held reply to a regular's comment, two hours old."""
    article = make_article(slug="a", title="Gardening")
    parent = submit(article, make_regular("carl"), "Roses need sun.")
    reply = submit(
        article, make_user("ann", display_name="Ann"), "Mine grow in shade.", parent=parent
    )
    return reply


def age(database, comment, hours):
    with database.session(write=True) as s:
        s.execute(
            update(Comment)
            .where(Comment.id == comment.id)
            .values(created_at=utcnow() - timedelta(hours=hours))
        )


def test_a_pending_item_shows_its_context_record_and_age(waiting, auth, database):
    age(database, waiting, 2)
    auth.login("modo")
    page = auth.client.get("/moderation").text
    assert 'Pending <span class="count">(1)</span>' in page
    assert "Mine grow in shade." in page
    assert "Gardening" in page and "In reply to carl: Roses need sun." in page
    assert "Member since" in page and "0 published, 1 pending, 0 rejected" in page
    assert "new author: 0 of 1" in page
    assert "waiting" in page and "2 h 0 min" in page
    assert f'name="ids" value="{waiting.id}" form="bulk"' in page


def test_recently_handled_shows_what_was_done(waiting, auth):
    auth.login("modo")
    auth.post(
        f"/moderation/comments/{waiting.id}/reject",
        {"violation": "abuse", "reason": "rude to carl"},
    )
    page = auth.client.get("/moderation/handled").text
    assert "Reject by modo (abuse): “rude to carl”" in page
    assert 'Pending <span class="count">(0)</span>' in page


def test_the_moderation_page_of_one_comment(waiting, auth):
    auth.login("modo")
    page = auth.client.get(f"/moderation/comments/{waiting.id}").text
    assert "Mine grow in shade." in page and "Lock replies below" in page


def test_reminders_go_once_to_moderators_who_opted_in(
    waiting, database, settings, ctx, make_user, mails
):
    make_user("quiet", role=Role.MODERATOR)
    keen_id = make_user("keen", role=Role.MODERATOR).id
    with database.session(write=True) as s:
        set_reminders(s, keen_id, True)
    age(database, waiting, 11)
    with database.session(write=True) as s:
        assert send_reminders(s, ctx.outbox, settings) == 0  # nothing has waited 12 hours
    age(database, waiting, 13)  # two hours later…
    with database.session(write=True) as s:
        choice = s.get(ReminderChoice, keen_id)
        choice.covered_until -= timedelta(hours=2)
    with database.session(write=True) as s:
        assert send_reminders(s, ctx.outbox, settings) == 1
    with database.session(write=True) as s:
        assert send_reminders(s, ctx.outbox, settings) == 0  # not again for the same item
    (message,) = mails()
    assert message["To"] == "keen@example.org"
    assert "Gardening" in text_of(message) and "pending" in text_of(message)


def test_moderators_opt_in_on_the_reminders_page(waiting, auth, database, settings, ctx):
    auth.login("modo")
    assert auth.post("/moderation/reminders", {"enabled": "on"}).status_code == 303
    assert "checked" in auth.client.get("/moderation/reminders").text
    age(database, waiting, 13)
    with database.session(write=True) as s:
        assert send_reminders(s, ctx.outbox, settings) == 1


def test_the_remind_command(waiting, database, settings, moderator):
    from forum.cli import main

    with database.session(write=True) as s:
        set_reminders(s, moderator.id, True)
    age(database, waiting, 13)
    env = {
        "FORUM_DATABASE_URL": settings.effective_database_url,
        "FORUM_VAR_DIR": str(settings.var_dir),
        "FORUM_SECRET_KEY": settings.secret_key,
    }
    result = CliRunner().invoke(main, ["moderation", "remind"], env=env)
    assert result.exit_code == 0, result.output
    assert "1 reminder mails queued" in result.output
