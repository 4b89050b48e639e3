"""``forum demo``: the seed article with a realistic discussion, and demo logins that work."""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from forum.accounts.models import Role, User
from forum.articles.models import Article
from forum.cli import main
from forum.comments.models import Comment, CommentRevision, CommentStatus, CommentVote
from forum.demo.articles import SEED_FILE, SEED_SLUG, seed_article
from forum.moderation.models import Report
from tests.conftest import SHARED_DIR

SEED = SHARED_DIR / "seed" / "000_c33584e63deedcd1.txt"
COOKIE_NOTICE = "This website uses cookies"


@pytest.fixture
def run(settings):
    """``forum`` with the test's settings (cheap hashing) in its environment."""

    def invoke(*args: str, base_url: str = "http://127.0.0.1:8000"):
        env = {
            "FORUM_DATABASE_URL": settings.effective_database_url,
            "FORUM_VAR_DIR": str(settings.var_dir),
            "FORUM_SECRET_KEY": settings.secret_key,
            "FORUM_BASE_URL": base_url,
            "FORUM_ARGON2_TIME_COST": str(settings.argon2_time_cost),
            "FORUM_ARGON2_MEMORY_COST": str(settings.argon2_memory_cost),
            "FORUM_ARGON2_PARALLELISM": str(settings.argon2_parallelism),
        }
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


def counts(database) -> tuple[int, int, int]:
    with database.session() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table))
            for table in (Article, Comment, User)
        )


def logins(output: str) -> tuple[list[str], str]:
    """The usernames and the password that ``forum demo`` printed."""
    password = re.search(r"password for each: (\S+)\)", output)
    assert password, output
    names = re.findall(r"^  (\w+) ", output, flags=re.MULTILINE)
    return names, password.group(1)


def test_the_packaged_article_is_the_seed_article_without_the_old_cookie_notice(settings):
    article = seed_article(settings.tz)
    assert article.title == "What do we mean by socialism? October 1917"
    assert article.author_name == "Janine"
    assert COOKIE_NOTICE not in article.body and "Privacy Policy" not in article.body
    if not SEED.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{SEED} is missing")
        pytest.skip("the seed article is not beside the project")
    lines = SEED.read_text(encoding="utf-8").splitlines()
    assert lines[0] == article.title
    assert lines[2] == "Submitted by Janine on 15 April, 2003 - 9:12"
    seed_body = "\n".join(lines[4 : lines.index(next(x for x in lines if COOKIE_NOTICE in x))])
    assert article.body.strip() == seed_body.strip()
    assert SEED_FILE.read_text(encoding="utf-8").count(COOKIE_NOTICE) == 0


def test_the_demo_shows_the_article_with_its_byline_and_a_lively_discussion(run, client):
    result = run("demo", "--if-empty")
    assert result.exit_code == 0, result.output
    assert "demo content loaded" in result.output

    page = client.get(f"/articles/{SEED_SLUG}").text
    assert "What do we mean by socialism? October 1917" in page
    assert re.search(
        r"Submitted by <span class=\"author\">Janine</span> on <time[^>]*>"
        r"15 April, 2003 - 9:12</time>",
        page,
    )
    assert "so said Leon Trotsky in 1937" in page
    assert "you can find out more and set your preferences here" not in page
    assert "Rosa Luxemburg made Priya" in page
    assert "This comment was deleted." in page
    assert "(edited" in page
    assert "Moderator&#39;s note." in page or "Moderator's note." in page
    assert "First time here" not in page  # held: not shown to visitors
    assert '<strong aria-current="true">best</strong>' in page  # with votes: best first


def test_the_demo_discussion_has_every_part_of_a_thread(run, database):
    assert run("demo").exit_code == 0
    with database.session() as session:
        article = session.scalar(select(Article).where(Article.slug == SEED_SLUG))
        thread = session.scalars(select(Comment).where(Comment.article_id == article.id)).all()
        published = [c for c in thread if c.status is CommentStatus.PUBLISHED]
        assert article.comment_count == len(published) >= 20
        assert max(c.depth for c in published) >= 10
        assert len({c.author_id for c in published}) >= 7

        edited = [c for c in published if c.edited_at is not None]
        assert edited and all(c.edited_at > c.created_at for c in edited)
        revision = session.scalar(
            select(CommentRevision).where(CommentRevision.comment_id == edited[0].id)
        )
        assert revision is not None and "1928" in revision.body_source

        deleted = [c for c in thread if c.status is CommentStatus.DELETED]
        assert deleted
        assert any(c.parent_id == deleted[0].id for c in published)

        held = [c for c in thread if c.status is CommentStatus.PENDING]
        assert len(held) == 1

        report = session.scalar(select(Report).where(Report.resolved_at.is_(None)))
        assert report is not None
        reported = session.get(Comment, report.comment_id)
        assert reported.status is CommentStatus.PUBLISHED

        moderators = set(session.scalars(select(User.id).where(User.role == Role.MODERATOR)))
        notes = [c for c in published if c.author_id in moderators]
        assert notes and notes[0].parent_id == reported.id

        voted = [c for c in published if c.votes_up]
        assert len(voted) >= 10 and all(c.score > 0 for c in voted)
        assert session.scalar(select(func.count()).select_from(CommentVote)) == sum(
            c.votes_up for c in voted
        )
        assert not any(c.votes_up for c in thread if c.status is not CommentStatus.PUBLISHED)

        times = [c.created_at for c in sorted(thread, key=lambda c: c.id)]
        assert times == sorted(times)
        assert times[-1] - times[0] > timedelta(hours=12)  # readers came and went


def test_the_demo_is_refused_for_a_site_served_over_https(run, database):
    result = run("demo", base_url="https://forum.example.org")
    assert result.exit_code != 0
    assert "https://" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert counts(database) == (0, 0, 0)


def test_the_demo_with_if_empty_loads_once(run, database):
    first = run("demo", "--if-empty")
    loaded = counts(database)
    second = run("demo", "--if-empty")
    assert second.exit_code == 0
    assert "skipped" in second.output
    assert counts(database) == loaded
    assert logins(second.output) == logins(first.output)


def test_the_printed_demo_logins_work(run, auth):
    names, password = logins(run("demo", "--if-empty").output)
    assert {"janine", "ruth", "kit"} <= set(names)
    for name in names:
        response = auth.login(name, password)
        assert response.status_code in (302, 303), (name, response.text[:300])
        assert auth.client.get("/account").status_code == 200
        auth.logout()


def test_the_demo_moderator_finds_the_held_and_the_reported_comment(run, auth):
    _, password = logins(run("demo", "--if-empty").output)
    auth.login("ruth", password)
    pending = auth.client.get("/moderation").text
    assert "First time here" in pending
    reported = auth.client.get("/moderation/reported").text
    assert "an apologist" in reported
    assert "Calls the author names" in reported
