"""Small archives in each format, written by the tests themselves, all telling one story: a
thread on an article the forum has, with a reply three levels deep (written before its parent,
as exports do), an anonymous comment, spam, hostile HTML, and a thread on an unknown article."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pytest
from click.testing import CliRunner

from forum.cli import main


@pytest.fixture
def run(settings):
    """Invoke ``forum`` with the test's settings in its environment."""

    def invoke(*args: str):
        env = {
            "FORUM_DATABASE_URL": settings.effective_database_url,
            "FORUM_VAR_DIR": str(settings.var_dir),
            "FORUM_SECRET_KEY": settings.secret_key,
            "FORUM_TIMEZONE": settings.timezone,
            "FORUM_BASE_URL": settings.base_url,
        }
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


@dataclass(frozen=True)
class Post:
    id: str
    parent: str | None
    author: str
    when: datetime
    html: str
    markdown: str
    thread: str = "known"
    spam: bool = False


def at(day: int, hour: int) -> datetime:
    return datetime(2010, 1, day, hour, 0, tzinfo=UTC)


HOSTILE_HTML = (
    '<script>alert("x")</script><p onclick="steal()">Look <a href="javascript:alert(1)">here</a>'
    '<img src="https://evil.example/pixel.gif" onerror="alert(2)"></p>'
)
HOSTILE_MARKDOWN = '<script>alert("x")</script> Look [here](javascript:alert(1)) <img src=x>'

POSTS = [
    # replies come before their parents, as in real exports
    Post("104", "103", "Carol", at(4, 9), "<p>Three levels deep.</p>", "Three levels deep."),
    Post("103", "102", "Alice", at(3, 9), "<p>Two levels.</p>", "Two levels."),
    Post("102", "101", "Bob", at(2, 9), "<p>A <i>reply</i>.</p>", "A *reply*."),
    Post(
        "101",
        None,
        "Alice",
        at(1, 10),
        "<p>First <b>words</b> &amp; more</p><p>Second paragraph</p>",
        "First **words** & more\n\nSecond paragraph",
    ),
    Post("105", None, "Dave", at(1, 8), "<p>Earliest of all.</p>", "Earliest of all."),
    Post("106", None, "Mallory", at(5, 9), HOSTILE_HTML, HOSTILE_MARKDOWN),
    Post("107", None, "Spammer", at(5, 10), "<p>Buy now</p>", "Buy now", spam=True),
    Post("201", None, "Eve", at(6, 9), "<p>Elsewhere.</p>", "Elsewhere.", thread="unknown"),
]
KNOWN_URL = "https://old.example/articles/socialism"
UNKNOWN_URL = "https://old.example/2010/01/other-post.html"
IMPORTED = 6
"""Comments of POSTS that land on the known article (all but the spam and the unknown thread)."""


def _disqus_post(p: Post) -> str:
    parent = f'<parent dsq:id="{p.parent}"/>' if p.parent else ""
    return f"""  <post dsq:id="{p.id}">
    <id/>
    <message><![CDATA[{p.html}]]></message>
    <createdAt>{p.when.strftime("%Y-%m-%dT%H:%M:%SZ")}</createdAt>
    <isDeleted>false</isDeleted>
    <isSpam>{"true" if p.spam else "false"}</isSpam>
    <author><email>{p.author.lower()}@example.org</email><name>{p.author}</name><isAnonymous>true</isAnonymous></author>
    <thread dsq:id="{"1" if p.thread == "known" else "2"}"/>
    {parent}
  </post>
"""


def disqus_xml(posts: list[Post] = POSTS, extra: str = "") -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <category dsq:id="9"><forum>old</forum><title>General</title></category>
  <thread dsq:id="1">
    <id>socialism</id>
    <forum>old</forum>
    <link>{KNOWN_URL}</link>
    <title>What do we mean by socialism?</title>
    <createdAt>2010-01-01T07:00:00Z</createdAt>
    <author><name>Janine</name><isAnonymous>false</isAnonymous><username>janine</username></author>
    <isClosed>false</isClosed>
  </thread>
  <thread dsq:id="2">
    <link>{UNKNOWN_URL}</link>
    <title>The other post</title>
    <createdAt>2010-01-06T07:00:00Z</createdAt>
  </thread>
{"".join(_disqus_post(p) for p in posts)}{extra}</disqus>
"""


def _wp_comment(p: Post) -> str:
    return f"""    <wp:comment>
      <wp:comment_id>{p.id}</wp:comment_id>
      <wp:comment_author><![CDATA[{p.author}]]></wp:comment_author>
      <wp:comment_author_email>{p.author.lower()}@example.org</wp:comment_author_email>
      <wp:comment_author_IP>192.0.2.1</wp:comment_author_IP>
      <wp:comment_date>{p.when.strftime("%Y-%m-%d %H:%M:%S")}</wp:comment_date>
      <wp:comment_date_gmt>{p.when.strftime("%Y-%m-%d %H:%M:%S")}</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[{p.html}]]></wp:comment_content>
      <wp:comment_approved>{"spam" if p.spam else "1"}</wp:comment_approved>
      <wp:comment_type>comment</wp:comment_type>
      <wp:comment_parent>{p.parent or 0}</wp:comment_parent>
      <wp:comment_user_id>0</wp:comment_user_id>
    </wp:comment>
