"""Notification mails: replies, watched discussions, the digest, the hourly cap, unsubscribing.

Comments are posted through the app's own hooks, so the notifier the app registers runs in the
posting transaction; mail is read from the outbox, or delivered to a real SMTP server.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from forum.accounts.current import CurrentUser
from forum.accounts.models import Role
from forum.articles.models import Article, CommentMode
from forum.cli import main
from forum.comments import service as comments
from forum.comments.hooks import CommentHooks, Draft
from forum.comments.models import Comment, CommentStatus
from forum.comments.notify import digest, service
from forum.comments.notify.models import (
    ArticleWatch,
    DigestItem,
    NotificationMail,
    NotificationSettings,
    WatchMode,
)
from forum.comments.notify.notifier import Notifier
from forum.mail.models import OutgoingMail
from forum.mail.outbox import Outbox

UNSUBSCRIBE = re.compile(r"http://127\.0\.0\.1:8000(/notifications/unsubscribe/[A-Za-z0-9_.-]+)")


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Mail stays in the outbox until a test delivers it (to the SMTP server if it has one)."""
    overrides: dict[str, Any] = {"mail_worker": False}
    if "smtp_server" in request.fixturenames:
        overrides["smtp_url"] = request.getfixturevalue("smtp_server").url
    return overrides


@pytest.fixture
def notifier(settings) -> Notifier:
    return Notifier(settings, Outbox.from_settings(settings))


@pytest.fixture
def hooks(notifier) -> CommentHooks:
    """What ``post`` posts through: the notifier alone, so that these tests do not depend on
    moderation's screening (``test_the_app_notifies_...`` covers the app's own wiring)."""
    return CommentHooks(on_change=[notifier.comment_changed])


def outbox(database) -> list[OutgoingMail]:
    with database.session() as session:
        return list(session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def mails_to(database, address: str) -> list[OutgoingMail]:
    return [mail for mail in outbox(database) if mail.to_address == address]


def unsubscribe_path(mail: OutgoingMail) -> str:
    found = UNSUBSCRIBE.search(mail.body_text)
    assert found, mail.body_text
    return found.group(1)


def reply_mails(database, user) -> bool:
    with database.session() as session:
        return service.get_reply_mails(session, user.id)


def watch(database, user, article, mode: WatchMode = WatchMode.INSTANT) -> None:
    with database.session(write=True) as session:
        service.watch(session, user.id, article.id, mode)


class HoldEverything:
    """A screening that holds every new comment for review, as moderation may."""

    def initial_status(self, session, draft: Draft) -> CommentStatus:
        return CommentStatus.PENDING


# --- replies ---------------------------------------------------------------------------------


def test_a_reply_mails_the_parents_author(database, settings, make_article, make_user, post):
    article = make_article(slug="a", title="What do we mean by socialism?")
    ann, bob = make_user("ann", display_name="Ann"), make_user("bob", display_name="Bob")
    parent = post(article, ann, "My view.")
    reply = post(article, bob, "I *disagree*, politely.", parent=parent)
    (mail,) = outbox(database)
    assert mail.to_address == "ann@example.org"
    assert mail.subject == "Bob replied to your comment on “What do we mean by socialism?”"
    assert "> I disagree, politely." in mail.body_text
    assert f"http://127.0.0.1:8000/comments/{reply.id}#comment-{reply.id}" in mail.body_text
    headers = json.loads(mail.extra_headers)
    assert headers["List-Unsubscribe"] == f"<http://127.0.0.1:8000{unsubscribe_path(mail)}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_app_notifies_about_replies_posted_through_its_pages(
    database, auth, make_article, make_user, post
):
    article = make_article(slug="a")
    ann = make_user("ann", role=Role.MODERATOR)
    make_user("bob", role=Role.MODERATOR)  # staff: published at once, whatever the screening
    parent = post(article, ann, "Mine.")
    auth.login("bob")
    response = auth.post("/articles/a/comments", {"body": "Hello", "parent_id": str(parent.id)})
    assert response.status_code == 303
    (mail,) = mails_to(database, "ann@example.org")
    assert "replied to your comment" in mail.subject


def test_replying_to_yourself_mails_nobody(database, make_article, make_user, post):
    article = make_article()
    ann = make_user("ann")
    parent = post(article, ann, "First thought.")
    post(article, ann, "Second thought.", parent=parent)
    assert outbox(database) == []


