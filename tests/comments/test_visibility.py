"""One visibility rule for every read path (``forum.comments.visibility``).

Every route that shows a comment is walked with each comment status × article state × role:
where the rule hides a comment the route answers 404 (or lists nothing) and its text appears
nowhere; where the rule shows it the route answers 200 with the text.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from forum.accounts.models import Role, User
from forum.articles.models import Article, CommentMode
from forum.comments import service
from forum.comments.hooks import CommentHooks
from forum.comments.models import Comment, CommentStatus
from forum.comments.visibility import PUBLIC, Viewer, visible_to

STATES = ("published", "closed", "draft", "hidden_thread")
ROLES = ("visitor", "reader", "author", "moderator", "admin")
STATUSES = tuple(CommentStatus)


def expected(role: str, state: str, status: CommentStatus) -> bool:
    """The rule, written out: staff see everything; others only in a readable thread, a
    published comment, or their own while it is pending."""
    if role in {"moderator", "admin"}:
        return True
    if state not in {"published", "closed"}:
        return False
    return status is CommentStatus.PUBLISHED or (
        status is CommentStatus.PENDING and role == "author"
    )


TAKEN_DOWN = frozenset({CommentStatus.HIDDEN, CommentStatus.REJECTED})


def at_its_permalink(role: str, state: str, status: CommentStatus) -> bool:
    """The rule, plus issue 12 point 14: its author still sees a comment moderation took
    down at its permalink (and its reply form), with the decision, in a readable thread."""
    own_taken_down = role == "author" and status in TAKEN_DOWN
    return expected(role, state, status) or (own_taken_down and state in {"published", "closed"})


def public(state: str, status: CommentStatus) -> bool:
    return expected("visitor", state, status)


def marker(state: str, status: CommentStatus) -> str:
    return f"zq{state.replace('_', '')}{status.value}"


@pytest.fixture
def world(database, make_user, make_article, post) -> dict[str, Any]:
    """Ann's five comments (one per status) on an article in each state; bob reads, modo
    moderates, boss administers."""
    ann = make_user("ann", display_name="Ann")
    make_user("bob")
    make_user("modo", role=Role.MODERATOR)
    make_user("boss", role=Role.ADMIN)
    hooks = CommentHooks()
    comments: dict[tuple[str, CommentStatus], int] = {}
    for state in STATES:
        slug = f"a-{state.replace('_', '-')}"
        article = make_article(slug=slug)
        for status in STATUSES:
            comment = post(article, ann, f"Words {marker(state, status)} here.")
            with database.session(write=True) as session:
                row = session.get(Comment, comment.id)
                service.set_status(session, hooks, row, status)
            comments[(state, status)] = comment.id
        values: dict[str, Any] = {
            "draft": {"published": False},
            "hidden_thread": {"comment_mode": CommentMode.HIDDEN},
            "closed": {"comment_mode": CommentMode.CLOSED},
        }.get(state, {})
        if values:
            with database.session(write=True) as session:
                session.execute(update(Article).where(Article.id == article.id).values(**values))
    return {"comments": comments}


def _as(auth: Any, role: str) -> None:
    names = {"reader": "bob", "author": "ann", "moderator": "modo", "admin": "boss"}
    if role != "visitor":
        response = auth.login(names[role])
        assert response.status_code == 303, response.text


def _shown(response: Any, text: str) -> bool:
    return response.status_code == 200 and text in response.text


def _single_comment_routes(
    auth: Any, role: str, state: str, status: CommentStatus, comment_id: int
) -> None:
    """The permalink, the reply form and ``GET /api/comments/{id}``: 404 or 200 with text."""
    text = marker(state, status)
    visible = expected(role, state, status)
    for url in (f"/comments/{comment_id}", f"/comments/{comment_id}/reply"):
        response = auth.client.get(url, follow_redirects=False)
        where = f"{url} as {role}, {state}, {status.value}"
        if at_its_permalink(role, state, status):
            assert _shown(response, text), where
        else:
            assert response.status_code == 404 and text not in response.text, where
    response = auth.client.get(f"/api/comments/{comment_id}")
    where = f"API as {role}, {state}, {status.value}"
    if visible:
        assert response.status_code == 200 and text in response.json()["html"], where
    else:
        assert response.status_code == 404 and text not in response.text, where


def _forms(auth: Any, role: str, state: str, status: CommentStatus, comment_id: int) -> None:
    """The edit, delete and report forms: a visitor is sent to log in; a comment the rule
    hides is 404; a visible one is 200 with its text where the action is allowed, else 403
    (or 404 for reporting what is not published) and never its text."""
    text = marker(state, status)
    visible = expected(role, state, status)
    staff = role in {"moderator", "admin"}
    own = role == "author"
    allowed = {
        "edit": (staff or own) and status is not CommentStatus.DELETED,
        "delete": (staff or own) and status is not CommentStatus.DELETED,
        "report": not own and status is CommentStatus.PUBLISHED,
    }
    for action, may in allowed.items():
        response = auth.client.get(f"/comments/{comment_id}/{action}", follow_redirects=False)
        where = f"{action} form as {role}, {state}, {status.value}"
        if role == "visitor":
            assert response.status_code == 303 and text not in response.text, where
        elif not visible:
            assert response.status_code == 404 and text not in response.text, where
        elif may:
            assert _shown(response, text), where
        else:
            assert response.status_code in {403, 404} and text not in response.text, where


def _report_api(auth: Any, role: str, state: str, status: CommentStatus, comment_id: int) -> None:
    response = auth.client.post(
        f"/api/comments/{comment_id}/reports",
        json={"reason": "spam"},
        headers=auth.api_headers(),
    )
    where = f"report API as {role}, {state}, {status.value}"
    text = marker(state, status)
    assert text not in response.text, where
    if role == "visitor":
        assert response.status_code == 401, where
    elif not expected(role, state, status) or status is not CommentStatus.PUBLISHED:
        assert response.status_code == 404, where
    elif role == "author":
        assert response.status_code == 403, where
    else:
        assert response.status_code == 201, where


def _lists(auth: Any, role: str, world: dict[str, Any]) -> None:
    """The thread page and its API list exactly what the rule shows (a hidden thread lists
    nothing, even to moderators: its comments are reached one by one); feeds, search and the
    author's profile show only what anyone may see."""
    for state in STATES:
        slug = f"a-{state.replace('_', '-')}"
        page = auth.client.get(f"/articles/{slug}")
        api = auth.client.get(f"/api/articles/{slug}/comments")
        feed = auth.client.get(f"/articles/{slug}/comments.atom")
        if state == "draft":
            assert page.status_code == api.status_code == feed.status_code == 404
        for status in STATUSES:
            text = marker(state, status)
            listed = state in {"published", "closed"} and expected(role, state, status)
            where = f"{role}, {state}, {status.value}"
            assert (text in page.text) is listed, f"thread page as {where}"
            assert (text in api.text) is listed, f"thread API as {where}"
            assert (text in feed.text) is public(state, status), f"feed as {where}"
            found = auth.client.get("/api/search", params={"q": text}).json()
            hits = [hit["snippet_html"] for hit in found["hits"]]
            assert bool(hits) is public(state, status), f"search as {where}"
            assert all(text in hit for hit in hits)
            html = auth.client.get("/search", params={"q": text}).text
            shown = f"<mark>{text}</mark>" in html
            assert shown is public(state, status), f"search page as {where}"
    profile = auth.client.get("/users/ann").text
    for state in STATES:
        for status in STATUSES:
            if not public(state, status):
                assert marker(state, status) not in profile, f"profile as {role}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", STATES)
