"""``forum export`` writes the documented JSON, and ``forum import forum`` reads it back into
an empty database losslessly: exporting again gives the same document (ids renumbered)."""

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from forum.accounts.models import User
from forum.articles.models import Article, CommentMode
from forum.comments.models import Comment, CommentStatus
from forum.db import Database
from forum.importers.forum_json import FORMAT, VERSION
from tests.conftest import make_settings


@pytest.fixture
def site(make_article, make_user, database):
    """Two articles (one a draft, one closed), a thread with a reply three levels deep, an
    anonymous comment, an edited one, a pending one and a deleted one."""
    janine = make_user("janine", display_name="Janine B.")
    bob = make_user("bob")
    first = make_article(title="What do we mean by socialism?", slug="socialism", body="# Hi")
    make_article(title="A draft", slug="draft", published=False, comment_mode=CommentMode.CLOSED)
    make_article(title="No comments yet", slug="quiet")

    def at(hour):
        return datetime(2010, 1, 1, hour, 30, 15, 123456, tzinfo=UTC)

    with database.session(write=True) as s:
        rows = []

        def add(parent, author, hour, body, status=CommentStatus.PUBLISHED, name="", **kw):
            depth = parent.depth + 1 if parent else 0
            number = 1 + sum(1 for r in rows if r.parent_id == (parent.id if parent else None))
            root = parent.root_seq if parent else number
            path = (parent.path if parent else "") + f"0{number}."
            c = Comment(
                article_id=first.id,
                parent_id=parent.id if parent else None,
                author_id=author.id if author else None,
                author_name=name,
                root_seq=root,
                path=path,
                depth=depth,
                body_source=body,
                body_html=f"<p>{body}</p>",
                status=status,
                created_at=at(hour),
                updated_at=at(hour),
                **kw,
            )
            s.add(c)
            s.flush()
            rows.append(c)
            return c

        top = add(None, janine, 1, "Top *level*")
        reply = add(top, bob, 2, "Reply", edited_at=at(3))
        deeper = add(reply, janine, 4, "Deeper")
        add(deeper, bob, 5, "Three levels deep")
        add(None, None, 6, "Anonymous words", name="Passer-by")
        add(None, bob, 7, "Waiting", status=CommentStatus.PENDING)
        add(top, janine, 8, "Regretted", status=CommentStatus.DELETED)
    return first


def _normalized(document):
    """The export with ids renumbered in order of appearance and the export time removed."""
    ids = {}
    for article in document["articles"]:
        article["id"] = None
        for comment in article["comments"]:
            ids[comment["id"]] = len(ids) + 1
    for article in document["articles"]:
        for comment in article["comments"]:
            comment["id"] = ids[comment["id"]]
            comment["parent_id"] = ids.get(comment["parent_id"])
    document.pop("exported_at")
    return document


def test_export_writes_the_documented_format(site, run, tmp_path):
    path = tmp_path / "site.json"
    result = run("export", str(path))
    assert result.exit_code == 0
    assert "exported 3 articles and 7 comments" in result.output
    document = json.loads(path.read_text())
    assert document["format"] == FORMAT and document["version"] == VERSION
    article = next(a for a in document["articles"] if a["slug"] == "socialism")
    assert article["body"] == "# Hi" and article["published"] is True
    top, reply, deeper, deepest = article["comments"][:4]
    assert top["author"] == "Janine B." and top["author_username"] == "janine"
    assert (reply["parent_id"], deeper["parent_id"], deepest["parent_id"]) == (
        top["id"],
        reply["id"],
        deeper["id"],
    )
    assert reply["edited_at"] == "2010-01-01T03:30:15.123456+00:00"
    regretted = next(c for c in article["comments"] if c["status"] == "deleted")
    assert regretted["body"] == ""  # a deleted comment leaves without its text
    anonymous = next(c for c in article["comments"] if c["author_username"] is None)
    assert anonymous["author"] == "Passer-by"
    assert "@" not in path.read_text()  # no addresses leave the site


def test_export_then_import_into_an_empty_database_is_lossless(
    site, run, tmp_path, empty_database_url
):
    first = tmp_path / "first.json"
    assert run("export", str(first)).exit_code == 0

    other = make_settings(empty_database_url, tmp_path / "other")
    other_run = _runner(other)
    result = other_run("import", "forum", str(first), "--create-articles")
    assert result.exit_code == 0, result.output
    assert "3 articles created" in result.output and "7 comments imported" in result.output
    second = tmp_path / "second.json"
    assert other_run("export", str(second)).exit_code == 0

    a = _normalized(json.loads(first.read_text()))
    b = _normalized(json.loads(second.read_text()))
    assert a == b

    imported = Database(other.effective_database_url)
    try:
        with imported.session() as s:
            janine = s.scalar(select(User).where(User.username == "janine"))
            assert janine.display_name == "Janine B." and not janine.can_log_in
            assert janine.comment_count == 2  # published ones: top and deeper
            article = s.scalar(select(Article).where(Article.slug == "socialism"))
            assert article.comment_count == 5
            deepest = s.scalar(select(Comment).where(Comment.body_source == "Three levels deep"))
            assert deepest.depth == 3
        # importing the same file again changes nothing
        again = other_run("import", "forum", str(first), "--create-articles")
        assert "0 comments imported, 7 skipped" in again.output
    finally:
        imported.dispose()


def test_a_broken_export_is_refused(run, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"format": "something-else", "articles": []}')
    result = run("import", "forum", str(path))
    assert result.exit_code == 1 and "not a forum export" in result.output
    path.write_text('{"format": "forum-export",\n "version": 1,\n "articles": [}')
    result = run("import", "forum", str(path))
    assert result.exit_code == 1 and "line 3" in result.output


def _runner(settings):
    from click.testing import CliRunner

    from forum.cli import main

    def invoke(*args):
        env = {
            "FORUM_DATABASE_URL": settings.effective_database_url,
            "FORUM_VAR_DIR": str(settings.var_dir),
            "FORUM_SECRET_KEY": settings.secret_key,
        }
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A second migrated, empty database of the same kind as the test's own."""
    from forum import schema
    from tests.conftest import create_postgres_database, drop_postgres_database

    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'empty.db'}"
        schema.upgrade(make_settings(url, tmp_path / "migrate"))
        yield url
        return
    url = create_postgres_database("forum_roundtrip")
    schema.upgrade(make_settings(url, tmp_path / "migrate"))
    yield url
    drop_postgres_database(url)