def test_reply_mails_turned_off_on_the_account_page_send_nothing(
    database, auth, make_article, make_user, post
):
    article = make_article()
    ann, bob = make_user("ann"), make_user("bob")
    parent = post(article, ann, "Mine.")
    auth.login("ann")
    assert "Stop mails about replies" in auth.client.get("/account").text
    response = auth.post("/account/notifications", {"reply_mails": "off"})
    assert response.status_code == 303
    assert not reply_mails(database, ann)
    assert "Mail me about replies" in auth.client.get("/account").text
    post(article, bob, "An answer.", parent=parent)
    assert outbox(database) == []
    auth.post("/account/notifications", {"reply_mails": "on"})
    assert reply_mails(database, ann)
    post(article, bob, "Another answer.", parent=parent)
    assert len(mails_to(database, "ann@example.org")) == 1


def test_an_unverified_address_gets_no_mail(database, make_article, make_user, post):
    article = make_article()
    ann, bob = make_user("ann", verified=False), make_user("bob")
    parent = post(article, ann, "Mine.")
    watch(database, ann, article)
    post(article, bob, "An answer.", parent=parent)
    assert outbox(database) == []


def test_a_held_comment_mails_nobody_until_it_is_published_and_then_only_once(
    database, hooks, make_article, make_user, post
):
    article = make_article()
    ann, bob = make_user("ann"), make_user("bob")
    parent = post(article, ann, "Mine.")
    hooks.screening = HoldEverything()
    reply = post(article, bob, "Held for review.", parent=parent)
    assert reply.status is CommentStatus.PENDING
    assert outbox(database) == []
    with database.session(write=True) as session:
        comments.set_status(session, hooks, session.get(Comment, reply.id), CommentStatus.PUBLISHED)
    assert len(mails_to(database, "ann@example.org")) == 1
    for status in (CommentStatus.HIDDEN, CommentStatus.PUBLISHED):
        with database.session(write=True) as session:
            comments.set_status(session, hooks, session.get(Comment, reply.id), status)
    assert len(mails_to(database, "ann@example.org")) == 1


def test_a_reply_to_a_deleted_comment_mails_nobody(database, hooks, make_article, make_user, post):
    article = make_article()
    ann, mia = make_user("ann"), make_user("mia", role=Role.MODERATOR)
    parent = post(article, ann, "Mine.")
    with database.session(write=True) as session:
        comments.delete_comment(session, hooks, parent.id, actor=CurrentUser.of(ann, via="session"))
    post(article, mia, "Replying anyway.", parent=parent)
    assert outbox(database) == []


def test_a_comment_approved_after_its_thread_was_hidden_mails_nobody(
    database, hooks, make_article, make_user, post
):
    article = make_article()
    ann, carl = make_user("ann"), make_user("carl")
    watch(database, carl, article)
    hooks.screening = HoldEverything()
    held = post(article, ann, "Held.")
    with database.session(write=True) as session:
        session.get(Article, article.id).comment_mode = CommentMode.HIDDEN
        comments.set_status(session, hooks, session.get(Comment, held.id), CommentStatus.PUBLISHED)
    assert outbox(database) == []


# --- watching --------------------------------------------------------------------------------


def test_the_watch_button_is_for_logged_in_readers_and_switches(
    database, client, auth, make_article, make_user
):
    article = make_article(slug="a")
    carl = make_user("carl")
    assert "Watch this discussion" not in client.get("/articles/a").text
    auth.login("carl")
    assert "Watch this discussion" in auth.client.get("/articles/a").text
    response = auth.post("/articles/a/watch", {"mode": "digest"})
    assert response.status_code == 303
    assert response.headers["location"] == "/articles/a#comments"
    with database.session() as session:
        assert service.watch_of(session, carl.id, article.id).mode is WatchMode.DIGEST
    page = auth.client.get("/articles/a").text
    assert "Stop watching" in page and "daily digest" in page
    assert "Stop watching" in auth.client.get("/account").text
    auth.post("/articles/a/unwatch")
    with database.session() as session:
        assert service.watch_of(session, carl.id, article.id) is None
    assert auth.post("/articles/a/watch", {"mode": "hourly"}).status_code == 400


def test_watching_needs_a_login_and_a_csrf_token(client, auth, make_article, make_user):
    make_article(slug="a")
    response = client.post("/articles/a/watch", data={"mode": "instant"}, follow_redirects=False)
    assert response.status_code == 403  # no CSRF token
    response = auth.post("/articles/a/watch", {"mode": "instant"})
    assert response.status_code in (302, 303) and "/login" in response.headers["location"]


def test_a_watcher_gets_a_mail_for_each_new_published_comment(
    database, make_article, make_user, post
):
    article = make_article(title="Socialism")
    ann, carl = make_user("ann", display_name="Ann"), make_user("carl")
    watch(database, carl, article)
    first = post(article, ann, "One.")
    post(article, ann, "Two.", parent=first)
    post(article, carl, "My own comment.")
    mails = mails_to(database, "carl@example.org")
    assert [m.subject for m in mails] == ["New comment on “Socialism”"] * 2
    assert "Ann commented on “Socialism”, a discussion you watch" in mails[0].body_text
    assert "Stop watching this discussion" in mails[0].body_text
    assert mails_to(database, "ann@example.org") == []


