"""Each importer on a small archive it did not write itself: the tree with a reply three levels
deep, dates, unclaimed profiles, counts, re-runs, unmatched threads, --create-articles, spam,
hostile HTML, and archives that must be refused."""

import pytest
from sqlalchemy import func, select

from forum.accounts.models import User
from forum.articles.models import Article
from forum.comments.models import Comment, CommentStatus
from forum.importers.archive import ArchiveThread
from forum.importers.convert import slug_candidates
from tests.html_safety import assert_harmless
from tests.importers.conftest import (
    IMPORTED,
    POSTS,
    UNKNOWN_URL,
    Post,
    at,
    disqus_xml,
    wordpress_xml,
    write_archive,
)

FORMATS = ["disqus", "wordpress", "isso"]
THREAD_2 = '<thread dsq:id="2">'
ITEM_2 = "<item>\n    <title>The other post"


@pytest.fixture
def article(make_article):
    return make_article(title="What do we mean by socialism?", slug="socialism")


def _comments(db, article_id):
    db.expire_all()
    rows = db.scalars(select(Comment).where(Comment.article_id == article_id)).all()
    return {text: c for c in rows for text in _KEYS if text in c.body_source}


_KEYS = [
    "Three levels deep",
    "Two levels",
    "reply",
    "First",
    "Earliest",
    "Look",
    "Elsewhere",
    "Orphan",
]


def _user(db, display_name):
    return db.scalar(select(User).where(User.display_name == display_name))


@pytest.mark.parametrize("fmt", FORMATS)
def test_import_keeps_the_tree_dates_and_authors(fmt, run, tmp_path, article, db, client):
    result = run("import", fmt, str(write_archive(fmt, tmp_path)))
    assert result.exit_code == 0, result.output
    assert f"{IMPORTED} comments imported" in result.output
    c = _comments(db, article.id)
    assert len(c) == IMPORTED
    deep, two, reply, first = c["Three levels deep"], c["Two levels"], c["reply"], c["First"]
    assert (deep.parent_id, two.parent_id, reply.parent_id, first.parent_id) == (
        two.id,
        reply.id,
        first.id,
        None,
    )
    assert [first.depth, reply.depth, two.depth, deep.depth] == [0, 1, 2, 3]
    assert deep.path.startswith(two.path) and two.path.startswith(reply.path)
    assert reply.path.startswith(first.path) and deep.root_seq == first.root_seq
    # top-level comments are numbered by date: the earliest thread comes first
    assert [c["Earliest"].root_seq, first.root_seq, c["Look"].root_seq] == [1, 2, 3]
    assert deep.created_at == at(4, 9) and first.created_at == at(1, 10)
    assert first.body_html == (
        "<p>First <strong>words</strong> &amp; more</p>\n<p>Second paragraph</p>"
    )
    assert reply.body_html == "<p>A <em>reply</em>.</p>"
    assert all(x.status is CommentStatus.PUBLISHED for x in c.values())
    # authors are unclaimed profiles: a name, no address, no password, no login
    alice = _user(db, "Alice")
    assert alice is not None and alice.email is None and alice.password_hash is None
    assert not alice.can_log_in
    assert first.author_id == two.author_id == alice.id
    assert alice.comment_count == 2
    assert db.get(Article, article.id).comment_count == IMPORTED
    page = client.get("/articles/socialism")
    assert page.status_code == 200
    assert "Three levels deep." in page.text and "Alice" in page.text
    assert f"/users/{alice.username}" in page.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_html_is_sanitized(fmt, run, tmp_path, article, db):
    run("import", fmt, str(write_archive(fmt, tmp_path)))
    hostile = _comments(db, article.id)["Look"]
    assert_harmless(hostile.body_html)
    assert "<script" not in hostile.body_html and 'href="javascript' not in hostile.body_html
    assert "<img" not in hostile.body_html and "onclick" not in hostile.body_html
    assert "Look" in hostile.body_html


