"""@mentions: the name links the profile, and its owner hears of it by mail once, as their
notification settings and the hourly cap allow; hidden profiles are neither linked nor told.

Comments are posted through hooks holding the app's notifier; mail is read from the outbox or
delivered to a real SMTP server on loopback.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from forum.accounts.current import CurrentUser
from forum.accounts.models import ProfileVisibility, Role, User
from forum.comments import service as comments
from forum.comments.hooks import CommentHooks, Draft
from forum.comments.models import Comment, CommentStatus
from forum.comments.notify import service
from forum.comments.notify.models import DigestItem
from forum.comments.notify.notifier import Notifier
from forum.mail.models import OutgoingMail
from forum.mail.outbox import Outbox
from tests.comments.test_notifications import UNSUBSCRIBE, HoldEverything, watch


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    overrides: dict[str, Any] = {"mail_worker": False}
    if "smtp_server" in request.fixturenames:
        overrides["smtp_url"] = request.getfixturevalue("smtp_server").url
    return overrides


@pytest.fixture
def notifier(settings) -> Notifier:
    return Notifier(settings, Outbox.from_settings(settings))


@pytest.fixture
def hooks(notifier) -> CommentHooks:
    return CommentHooks(on_change=[notifier.comment_changed])


def mails_to(database, username: str) -> list[OutgoingMail]:
    with database.session() as session:
        return list(
            session.scalars(
                select(OutgoingMail)
                .where(OutgoingMail.to_address == f"{username}@example.org")
                .order_by(OutgoingMail.id)
            )
        )


def set_visibility(database, user, visibility: ProfileVisibility) -> None:
    with database.session(write=True) as session:
        session.get(User, user.id).profile_visibility = visibility


def edit(database, hooks, comment, user, body: str) -> Comment:
    with database.session(write=True) as session:
        return comments.edit_comment(
            session,
            hooks,
            comment.id,
            editor=CurrentUser.of(user, via="session"),
            body=body,
            window=timedelta(minutes=15),
        )


# --- the link ----------------------------------------------------------------------------------


def test_a_mention_links_the_profile_and_other_names_stay_text(make_article, make_user, post):
    article = make_article()
    ann = make_user("ann")
    make_user("Bob_Smith")
    comment = post(article, ann, "Thanks @bob_smith — and @nobody-here.")
    assert '<a href="/users/Bob_Smith" class="mention">@bob_smith</a>' in comment.body_html
    assert "@nobody-here." in comment.body_html and "/users/nobody" not in comment.body_html


@pytest.mark.parametrize("visibility", [ProfileVisibility.NOBODY, ProfileVisibility.MEMBERS])
def test_a_user_who_hid_their_profile_is_neither_linked_nor_told(
    database, make_article, make_user, post, visibility
):
    article = make_article()
    ann, carl = make_user("ann"), make_user("carl")
    set_visibility(database, carl, visibility)
    comment = post(article, ann, "What does @carl think?")
    assert "/users/carl" not in comment.body_html and "@carl think?" in comment.body_html
    assert mails_to(database, "carl") == []


def test_the_page_shows_the_mention_as_a_link_to_the_profile(client, make_article, make_user, post):
    article = make_article(slug="a")
    post(article, make_user("ann"), "Over to you, @bob.")
    make_user("bob")
    post(article, make_user("dan"), "And @bob again.")
    page = client.get("/articles/a").text
    assert '<a href="/users/bob" class="mention">@bob</a>' in page
    assert client.get("/users/bob").status_code == 200


# --- the mail ----------------------------------------------------------------------------------


def test_a_mention_mails_the_user_over_smtp_with_a_link_that_stops_it(
    settings, database, client, smtp_server, make_article, make_user, post
):
    article = make_article(title="Socialism")
    ann, bob = make_user("ann", display_name="Ann"), make_user("bob")
    comment = post(article, ann, "I think @bob knows the sources.")
    report = Outbox.from_settings(settings).deliver_due(database, limit=None)
    assert report.sent == 1
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "bob@example.org"
    assert str(message["Subject"]) == "Ann mentioned you on “Socialism”"
    body = message.get_content()
    assert "Ann mentioned you in a comment on “Socialism”:" in body
    assert "> I think @bob knows the sources." in body
    assert f"/comments/{comment.id}#comment-{comment.id}" in body
    assert client.post(UNSUBSCRIBE.search(body).group(1)).status_code == 200
    with database.session() as session:
        assert not service.get_reply_mails(session, bob.id)


def test_mentioning_yourself_or_an_unconfirmed_address_mails_nobody(
    database, make_article, make_user, post
):
    article = make_article()
    ann = make_user("ann")
    make_user("erin", verified=False)
    post(article, ann, "Note to self, @ann. And @erin.")
    assert mails_to(database, "ann") == [] and mails_to(database, "erin") == []


def test_the_parents_author_mentioned_in_a_reply_gets_one_mail_about_the_reply(
    database, make_article, make_user, post
):
    article = make_article()
    ann, bob = make_user("ann"), make_user("bob")
    watch(database, ann, article)
    parent = post(article, ann, "My view.")
    post(article, bob, "@ann I disagree.", parent=parent)
    (mail,) = mails_to(database, "ann")
    assert "replied to your comment" in mail.subject


def test_a_watcher_who_is_mentioned_gets_one_mail_saying_so(
    database, make_article, make_user, post
):
    article = make_article()
    ann, carl = make_user("ann"), make_user("carl")
    watch(database, carl, article)
    post(article, ann, "Hello @carl.")
    (mail,) = mails_to(database, "carl")
    assert "mentioned you" in mail.subject


def test_with_reply_mails_off_a_mention_is_linked_but_not_mailed(
    database, make_article, make_user, post
):
    article = make_article()
    ann, bob = make_user("ann"), make_user("bob")
    with database.session(write=True) as session:
        service.set_reply_mails(session, bob.id, False)
    comment = post(article, ann, "Hi @bob.")
    assert 'class="mention"' in comment.body_html
    assert mails_to(database, "bob") == []


def test_mentions_over_the_hourly_cap_wait_for_the_digest(
    database, notifier, make_article, make_user, post
):
    article = make_article()
    ann = make_user("ann")
    make_user("bob")
    posted = [post(article, ann, f"Point {n} for @bob.") for n in range(11)]
    assert len(mails_to(database, "bob")) == 10
    with database.session() as session:
        assert session.scalars(select(DigestItem.comment_id)).all() == [posted[-1].id]
    assert notifier.send_digests(database).mails == 1
    digest = mails_to(database, "bob")[-1]
    assert "mentioned you:" in digest.body_text
    assert "Point 10 for @bob." in digest.body_text


def test_a_comment_tells_at_most_ten_of_the_users_it_names(database, make_article, make_user, post):
    article = make_article()
    ann = make_user("ann")
    names = [f"user{n:02d}" for n in range(12)]
    for name in names:
        make_user(name)
    comment = post(article, ann, " ".join(f"@{name}" for name in names))
    assert comment.body_html.count('class="mention"') == 12
    told = [name for name in names if mails_to(database, name)]
    assert told == names[:10]


def test_a_held_comment_tells_its_mentions_once_it_is_published(
    database, notifier, make_article, make_user, post
):
    article = make_article()
    ann = make_user("ann")
    make_user("bob")
    held = CommentHooks(screening=HoldEverything(), on_change=[notifier.comment_changed])
    with database.session(write=True) as session:
        comment = comments.post_comment(
            session,
            held,
            article=article,
            author=CurrentUser.of(ann, via="session"),
            request=comments.PostRequest(body="Waiting for @bob."),
            anonymous_allowed=False,
            close_after_days=0,
        )
    assert mails_to(database, "bob") == []
    with database.session(write=True) as session:
        comments.set_status(
            session, held, session.get(Comment, comment.id), CommentStatus.PUBLISHED
        )
    assert len(mails_to(database, "bob")) == 1


# --- edits ---------------------------------------------------------------------------------------


def test_an_edit_tells_only_users_it_newly_mentions(database, hooks, make_article, make_user, post):
    article = make_article()
    ann = make_user("ann")
    make_user("bob"), make_user("carl")
    comment = post(article, ann, "Asking @bob.")
    assert len(mails_to(database, "bob")) == 1
    edited = edit(database, hooks, comment, ann, "Asking @bob and @carl.")
    assert 'href="/users/carl"' in edited.body_html
    assert len(mails_to(database, "bob")) == 1
    assert len(mails_to(database, "carl")) == 1
    edit(database, hooks, comment, ann, "Asking @carl.")
    edit(database, hooks, comment, ann, "Asking @carl and @bob, really.")
    assert len(mails_to(database, "bob")) == 1 and len(mails_to(database, "carl")) == 1


def test_an_edit_of_a_held_comment_tells_nobody_until_it_is_published(
    database, notifier, make_article, make_user, post
):
    article = make_article()
    ann = make_user("ann")
    make_user("bob")
    held = CommentHooks(screening=HoldEverything(), on_change=[notifier.comment_changed])
    with database.session(write=True) as session:
        comment = comments.post_comment(
            session,
            held,
            article=article,
            author=CurrentUser.of(ann, via="session"),
            request=comments.PostRequest(body="Draft."),
            anonymous_allowed=False,
            close_after_days=0,
        )
    edit(database, held, comment, ann, "Draft for @bob.")
    assert mails_to(database, "bob") == []
    with database.session(write=True) as session:
        comments.set_status(
            session, held, session.get(Comment, comment.id), CommentStatus.PUBLISHED
        )
    assert len(mails_to(database, "bob")) == 1


class HoldEdits:
    """A screening that publishes new comments and holds edits, as moderation may."""

    def initial_status(self, session, draft: Draft) -> CommentStatus:
        return CommentStatus.PENDING if draft.edited is not None else CommentStatus.PUBLISHED


def test_an_edit_held_for_review_tells_new_mentions_once_approved_and_only_once(
    database, notifier, make_article, make_user, post
):
    article = make_article()
    ann = make_user("ann")
    make_user("bob"), make_user("carl")
    hooks = CommentHooks(screening=HoldEdits(), on_change=[notifier.comment_changed])
    with database.session(write=True) as session:
        comment = comments.post_comment(
            session,
            hooks,
            article=article,
            author=CurrentUser.of(ann, via="session"),
            request=comments.PostRequest(body="Asking @bob."),
            anonymous_allowed=False,
            close_after_days=0,
        )
    edited = edit(database, hooks, comment, ann, "Asking @bob and @carl.")
    assert edited.status is CommentStatus.PENDING
    assert mails_to(database, "carl") == []
    for status in (CommentStatus.PUBLISHED, CommentStatus.HIDDEN, CommentStatus.PUBLISHED):
        with database.session(write=True) as session:
            row = session.get(Comment, comment.id)
            comments.set_status(session, hooks, row, status)
    assert len(mails_to(database, "carl")) == 1
    assert len(mails_to(database, "bob")) == 1


def test_the_app_tells_mentions_posted_through_its_pages(database, auth, make_article, make_user):
    make_article(slug="a")
    make_user("bob", role=Role.MODERATOR)  # staff: published at once, whatever the screening
    make_user("carl")
    auth.login("bob")
    response = auth.post("/articles/a/comments", {"body": "Welcome, @carl!"})
    assert response.status_code == 303
    (mail,) = mails_to(database, "carl")
    assert "mentioned you" in mail.subject
    with database.session() as session:
        assert session.scalars(select(DigestItem)).all() == []
