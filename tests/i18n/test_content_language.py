"""Content is not translated but tagged: an article's title, body and comments carry its
language (``lang``), so browsers, screen readers and translation tools read them right, and
take their direction from their own text (``dir="auto"``: English in an Arabic page keeps its
full stop at the end, an Arabic comment in an English page reads right to left)."""

import re

from sqlalchemy import update

from forum.articles.models import Article


def set_language(database, article, language):
    with database.session(write=True) as session:
        session.execute(update(Article).where(Article.id == article.id).values(language=language))


def test_an_articles_title_body_and_comments_say_its_language(
    client, database, make_article, post, make_user
):
    article = make_article(slug="sozialismus", title="Was heißt Sozialismus?", body="Ein Text.")
    set_language(database, article, "de")
    post(article, make_user("leser"), "Ein Kommentar.")
    html = client.get("/articles/sozialismus").text
    assert re.search(r'<h1 dir="auto" lang="de">Was heißt Sozialismus\?</h1>', html)
    assert '<div class="article-body" dir="auto" lang="de">' in html
    assert re.search(r'<div class="comment-body" dir="auto" lang="de">\s*<p>Ein Kommentar.</p>', html)
    assert '<html lang="en" dir="ltr">' in html  # the page's own words stay the reader's


def test_an_article_of_unknown_language_carries_no_lang_of_its_own(
    client, make_article, post, make_user
):
    article = make_article(slug="unknown")
    post(article, make_user("reader"), "A comment.")
    html = client.get("/articles/unknown").text
    assert '<div class="article-body" dir="auto">' in html
    assert '<div class="comment-body" dir="auto">' in html