"""


def wordpress_xml(posts: list[Post] = POSTS) -> str:
    known = "".join(_wp_comment(p) for p in posts if p.thread == "known")
    unknown = "".join(_wp_comment(p) for p in posts if p.thread == "unknown")
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
  xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Old blog</title>
  <link>https://old.example</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://old.example</wp:base_site_url>
  <wp:base_blog_url>https://old.example</wp:base_blog_url>
  <item>
    <title>What do we mean by socialism?</title>
    <link>{KNOWN_URL}/</link>
    <dc:creator><![CDATA[janine]]></dc:creator>
    <content:encoded><![CDATA[<p>The article.</p>]]></content:encoded>
    <wp:post_id>11</wp:post_id>
    <wp:post_date>2010-01-01 07:00:00</wp:post_date>
    <wp:post_date_gmt>2010-01-01 07:00:00</wp:post_date_gmt>
    <wp:comment_status>open</wp:comment_status>
    <wp:post_name>socialism</wp:post_name>
    <wp:status>publish</wp:status>
    <wp:post_type>post</wp:post_type>
{known}  </item>
  <item>
    <title>The other post</title>
    <link>{UNKNOWN_URL}</link>
    <dc:creator><![CDATA[janine]]></dc:creator>
    <content:encoded><![CDATA[<h2>Other</h2>
Line one
line two]]></content:encoded>
    <wp:post_id>12</wp:post_id>
    <wp:post_date>2010-01-06 07:00:00</wp:post_date>
    <wp:post_date_gmt>2010-01-06 07:00:00</wp:post_date_gmt>
    <wp:comment_status>open</wp:comment_status>
    <wp:post_name>other-post</wp:post_name>
    <wp:status>publish</wp:status>
    <wp:post_type>post</wp:post_type>
{unknown}    <wp:comment>
      <wp:comment_id>301</wp:comment_id>
      <wp:comment_author><![CDATA[Some blog]]></wp:comment_author>
      <wp:comment_date>2010-01-06 10:00:00</wp:comment_date>
      <wp:comment_date_gmt>2010-01-06 10:00:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[[...] linked here [...]]]></wp:comment_content>
      <wp:comment_approved>1</wp:comment_approved>
      <wp:comment_type>pingback</wp:comment_type>
      <wp:comment_parent>0</wp:comment_parent>
      <wp:comment_user_id>0</wp:comment_user_id>
    </wp:comment>
  </item>
  <item>
    <title>logo.png</title>
    <wp:post_id>13</wp:post_id>
    <wp:post_type>attachment</wp:post_type>
  </item>
</channel>
</rss>
"""


ISSO_SCHEMA = """
CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
CREATE TABLE comments (
    tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER, created FLOAT NOT NULL,
    modified FLOAT, mode INTEGER, remote_addr VARCHAR, text VARCHAR NOT NULL, author VARCHAR,
    email VARCHAR, website VARCHAR, likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0,
    voters BLOB NOT NULL, notification INTEGER DEFAULT 0);
"""


def isso_db(path: Path, posts: list[Post] = POSTS) -> Path:
    """An isso database with isso's own schema (isso 0.13, user_version 5)."""
    connection = sqlite3.connect(path)
    connection.executescript(ISSO_SCHEMA)
    connection.execute("PRAGMA user_version = 5")
    connection.execute(
        "INSERT INTO threads VALUES (1, '/articles/socialism/', 'What do we mean by socialism?')"
    )
    connection.execute("INSERT INTO threads VALUES (2, '/2010/01/other-post.html', 'The other')")
    for p in posts:
        if p.spam:
            continue  # isso keeps no spam
        connection.execute(
            "INSERT INTO comments (tid, id, parent, created, modified, mode, remote_addr, text,"
            " author, email, website, voters) VALUES (?, ?, ?, ?, NULL, 1, '127.0.0.0', ?, ?,"
            " NULL, NULL, x'00')",
            (
                1 if p.thread == "known" else 2,
                int(p.id),
                int(p.parent) if p.parent else None,
                p.when.timestamp(),
                p.markdown,
                p.author,
            ),
        )
    connection.commit()
    connection.close()
    return path


def write_archive(fmt: str, directory: Path, posts: list[Post] = POSTS) -> Path:
    if fmt == "disqus":
        path = directory / "disqus.xml"
        path.write_text(disqus_xml(posts), encoding="utf-8")
    elif fmt == "wordpress":
        path = directory / "wordpress.xml"
        path.write_text(wordpress_xml(posts), encoding="utf-8")
    else:
        path = isso_db(directory / "comments.db", posts)
    return path


__all__ = ["IMPORTED", "POSTS", "Post", "at", "escape", "write_archive"]
