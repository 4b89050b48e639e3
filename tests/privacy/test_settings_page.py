"""Privacy settings at /account/privacy, and that every page, API answer and feed follows them:
a hidden field appears nowhere."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from forum.accounts.models import ProfileVisibility, PublicName, User
from forum.accounts.profiles import ProfileChoices
from forum.comments.models import Comment
from forum.comments.notify import recipients
from forum.comments.notify import service as notifications
from forum.privacy import profile
from forum.privacy.config import ReplyMails

REPLY_MAILS = ReplyMails(get=notifications.get_reply_mails, set=notifications.set_reply_mails)
USERNAME = "zqxauthor"
DISPLAY = "Quentin Zephyrine"


@pytest.fixture
def author(make_user: Any) -> Any:
    return make_user(USERNAME, display_name=DISPLAY)


@pytest.fixture
def thread(make_article: Any, post: Any, author: Any, make_user: Any) -> dict[str, Any]:
    """An article with the author's comment (searchable by 'pineapples') and a reply to it."""
    article = make_article(slug="fruit", title="Fruit")
    comment = post(article, author, "Pineapples ripen slowly.")
    reply = post(article, make_user("bystander"), "Indeed they do.", parent=comment)
    return {"article": article, "comment": comment, "reply": reply}


def choose(database: Any, user: Any, **changes: Any) -> None:
    choices = ProfileChoices(**changes)
    with database.session(write=True) as session:
        profile.save_choices(session, user.id, profile.PrivacyChoices(profile=choices), REPLY_MAILS)


def everywhere(client: Any, thread: dict[str, Any]) -> dict[str, str]:
    """Every place the comment's author is shown, as text: pages, API answers, feed, search."""
    comment_id = thread["comment"].id
    return {
        "thread": client.get("/articles/fruit").text,
        "permalink": client.get(f"/comments/{comment_id}").text,
        "reply permalink": client.get(f"/comments/{thread['reply'].id}").text,
        "thread api": client.get("/api/articles/fruit/comments").text,
        "comment api": client.get(f"/api/comments/{comment_id}").text,
        "feed": client.get("/articles/fruit/comments.atom").text,
        "search page": client.get("/search", params={"q": "pineapples"}).text,
        "search api": client.get("/api/search", params={"q": "pineapples"}).text,
    }


def api_author(client: Any, comment_id: int) -> tuple[str, str | None]:
    data = client.get(f"/api/comments/{comment_id}").json()
    return data["author"], data["author_username"]


# --- the page ---------------------------------------------------------------------------------


