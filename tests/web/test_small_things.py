"""Small things readers notice: a favicon of our own, the comment feed linked from the article,
"Remember me" as one control."""

import re


def test_every_page_links_a_favicon_served_from_our_static_files(client):
    page = client.get("/").text
    svg = re.search(
        r'<link rel="icon" href="(/static/favicon\.[0-9a-f]+\.svg)" type="image/svg\+xml">', page
    )
    ico = re.search(
        r'<link rel="icon" href="(/static/favicon\.[0-9a-f]+\.ico)" sizes="32x32">', page
    )
    assert svg and ico
    answer = client.get(svg.group(1))
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml"
    assert answer.text.startswith("<svg") and "http" not in answer.text.replace(
        "http://www.w3.org/2000/svg", ""
    )
    fallback = client.get(ico.group(1))
    assert fallback.status_code == 200 and fallback.content[:4] == b"\x00\x00\x01\x00"


def test_the_article_page_links_its_comment_feed(client, make_article):
    make_article(slug="a", title="Allotments")
    page = client.get("/articles/a").text
    head = page[: page.index("</head>")]
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Comments on Allotments"'
        ' href="/articles/a/comments.atom">' in head
    )
    body = page[page.index("<body") :]
    assert re.search(r'<a href="/articles/a/comments\.atom"[^>]*>Follow the comments', body)
    feed = client.get("/articles/a/comments.atom")
    assert feed.status_code == 200 and "atom" in feed.headers["content-type"]


def test_a_hidden_thread_links_no_comment_feed(client, make_article, database):
    from sqlalchemy import update

    from forum.articles.models import Article, CommentMode

    article = make_article(slug="a")
    with database.session(write=True) as s:
        s.execute(
            update(Article).where(Article.id == article.id).values(comment_mode=CommentMode.HIDDEN)
        )
    assert "comments.atom" not in client.get("/articles/a").text


def test_remember_me_is_one_labelled_checkbox(client):
    page = client.get("/login").text
    assert re.search(
        r'<input id="remember" name="remember" type="checkbox">\s*'
        r'<label for="remember">Remember me for 30 days on this device</label>',
        page,
    )