def test_a_parent_author_who_watches_gets_one_mail_per_reply(
    database, make_article, make_user, post
):
    article = make_article()
    ann, bob = make_user("ann"), make_user("bob")
    watch(database, ann, article)
    parent = post(article, ann, "Mine.")
    post(article, bob, "An answer.", parent=parent)
    (mail,) = mails_to(database, "ann@example.org")
    assert "replied to your comment" in mail.subject


def test_a_digest_watcher_gets_one_mail_listing_the_comments(
    database, settings, make_article, make_user, post
):
    article = make_article(title="Socialism")
    ann, carl = make_user("ann", display_name="Ann"), make_user("carl")
    watch(database, carl, article, WatchMode.DIGEST)
    one = post(article, ann, "The first point.")
    two = post(article, ann, "The second point.")
    assert outbox(database) == []
    env = {
        "FORUM_DATABASE_URL": settings.effective_database_url,
        "FORUM_VAR_DIR": str(settings.var_dir),
        "FORUM_SECRET_KEY": settings.secret_key,
    }
    result = CliRunner().invoke(main, ["notifications", "digest"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "1 digest mails queued, with 2 comments" in result.output
    (mail,) = outbox(database)
    assert mail.to_address == "carl@example.org"
    assert mail.subject == "2 new comments at forum"
    text = mail.body_text
    assert "== Socialism ==" in text
    assert text.index("The first point.") < text.index("The second point.")
    for comment in (one, two):
        assert f"/comments/{comment.id}#comment-{comment.id}" in text
    assert "List-Unsubscribe" in json.loads(mail.extra_headers)
    again = CliRunner().invoke(main, ["notifications", "digest"], env=env)
    assert "0 digest mails queued" in again.output


def test_the_digest_leaves_out_comments_no_longer_published(
    database, hooks, notifier, make_article, make_user, post
):
    article = make_article()
    ann, carl = make_user("ann"), make_user("carl")
    watch(database, carl, article, WatchMode.DIGEST)
    post(article, ann, "Stays.")
    gone = post(article, ann, "Deleted before the digest.")
    with database.session(write=True) as session:
        comments.set_status(session, hooks, session.get(Comment, gone.id), CommentStatus.DELETED)
    assert notifier.send_digests(database).comments == 1
    (mail,) = outbox(database)
    assert "Stays." in mail.body_text and "Deleted before" not in mail.body_text


# --- the hourly cap --------------------------------------------------------------------------


def test_the_eleventh_mail_in_an_hour_goes_to_the_digest_instead(
    database, notifier, make_article, make_user, post
):
    article = make_article()
    ann, carl = make_user("ann"), make_user("carl")
    watch(database, carl, article)
    posted = [post(article, ann, f"Comment {n}.") for n in range(11)]
    assert len(mails_to(database, "carl@example.org")) == 10
    with database.session() as session:
        waiting = session.scalars(select(DigestItem.comment_id)).all()
    assert waiting == [posted[-1].id]
    assert notifier.send_digests(database).mails == 1
    digest = mails_to(database, "carl@example.org")[-1]
    assert "Comment 10." in digest.body_text and "Comment 9." not in digest.body_text


def test_the_hourly_count_is_per_recipient_and_rolls(db, make_user):
    ann, bob = make_user("ann"), make_user("bob")
    start = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    for minute in range(3):
        assert digest.take_hourly_slot(db, ann.id, now=start + timedelta(minutes=minute), limit=3)
    assert not digest.take_hourly_slot(db, ann.id, now=start + timedelta(minutes=59), limit=3)
    assert digest.take_hourly_slot(db, bob.id, now=start + timedelta(minutes=59), limit=3)
    assert digest.take_hourly_slot(db, ann.id, now=start + timedelta(minutes=60), limit=3)
    count = db.scalar(
        select(func.count()).select_from(NotificationMail).where(NotificationMail.user_id == ann.id)
    )
    assert count == 3  # the oldest is forgotten once an hour has passed


# --- unsubscribing ---------------------------------------------------------------------------


def test_the_unsubscribe_link_works_without_login_once_confirmed(
    database, client, make_article, make_user, post
):
    article = make_article()
    ann, bob = make_user("ann"), make_user("bob")
    parent = post(article, ann, "Mine.")
    post(article, bob, "An answer.", parent=parent)
    path = unsubscribe_path(mails_to(database, "ann@example.org")[0])
    page = client.get(path)
    assert page.status_code == 200
    assert "Stop mails about replies to your comments" in page.text
    assert reply_mails(database, ann), "showing the page changes nothing"
    done = client.post(path, data={})
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    assert not reply_mails(database, ann)
    assert client.post(path, data={}).status_code == 200  # twice is harmless


def test_one_click_unsubscribe_from_a_mail_program_ends_the_watch(
    database, client, make_article, make_user, post
):
    article = make_article(title="Socialism")
    ann, carl = make_user("ann"), make_user("carl")
    watch(database, carl, article)
    post(article, ann, "One.")
    path = unsubscribe_path(mails_to(database, "carl@example.org")[0])
    assert "“Socialism”" in client.get(path).text
    response = client.post(
        path,
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    with database.session() as session:
        assert service.watch_of(session, carl.id, article.id) is None
    assert reply_mails(database, carl)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_unsubscribe_token_is_refused(
    database, client, method, make_article, make_user, post
):
    article = make_article()
    ann, bob = make_user("ann"), make_user("bob")
    parent = post(article, ann, "Mine.")
    post(article, bob, "An answer.", parent=parent)
    path = unsubscribe_path(mails_to(database, "ann@example.org")[0])
    body, _, mac = path.rpartition("/")[2].partition(".")
    other_user = body[:-2] + ("AA" if body[-2:] != "AA" else "BB")
    for token in (f"{other_user}.{mac}", f"{body}.{mac[:-1]}x", "nonsense"):
        response = getattr(client, method)(f"/notifications/unsubscribe/{token}")
        assert response.status_code == 400
    assert reply_mails(database, ann)


def test_notifications_arrive_over_smtp_with_a_working_unsubscribe_link(
    settings, database, client, smtp_server, make_article, make_user, post
):
    article = make_article(title="Socialism")
    ann, bob = make_user("ann"), make_user("bob", display_name="Bob")
    parent = post(article, ann, "Mine.")
    post(article, bob, "Über alles: an answer.", parent=parent)
    report = Outbox.from_settings(settings).deliver_due(database, limit=None)
    assert report.sent == 1
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "ann@example.org"
    assert str(message["Subject"]) == "Bob replied to your comment on “Socialism”"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = str(message["List-Unsubscribe"])
    assert header.startswith("<http://127.0.0.1:8000/notifications/unsubscribe/")
    body = message.get_content()
    assert "Über alles: an answer." in body
    path = UNSUBSCRIBE.search(body).group(1)
    assert header == f"<http://127.0.0.1:8000{path}>"
    assert client.post(path).status_code == 200
    assert not reply_mails(database, ann)


# --- what other modules call -----------------------------------------------------------------


def test_watches_of_lists_and_forget_user_erases_every_row(database, make_article, make_user, post):
    first, second = make_article(title="First"), make_article(title="Second")
    ann, carl = make_user("ann"), make_user("carl")
    watch(database, carl, first)
    watch(database, carl, second, WatchMode.DIGEST)
    with database.session(write=True) as session:
        service.set_reply_mails(session, carl.id, False)
    post(second, ann, "For the digest.")
    post(first, ann, "Mailed at once.")
    with database.session() as session:
        listed = service.watches_of(session, carl.id)
    assert [(w.title, w.mode) for w in listed] == [
        ("Second", WatchMode.DIGEST),
        ("First", WatchMode.INSTANT),
    ]
    with database.session(write=True) as session:
        service.forget_user(session, carl.id)
    with database.session() as session:
        for table in (ArticleWatch, NotificationSettings, DigestItem, NotificationMail):
            assert (
                session.scalar(
                    select(func.count()).select_from(table).where(table.user_id == carl.id)
                )
                == 0
            )
        assert service.get_reply_mails(session, carl.id)


def test_the_api_puts_reads_and_deletes_a_watch(auth, make_article, make_user):
    make_article(slug="a")
    make_user("carl")
    assert auth.client.get("/api/articles/a/watch").status_code == 401
    auth.login("carl")
    headers = auth.api_headers()
    put = auth.client.put("/api/articles/a/watch", json={"mode": "digest"}, headers=headers)
    assert put.status_code == 200 and put.json()["mode"] == "digest"
    assert auth.client.get("/api/articles/a/watch").json()["article"] == "a"
    bad = auth.client.put("/api/articles/a/watch", json={"mode": "hourly"}, headers=headers)
    assert bad.status_code == 400
    assert auth.client.delete("/api/articles/a/watch", headers=headers).status_code == 204
    assert auth.client.get("/api/articles/a/watch").status_code == 404