def test_the_privacy_page_requires_login(client):
    response = client.get("/account/privacy", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_the_page_shows_the_current_choices_with_privacy_friendly_defaults(client, auth, author):
    auth.login(USERNAME)
    page = client.get("/account/privacy").text
    assert 'value="everyone" checked' in page
    assert 'value="display_name" checked' in page
    assert 'id="list-comments" name="list_comments" value="on" checked' in page
    assert 'id="reply-mails" name="reply_mails" value="on" checked' in page
    assert 'id="allow-indexing" name="allow_indexing" value="on" aria' in page  # not checked


def test_saving_stores_every_setting(client, auth, author, database):
    auth.login(USERNAME)
    response = auth.post(
        "/account/privacy",
        {"profile_visibility": "members", "public_name": "username", "allow_indexing": "on"},
    )
    assert response.status_code == 303
    with database.session() as session:
        user = session.get(User, author.id)
        assert user.profile_visibility is ProfileVisibility.MEMBERS
        assert user.public_name is PublicName.USERNAME
        assert user.list_comments is False
        assert user.allow_indexing is True
        assert notifications.get_reply_mails(session, author.id) is False
    assert "Your privacy settings have been saved." in client.get("/account/privacy").text


def test_a_choice_that_is_not_offered_is_refused(client, auth, author, database):
    auth.login(USERNAME)
    response = auth.post(
        "/account/privacy", {"profile_visibility": "martians", "public_name": "username"}
    )
    assert response.status_code == 400
    with database.session() as session:
        assert session.get(User, author.id).public_name is PublicName.DISPLAY_NAME


def test_the_account_page_links_to_privacy_export_and_deletion(client, auth, author):
    auth.login(USERNAME)
    page = client.get("/account").text
    for link in ("/account/privacy", "/account/export", "/account/delete"):
        assert f'href="{link}"' in page


# --- the name shown ---------------------------------------------------------------------------


def test_by_default_the_display_name_is_shown_and_linked_to_the_profile(client, thread):
    for place, text in everywhere(client, thread).items():
        assert DISPLAY in text, place
    assert f'href="/users/{USERNAME}"' in client.get("/articles/fruit").text
    assert api_author(client, thread["comment"].id) == (DISPLAY, USERNAME)


def test_with_the_username_chosen_the_display_name_appears_nowhere(
    client, database, thread, author
):
    choose(database, author, public_name=PublicName.USERNAME)
    for place, text in everywhere(client, thread).items():
        assert DISPLAY not in text, place
        assert "Zephyrine" not in text, place
    assert api_author(client, thread["comment"].id) == (USERNAME, USERNAME)
    profile_page = client.get(f"/users/{USERNAME}").text
    assert DISPLAY not in profile_page and f"<h1>{USERNAME}</h1>" in profile_page


def test_notification_mails_name_the_author_as_their_settings_say(
    database, thread, author, make_user, post
):
    with database.session() as session:
        comment = session.get(Comment, thread["comment"].id)
        assert recipients.author_name(session, comment) == DISPLAY
    choose(database, author, public_name=PublicName.USERNAME)
    with database.session() as session:
        comment = session.get(Comment, thread["comment"].id)
        assert recipients.author_name(session, comment) == USERNAME


# --- who sees the profile ---------------------------------------------------------------------


def test_a_profile_seen_by_nobody_is_a_404_like_a_missing_user_and_unlinked_everywhere(
    client, database, thread, author
):
    choose(database, author, visibility=ProfileVisibility.NOBODY)
    hidden = client.get(f"/users/{USERNAME}")
    missing = client.get("/users/nosuchperson")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text.replace(USERNAME, "nosuchperson") == missing.text
    for place, text in everywhere(client, thread).items():
        assert USERNAME not in text, place
        assert DISPLAY in text, place  # the name still signs the comment
    assert api_author(client, thread["comment"].id) == (DISPLAY, None)


def test_a_profile_hidden_from_everyone_is_hidden_from_members_too(
    client, auth, database, thread, author, make_user
):
    choose(database, author, visibility=ProfileVisibility.NOBODY)
    make_user("member")
    auth.login("member")
    assert client.get(f"/users/{USERNAME}").status_code == 404
    assert api_author(client, thread["comment"].id) == (DISPLAY, None)


def test_the_owner_still_sees_their_own_hidden_profile(client, auth, database, author):
    choose(database, author, visibility=ProfileVisibility.NOBODY)
    auth.login(USERNAME)
    page = client.get(f"/users/{USERNAME}")
    assert page.status_code == 200
    assert "Only you can see this page." in page.text


def test_a_members_only_profile_is_hidden_from_visitors_and_shown_to_members(
    client, auth, database, thread, author, make_user
):
    choose(database, author, visibility=ProfileVisibility.MEMBERS)
    assert client.get(f"/users/{USERNAME}").status_code == 404
    for place, text in everywhere(client, thread).items():
        assert USERNAME not in text, place
    make_user("member")
    auth.login("member")
    assert client.get(f"/users/{USERNAME}").status_code == 200
    assert f'href="/users/{USERNAME}"' in client.get("/articles/fruit").text
    assert api_author(client, thread["comment"].id) == (DISPLAY, USERNAME)
    hits = client.get("/api/search", params={"q": "pineapples"}).json()["hits"]
    assert hits[0]["author_username"] == USERNAME


def test_search_by_author_finds_nothing_for_a_hidden_profile(client, database, thread, author):
    params = {"q": "pineapples", "author": USERNAME}
    assert client.get("/api/search", params=params).json()["total"] == 1
    choose(database, author, visibility=ProfileVisibility.NOBODY)
    assert client.get("/api/search", params=params).json()["total"] == 0


def test_a_changed_setting_gives_the_thread_a_new_etag(client, database, thread, author):
    first = client.get("/api/articles/fruit/comments")
    etag = first.headers["etag"]
    choose(database, author, public_name=PublicName.USERNAME)
    again = client.get("/api/articles/fruit/comments", headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert DISPLAY not in again.text


# --- listing comments, and search engines -----------------------------------------------------


def test_the_profile_lists_the_comments_and_their_number_by_default(client, thread):
    page = client.get(f"/users/{USERNAME}").text
    assert f'href="/comments/{thread["comment"].id}#comment-{thread["comment"].id}"' in page
    assert "1 comment" in page


def test_with_listing_off_the_profile_shows_neither_comments_nor_their_number(
    client, database, thread, author
):
    choose(database, author, list_comments=False)
    page = client.get(f"/users/{USERNAME}").text
    assert f"/comments/{thread['comment'].id}" not in page
    assert "1 comment" not in page
    params = {"q": "pineapples", "author": USERNAME}
    assert client.get("/api/search", params=params).json()["total"] == 0
    assert client.get("/api/search", params={"q": "pineapples"}).json()["total"] == 1


def test_profiles_are_not_indexed_unless_their_owner_allows_it(client, database, author):
    noindex = '<meta name="robots" content="noindex">'
    assert noindex in client.get(f"/users/{USERNAME}").text
    choose(database, author, allow_indexing=True)
    assert noindex not in client.get(f"/users/{USERNAME}").text


def test_a_members_only_profile_is_never_indexed(client, auth, database, author, make_user):
    choose(database, author, visibility=ProfileVisibility.MEMBERS, allow_indexing=True)
    make_user("member")
    auth.login("member")
    assert '<meta name="robots" content="noindex">' in client.get(f"/users/{USERNAME}").text


def test_settings_change_only_the_users_own_row(database, author, make_user):
    other = make_user("other")
    choose(database, author, public_name=PublicName.USERNAME)
    with database.session() as session:
        names = dict(session.execute(select(User.username, User.public_name)).all())
    assert names == {USERNAME: PublicName.USERNAME, other.username: PublicName.DISPLAY_NAME}
