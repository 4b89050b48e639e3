"""Characters XML forbids (C0 controls, lone surrogates, U+FFFE, U+FFFF and the other
noncharacters) never reach a feed: refused where people type them (comments, display names,
articles), stripped from imports; both Atom feeds stay parseable by an XML parser."""

import json
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select

from forum.accounts.models import Role, User
from forum.articles.models import Article
from forum.comments.models import Comment
from forum.text import xml_forbidden_character
from tests.importers.conftest import POSTS, Post, at, write_archive

FORBIDDEN = ["\ufffe", "\uffff", "\ufdd0", "\ufdef", "\U0001fffe", "\U0010ffff", "\x01", "\x1b"]
"""Typed inside otherwise fine text; a lone surrogate is tried separately (JSON escape)."""
ATOM = {"a": "http://www.w3.org/2005/Atom"}


def feeds_parse(client, slug: str) -> list[ET.Element]:
    """Both feeds, parsed by an XML parser; no forbidden character in any of their text."""
    roots = []
    for url in ["/feed.atom", f"/articles/{slug}/comments.atom"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert xml_forbidden_character(response.text) is None, url
        roots.append(ET.fromstring(response.content))
    return roots


def count(database, model) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def writer(make_user, make_article, auth, post):
    """A logged-in editor, an article with one fine comment."""
    user = make_user("wren", role=Role.EDITOR)
    article = make_article(slug="feed", title="Feed test")
    post(article, user, "A fine comment.")
    assert auth.login("wren").status_code == 303
    return user


def test_comments_with_xml_forbidden_characters_are_refused(writer, auth, database):
    headers = {**auth.api_headers(), "content-type": "application/json"}
    before = count(database, Comment)
    for char in FORBIDDEN:
        body = json.dumps({"body": f"before {char} after"})
        response = auth.client.post("/api/articles/feed/comments", content=body, headers=headers)
        assert response.status_code == 400, (body, response.status_code)
        assert "not allowed" in response.text
    surrogate = b'{"body": "before \\ud800 after"}'
    response = auth.client.post("/api/articles/feed/comments", content=surrogate, headers=headers)
    assert response.status_code == 400
    for char in FORBIDDEN:
        response = auth.post("/articles/feed/comments", {"body": f"before {char} after"})
        assert response.status_code == 400, (repr(char), response.status_code)
    assert count(database, Comment) == before
    (_site, thread) = feeds_parse(auth.client, "feed")
    assert len(thread.findall("a:entry", ATOM)) == 1


def test_an_edit_cannot_bring_them_in_either(writer, auth, database):
    headers = {**auth.api_headers(), "content-type": "application/json"}
    created = auth.client.post(
        "/api/articles/feed/comments", content=b'{"body": "Fine."}', headers=headers
    )
    assert created.status_code == 201, created.text
    comment_id = created.json()["id"]
    for char in FORBIDDEN:
        body = json.dumps({"body": f"edited {char} text"})
        response = auth.client.patch(f"/api/comments/{comment_id}", content=body, headers=headers)
        assert response.status_code == 400, (repr(char), response.status_code)
    feeds_parse(auth.client, "feed")


def test_display_names_with_them_are_refused(writer, auth, database):
    for char in FORBIDDEN:
        response = auth.post("/account/profile", {"display_name": f"Wren {char}"})
        assert response.status_code < 500
    with database.session() as session:
        name = session.get(User, writer.id).display_name
    assert xml_forbidden_character(name) is None
    feeds_parse(auth.client, "feed")


@pytest.mark.parametrize("where", ["title", "author", "body"])
def test_articles_with_them_are_refused(writer, auth, database, where):
    form = {
        "title": "A new article",
        "slug": "",
        "author": "Janine",
        "submitted": "2003-04-15T09:12",
        "body": "The body.",
        "published": "on",
        "comments": "open",
        "action": "save",
    }
    for char in FORBIDDEN:
        response = auth.post("/admin/articles/new", {**form, where: f"{form[where]} {char}"})
        assert response.status_code == 400, (where, repr(char), response.status_code)
        assert "not allowed" in response.text
    assert count(database, Article) == 1
    feeds_parse(auth.client, "feed")


@pytest.mark.parametrize("fmt", ["isso", "disqus"])
def test_imports_strip_them_and_the_feed_stays_valid(
    fmt, run_forum, make_article, client, db, tmp_path
):
    make_article(title="What do we mean by socialism?", slug="socialism")
    # XML archives cannot hold C0 controls or U+FFFE/U+FFFF, but can hold other noncharacters
    chars = FORBIDDEN if fmt == "isso" else ["\ufdd0", "\ufdef", "\U0001fffe", "\U0010ffff"]
    text = "Imported " + "".join(chars) + " text."
    posts = [
        Post("901", None, "Zed " + "".join(chars), at(7, 9), f"<p>{text}</p>", text),
        *POSTS[:2],
    ]
    result = run_forum("import", fmt, str(write_archive(fmt, tmp_path, posts)))
    assert result.exit_code == 0, result.output
    imported = db.scalar(select(Comment).where(Comment.body_source.like("Imported%")))
    assert imported is not None
    assert imported.body_source == "Imported  text."
    assert xml_forbidden_character(imported.author_name or "") is None
    (_, thread) = feeds_parse(client, "socialism")
    contents = [e.find("a:content", ATOM).text for e in thread.findall("a:entry", ATOM)]
    assert any("Imported" in c for c in contents)


@pytest.fixture
def run_forum(settings):
    """``forum`` with the test's settings in its environment."""
    from click.testing import CliRunner

    from forum.cli import main

    def invoke(*args: str):
        env = {
            "FORUM_DATABASE_URL": settings.effective_database_url,
            "FORUM_VAR_DIR": str(settings.var_dir),
            "FORUM_SECRET_KEY": settings.secret_key,
        }
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke
