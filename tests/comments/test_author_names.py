"""A cached thread follows its authors' public names: renaming shows at once."""

from __future__ import annotations

from typing import Any

from forum.accounts import service as accounts
from forum.accounts.models import ProfileVisibility, User


def _rename(database: Any, user_id: int, name: str) -> None:
    with database.session(write=True) as session:
        accounts.change_display_name(session, user_id, name)


def test_a_new_display_name_shows_on_the_cached_page_and_moves_the_etag(
    client: Any, database: Any, make_article: Any, make_user: Any, post: Any
) -> None:
    article = make_article(slug="names", title="Names")
    author = make_user("rosa", display_name="Rosa L.")
    post(article, author, "On the mass strike.")
    first = client.get("/articles/names")
    json_first = client.get("/api/articles/names/comments")
    assert "Rosa L." in first.text
    _rename(database, author.id, "Rosa Luxemburg")
    again = client.get("/articles/names")
    json_again = client.get(
        "/api/articles/names/comments", headers={"If-None-Match": json_first.headers["etag"]}
    )
    assert "Rosa Luxemburg" in again.text
    assert json_again.status_code == 200
    assert json_again.headers["etag"] != json_first.headers["etag"]


def test_renaming_marks_no_comment_as_edited(
    database: Any, make_article: Any, make_user: Any, post: Any
) -> None:
    from forum.comments.models import Comment

    article = make_article(slug="names", title="Names")
    author = make_user("rosa", display_name="Rosa L.")
    comment = post(article, author, "On the mass strike.")
    _rename(database, author.id, "Rosa Luxemburg")
    with database.session() as session:
        stored = session.get(Comment, comment.id)
        assert stored is not None
        assert stored.edited_at is None
        assert stored.updated_at > comment.updated_at


def test_hiding_a_profile_moves_the_threads_etag(
    client: Any, database: Any, make_article: Any, make_user: Any, post: Any
) -> None:
    article = make_article(slug="names", title="Names")
    author = make_user("rosa", display_name="Rosa L.")
    post(article, author, "On the mass strike.")
    before = client.get("/api/articles/names/comments").headers["etag"]
    with database.session(write=True) as session:
        user = session.get(User, author.id)
        assert user is not None
        user.profile_visibility = ProfileVisibility.NOBODY
    assert client.get("/api/articles/names/comments").headers["etag"] != before