def test_every_route_that_shows_a_comment_follows_the_rule(world, auth, role, state):
    _as(auth, role)
    for status in STATUSES:
        comment_id = world["comments"][(state, status)]
        _single_comment_routes(auth, role, state, status, comment_id)
        _forms(auth, role, state, status, comment_id)
        _report_api(auth, role, state, status, comment_id)


@pytest.mark.parametrize("role", ROLES)
def test_every_list_that_shows_comments_follows_the_rule(world, auth, role):
    _as(auth, role)
    _lists(auth, role, world)


def test_the_rule_matches_its_sql_form(world, database):
    """``visible_to`` and ``visible_where`` agree on every comment for every kind of viewer."""
    from sqlalchemy import select

    from forum.comments.visibility import visible_where

    with database.session() as session:
        users = {
            "visitor": PUBLIC,
            **{
                role: Viewer(
                    session.scalar(select(User.id).where(User.username == name)),
                    moderator=role in {"moderator", "admin"},
                )
                for role, name in (
                    ("reader", "bob"),
                    ("author", "ann"),
                    ("moderator", "modo"),
                    ("admin", "boss"),
                )
            },
        }
        pairs = session.execute(
            select(Comment, Article).join(Article, Article.id == Comment.article_id)
        ).all()
        for role, viewer in users.items():
            in_sql = set(
                session.scalars(
                    select(Comment.id)
                    .join(Article, Article.id == Comment.article_id)
                    .where(visible_where(viewer))
                )
            )
            in_python = {c.id for c, a in pairs if visible_to(viewer, c, a)}
            assert in_sql == in_python, role
            for (state, status), comment_id in world["comments"].items():
                assert (comment_id in in_python) is expected(role, state, status)


def test_exports_hold_only_the_users_own_comments(world, auth):
    """The privacy export of one reader never carries another's comments, visible or not."""
    auth.login("bob")
    export = auth.client.get("/api/me/export")
    assert export.status_code == 200
    for state in STATES:
        for status in STATUSES:
            assert marker(state, status) not in export.text
    auth.login("ann")
    own = auth.client.get("/api/me/export")
    assert marker("draft", CommentStatus.PENDING) in own.text  # one's own data, all of it
