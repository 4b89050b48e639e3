"""A site's moderator in the thread itself (issue 15, point 6): on their site's article page
and permalinks they see held comments, report flags and the moderation controls, edit others'
text and reply below a locked comment, as the forum's moderators do; on another site's thread
and on the forum's own articles they see and may do what a reader may. Their cached thread
section is the moderator's variant on their site and the reader's elsewhere, never mixed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from forum.comments.models import Comment, CommentStatus
from forum.db import Database
from forum.moderation.reach import EVERYTHING
from forum.moderation.threads import lock
from forum.sites.models import SiteModerator
from tests.sites.moderated_threads import PLACES, cast, me, post, thread


@dataclass
class Place:
    slug: str
    held: int
    """A newcomer's comment waiting in Pending."""
    reported: int
    """A published comment with an open report (carl's)."""
    locked: int
    """A published comment locked against replies by the forum's moderator."""


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"mail_worker": False}


@pytest.fixture
def world(app, database, make_user, make_article, make_site) -> dict[str, Place]:
    """Three threads alike; sam moderates the blog, olga the other site, modo the forum."""
    people = cast(app, database, make_user, make_site)
    places = {}
    for name in PLACES:
        article, held, reported = thread(people, database, make_article, name)
        locked = post(database, people.ctx, article, people.carl, f"locked words on {name}")
        with database.session(write=True) as session:
            lock(session, locked, me(people.modo), "too heated", reach=EVERYTHING)
        places[name] = Place(f"{name}-post", held, reported, locked)
    return places


def body_of(database: Database, comment_id: int) -> str:
    with database.session() as session:
        found = session.get(Comment, comment_id)
        assert found is not None
        return found.body_source


def replies_to(database: Database, comment_id: int) -> int:
    with database.session() as session:
        return len(session.query(Comment).filter(Comment.parent_id == comment_id).all())


def moderators_view(page: str, place: Place) -> bool:
    """Whether the page shows ``place``'s thread as its moderator sees it: the held comment,
    the report flag, and the decisions and edits under the comments."""
    shown = [
        f"held words on {place.slug.removesuffix('-post')}" in page,
        "reported 1 time" in page,
        f'action="/moderation/comments/{place.held}/approve"' in page,
        f'href="/moderation/comments/{place.reported}/edit"' in page,
    ]
    assert all(shown) or not any(shown), shown  # the whole variant, never a part of it
    return all(shown)


# --- what they see -----------------------------------------------------------------------------


def test_a_site_moderator_sees_their_sites_thread_as_its_moderator(world, auth):
    auth.login("sam")
    page = auth.client.get("/articles/blog-post")
    assert page.status_code == 200
    assert moderators_view(page.text, world["blog"])
    assert "awaiting moderation" in page.text


@pytest.mark.parametrize("place", ["other", "own"])
def test_elsewhere_a_site_moderator_sees_what_a_reader_sees(world, auth, place):
    auth.login("sam")
    page = auth.client.get(f"/articles/{place}-post").text
    assert not moderators_view(page, world[place])
    assert f"reported words on {place}" in page and "/moderation/comments/" not in page


def test_held_comments_at_their_permalinks_and_in_the_api(world, auth):
    auth.login("sam")
    blog, other, own = world["blog"], world["other"], world["own"]
    permalink = auth.client.get(f"/comments/{blog.held}")
    assert permalink.status_code == 200 and "held words on blog" in permalink.text
    assert f'action="/moderation/comments/{blog.held}/approve"' in permalink.text
    assert auth.client.get(f"/api/comments/{blog.held}").json()["status"] == "pending"
    thread = auth.client.get("/api/articles/blog-post/comments").json()
    assert blog.held in {c["id"] for c in thread["comments"]}
    for place in (other, own):
        assert auth.client.get(f"/comments/{place.held}").status_code == 404
        assert auth.client.get(f"/api/comments/{place.held}").status_code == 404
        listed = auth.client.get(f"/api/articles/{place.slug}/comments").json()
        assert place.held not in {c["id"] for c in listed["comments"]}