@pytest.mark.parametrize("fmt", FORMATS)
def test_running_an_import_again_skips_what_is_there(fmt, run, tmp_path, article, db):
    path = write_archive(fmt, tmp_path)
    run("import", fmt, str(path))
    users = db.scalar(select(func.count()).select_from(User))
    again = run("import", fmt, str(path))
    assert again.exit_code == 0
    assert f"0 comments imported, {IMPORTED} skipped (already imported)" in again.output
    assert "0 profiles" in again.output
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Comment)) == IMPORTED
    assert db.scalar(select(func.count()).select_from(User)) == users
    assert db.get(Article, article.id).comment_count == IMPORTED
    assert _user(db, "Alice").comment_count == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_new_reply_to_an_imported_comment_joins_its_thread(fmt, run, tmp_path, article, db):
    run("import", fmt, str(write_archive(fmt, tmp_path)))
    more = [*POSTS, Post("108", "104", "Alice", at(7, 9), "<p>Four deep</p>", "Four deep")]
    (tmp_path / "later").mkdir()
    result = run("import", fmt, str(write_archive(fmt, tmp_path / "later", more)))
    assert f"1 comments imported, {IMPORTED} skipped" in result.output
    db.expire_all()
    deep = _comments(db, article.id)["Three levels deep"]
    four = db.scalar(select(Comment).where(Comment.parent_id == deep.id))
    assert four.depth == 4 and four.path.startswith(deep.path)


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unmatched_thread_is_reported_and_left_out(fmt, run, tmp_path, article, db):
    path = write_archive(fmt, tmp_path)
    result = run("import", fmt, str(path))
    assert "threads without an article (use --create-articles): 1" in result.output
    text = path.read_text(errors="replace")
    if fmt == "disqus":
        where, url = f"line {_line_of(text, THREAD_2)}", UNKNOWN_URL
    elif fmt == "wordpress":
        where, url = f"line {_line_of(text, ITEM_2)}", UNKNOWN_URL
    else:
        where, url = "thread 2", "/2010/01/other-post.html"
    assert f"{where}: no article for {url} (1 comments left out)" in result.output
    assert db.scalar(select(Article).where(Article.slug == "other-post")) is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_create_articles_makes_a_published_article_for_the_thread(fmt, run, tmp_path, article, db):
    result = run("import", fmt, str(write_archive(fmt, tmp_path)), "--create-articles")
    assert result.exit_code == 0
    assert "1 articles created" in result.output
    assert f"{IMPORTED + 1} comments imported" in result.output
    created = db.scalar(select(Article).where(Article.slug == "other-post"))
    assert created is not None and created.published
    assert created.title.startswith("The other")
    assert created.comment_count == 1
    eve = db.scalar(select(Comment).where(Comment.article_id == created.id))
    assert "Elsewhere" in eve.body_source
    if fmt == "wordpress":  # the archive holds the article's text too
        assert "<h2>Other</h2>" in created.body_html
        assert "Line one<br>" in created.body_html


def test_spam_and_pingbacks_are_left_out(run, tmp_path, article):
    disqus = run("import", "disqus", str(write_archive("disqus", tmp_path)))
    assert "1 left out (spam: 1)" in disqus.output
    wordpress = run("import", "wordpress", str(write_archive("wordpress", tmp_path)))
    assert "2 left out (pingbacks: 1, spam: 1)" in wordpress.output


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_reply_whose_parent_is_missing_becomes_top_level(fmt, run, tmp_path, article, db):
    posts = [Post("110", "999", "Olga", at(1, 12), "<p>Orphan</p>", "Orphan")]
    result = run("import", fmt, str(write_archive(fmt, tmp_path, posts)))
    assert "replies imported as top-level: 1" in result.output
    assert "the comment it replies to is not in the archive" in result.output
    orphan = _comments(db, article.id)["Orphan"]
    assert orphan.parent_id is None and orphan.depth == 0


