"""The threads the site-moderation tests share: one alike on each of three places, sam's site
(blog), olga's (other) and the forum's own article (own), each with a newcomer's held comment
and a published one with an open report; modo moderates the whole forum."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import update

from forum.accounts.current import CurrentUser
from forum.accounts.models import Role, User
from forum.comments import service as comments
from forum.db import Database
from forum.moderation import reports
from forum.moderation.models import Violation
from forum.sites.models import SitePage
from tests.conftest import provided

PLACES = ("blog", "other", "own")
"""blog: the site sam moderates; other: another site (olga's); own: the forum's article."""


def me(user: Any) -> CurrentUser:
    return CurrentUser.of(user, via="session")


def post(database: Database, ctx: Any, article: Any, user: Any, body: str) -> int:
    with database.session(write=True) as session:
        comment = comments.post_comment(
            session,
            ctx.hooks,
            article=article,
            author=me(user),
            request=comments.PostRequest(body=body),
            anonymous_allowed=False,
            close_after_days=0,
        )
        return comment.id


@dataclass
class Cast:
    """The people and sites of the three threads; ``ctx`` is the moderation's context."""

    ctx: Any
    modo: Any
    ann: Any
    carl: Any
    rita: Any
    sites: dict[str, Any]


def cast(app: Any, database: Database, make_user: Any, make_site: Any) -> Cast:
    """sam moderates the blog, olga the other site, modo the forum; carl is no newcomer (his
    comments are published), ann is (hers are held), rita reports."""
    ctx = provided(app, "moderation")
    modo = make_user("modo", role=Role.MODERATOR)
    make_user("sam")
    make_user("olga")
    ann, carl, rita = make_user("ann"), make_user("carl"), make_user("rita")
    with database.session(write=True) as session:
        session.execute(update(User).where(User.id == carl.id).values(comment_count=5))
    sites = {
        "blog": make_site(name="Blog", moderators="sam"),
        "other": make_site(name="Other", moderators="olga"),
    }
    return Cast(ctx, modo, ann, carl, rita, sites)


def thread(people: Cast, database: Database, make_article: Any, name: str) -> tuple[Any, int, int]:
    """The article of place ``name`` (a page of its site, if it has one), its held comment and
    its reported one."""
    article = make_article(slug=f"{name}-post", title=f"The {name} post")
    if name in people.sites:
        with database.session(write=True) as session:
            session.add(
                SitePage(
                    article_id=article.id,
                    site_id=people.sites[name].id,
                    canonical_url=f"https://blog.example/{name}",
                )
            )
    held = post(database, people.ctx, article, people.ann, f"held words on {name}")
    reported = post(database, people.ctx, article, people.carl, f"reported words on {name}")
    with database.session(write=True) as session:
        reports.file_report(session, people.ctx, reported, me(people.rita), Violation.ABUSE, "rude")
    return article, held, reported