def test_hidden_comments_stay_visible_to_the_sites_moderator_only(world, auth):
    auth.login("modo")
    for place in world.values():
        hidden = auth.post(f"/moderation/comments/{place.reported}/hide", {"violation": "abuse"})
        assert hidden.status_code == 303
    auth.logout()
    auth.login("sam")
    assert "reported words on blog" in auth.client.get(f"/comments/{world['blog'].reported}").text
    assert auth.client.get(f"/comments/{world['other'].reported}").status_code == 404
    assert "reported words on own" not in auth.client.get("/articles/own-post").text


# --- what they do from the thread --------------------------------------------------------------


def test_a_site_moderator_approves_from_the_thread_and_lands_back_there(world, auth, database):
    blog = world["blog"]
    auth.login("sam")
    back = f"/comments/{blog.held}"
    done = auth.post(f"/moderation/comments/{blog.held}/approve", {"next": back})
    assert done.status_code == 303 and done.headers["location"] == back
    with database.session() as session:
        assert session.get(Comment, blog.held).status is CommentStatus.PUBLISHED


def test_a_site_moderator_edits_anothers_comment_on_their_site_only(world, auth, database):
    auth.login("sam")
    edit = {"body": "kinder words", "reason": "tone"}
    blog = world["blog"].reported
    assert auth.client.get(f"/moderation/comments/{blog}/edit").status_code == 200
    assert auth.post(f"/moderation/comments/{blog}/edit", edit).status_code == 303
    assert body_of(database, blog) == "kinder words"
    patched = auth.client.patch(
        f"/api/comments/{blog}", json={"body": "kinder still"}, headers=auth.api_headers()
    )
    assert patched.status_code == 200 and body_of(database, blog) == "kinder still"
    for place in ("other", "own"):
        target = world[place].reported
        assert auth.post(f"/moderation/comments/{target}/edit", edit).status_code == 403
        assert auth.client.get(f"/comments/{target}/edit").status_code == 403
        api = auth.client.patch(
            f"/api/comments/{target}", json={"body": "mine now"}, headers=auth.api_headers()
        )
        assert api.status_code == 403
        assert body_of(database, target) == f"reported words on {place}"


def test_a_site_moderator_replies_below_a_locked_comment_on_their_site_only(world, auth, database):
    auth.login("sam")
    blog = world["blog"].locked
    reply = {"body": "Closing words from the moderator.", "parent_id": str(blog)}
    assert auth.post("/articles/blog-post/comments", reply).status_code == 303
    assert replies_to(database, blog) == 1
    for place in ("other", "own"):
        locked = world[place].locked
        refused = auth.post(
            f"/articles/{place}-post/comments", {"body": "Me too.", "parent_id": str(locked)}
        )
        assert refused.status_code == 403 and "locked" in refused.text
        assert replies_to(database, locked) == 0


# --- the cached thread section ------------------------------------------------------------------


def test_the_cached_section_follows_the_appointment(world, auth, database):
    """The same reader's cached section is the moderator's variant while they moderate the
    site and the reader's once they no longer do, though nothing in the thread moved (no open
    report either: the reports' flags are part of the key, so they would hide a leak)."""
    blog = world["blog"]
    auth.login("modo")
    assert auth.post(f"/moderation/comments/{blog.reported}/approve").status_code == 303
    auth.logout()
    auth.login("sam")
    for _ in range(3):  # the third from the render cache and the reader cache
        page = auth.client.get("/articles/blog-post").text
        assert "held words on blog" in page and "reported 1 time" not in page
    with database.session(write=True) as session:
        session.query(SiteModerator).delete()
    for _ in range(3):
        page = auth.client.get("/articles/blog-post").text
        assert "held words on blog" not in page and "/moderation/comments/" not in page
    auth.logout()
    auth.login("rita")
    assert "held words on blog" not in auth.client.get("/articles/blog-post").text


def test_one_moderators_variants_never_cross_threads(world, auth):
    """Loaded in turns and again (cached), each thread keeps its own variant."""
    auth.login("sam")
    for _ in range(2):
        assert moderators_view(auth.client.get("/articles/blog-post").text, world["blog"])
        for place in ("other", "own"):
            page = auth.client.get(f"/articles/{place}-post").text
            assert not moderators_view(page, world[place])