def test_an_unreadable_post_is_an_error_with_its_line(run, tmp_path, article, db):
    bad = """  <post dsq:id="120">
    <message><![CDATA[<p>Bad date</p>]]></message>
    <createdAt>yesterday</createdAt>
    <author><name>Zed</name></author>
    <thread dsq:id="1"/>
  </post>
"""
    path = tmp_path / "disqus.xml"
    path.write_text(disqus_xml(extra=bad))
    result = run("import", "disqus", str(path))
    line = _line_of(path.read_text(), '<post dsq:id="120">')
    assert f"errors: 1\n  line {line}: createdAt is not an ISO 8601 date" in result.output
    assert f"{IMPORTED} comments imported" in result.output


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<disqus xmlns="http://disqus.com"><thread><title>&lol3;</title></thread></disqus>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&secret;</title></item></channel></rss>
"""


@pytest.mark.parametrize(("fmt", "text"), [("disqus", BILLION_LAUGHS), ("wordpress", XXE)])
def test_entity_tricks_are_refused_and_nothing_is_written(fmt, text, run, tmp_path, db):
    path = tmp_path / "evil.xml"
    path.write_text(text)
    result = run("import", fmt, str(path))
    assert result.exit_code == 1
    assert "refused: the file declares entities" in result.output
    assert "nothing was imported" in result.output
    assert "root:" not in result.output  # no file content leaked
    assert db.scalar(select(func.count()).select_from(Comment)) == 0


def test_malformed_xml_names_its_line(run, tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text('<?xml version="1.0"?>\n<disqus>\n<post>\n</disqus>\n')
    result = run("import", "disqus", str(path))
    assert result.exit_code == 1
    assert "line 4: not well-formed XML" in result.output


def test_the_wrong_format_is_refused(run, tmp_path):
    path = write_archive("wordpress", tmp_path)
    result = run("import", "disqus", str(path))
    assert result.exit_code == 1 and "not a Disqus export" in result.output
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("hello")
    result = run("import", "isso", str(not_sqlite))
    assert result.exit_code == 1 and "isso" in result.output


def test_wordpress_dates_without_gmt_are_read_in_the_site_zone(tmp_path):
    from zoneinfo import ZoneInfo

    from forum.importers import wordpress

    text = wordpress_xml_with_local_date()
    path = tmp_path / "wp.xml"
    path.write_text(text)
    archive = wordpress.read(path, ZoneInfo("Europe/Berlin"))
    (comment,) = archive.comments
    assert comment.created_at.astimezone(ZoneInfo("UTC")).hour == 9  # 10:00 in Berlin


def wordpress_xml_with_local_date() -> str:
    post = Post("1", None, "Ann", at(1, 10), "<p>x</p>", "x")
    return wordpress_xml([post]).replace(
        "<wp:comment_date_gmt>2010-01-01 10:00:00</wp:comment_date_gmt>",
        "<wp:comment_date_gmt>0000-00-00 00:00:00</wp:comment_date_gmt>",
    )


@pytest.mark.parametrize(
    ("thread", "slugs"),
    [
        (ArchiveThread("1", "", url="https://old.example/articles/socialism/"), ["socialism"]),
        (
            ArchiveThread("1", "", url="https://old.example/2010/01/Other-Post.html", title="X Y"),
            ["other-post", "x-y"],
        ),
        (
            ArchiveThread("1", "", url="https://old.example/?p=12", title="Hello, World"),
            ["hello-world"],
        ),
        (ArchiveThread("1", "", slug="given", url="/articles/other"), ["given", "other"]),
        (ArchiveThread("1", ""), []),
    ],
)
def test_threads_are_matched_by_slug_url_or_title(thread, slugs):
    assert slug_candidates(thread) == slugs


def test_a_very_long_site_address_still_imports_once(run, tmp_path, article, db):
    long_site = "https://old.example/" + "very-long-path/" * 30
    text = wordpress_xml(POSTS).replace(
        "<wp:base_site_url>https://old.example</wp:base_site_url>",
        f"<wp:base_site_url>{long_site}</wp:base_site_url>",
    )
    path = tmp_path / "long.xml"
    path.write_text(text)
    assert f"{IMPORTED} comments imported" in run("import", "wordpress", str(path)).output
    again = run("import", "wordpress", str(path))
    assert f"0 comments imported, {IMPORTED} skipped" in again.output
