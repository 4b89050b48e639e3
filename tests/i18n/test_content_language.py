"""Content is not translated but tagged: an article's title, body and comments carry its
language (``lang``), so browsers, screen readers and translation tools read them right, and
take their direction from their own text (``dir="auto"``: English in an Arabic page keeps its
full stop at the end, an Arabic comment in an English page reads right to left)."""

import re

import pytest

from forum.articles.models import Article
from forum.articles.service import InvalidArticle


def test_an_articles_title_body_and_comments_say_its_language(
    client, make_article, post, make_user
):
    article = make_article(
        slug="sozialismus", title="Was heißt Sozialismus?", body="Ein Text.", language="de"
    )
    post(article, make_user("leser"), "Ein Kommentar.")
    html = client.get("/articles/sozialismus").text
    assert re.search(r'<h1 dir="auto" lang="de">Was heißt Sozialismus\?</h1>', html)
    assert '<div class="article-body" dir="auto" lang="de">' in html
    comment = r'<div class="comment-body" dir="auto" lang="de">\s*<p>Ein Kommentar.</p>'
    assert re.search(comment, html)
    assert '<html lang="en" dir="ltr">' in html  # the page's own words stay the reader's


def test_an_article_of_unknown_language_carries_no_lang_of_its_own(
    client, make_article, post, make_user
):
    article = make_article(slug="unknown")
    post(article, make_user("reader"), "A comment.")
    html = client.get("/articles/unknown").text
    assert '<div class="article-body" dir="auto">' in html
    assert '<div class="comment-body" dir="auto">' in html


def article_language(database, slug):
    from sqlalchemy import select

    with database.session() as session:
        return session.scalar(select(Article.language).where(Article.slug == slug))


def test_an_editor_says_which_language_an_article_is_in(make_user, auth, client, database):
    from forum.accounts.models import Role

    make_user("editor1", role=Role.EDITOR)
    assert auth.login("editor1").status_code == 303
    assert 'name="language" type="text" value="en"' in client.get("/admin/articles/new").text
    form = {
        "title": "Os conselhos",
        "slug": "conselhos",
        "author": "Janine",
        "submitted": "2003-04-15T09:12",
        "body": "Os conselhos operários.",
        "published": "on",
        "comments": "open",
        "language": "pt_br",
        "action": "save",
    }
    assert auth.post("/admin/articles/new", form).status_code == 303
    assert article_language(database, "conselhos") == "pt-BR"
    assert (
        '<div class="article-body" dir="auto" lang="pt-BR">'
        in client.get("/articles/conselhos").text
    )
    refused = auth.post("/admin/articles/new", {**form, "slug": "other", "language": "Portu guese"})
    assert refused.status_code == 400
    assert "must be a language tag such as en, de or pt-BR" in refused.text
    assert article_language(database, "other") is None


def test_an_imported_article_takes_the_language_of_its_front_matter(tmp_path, settings):
    from forum.articles.importer import parse_article_file

    path = tmp_path / "wahlen.md"
    path.write_text(
        "---\ntitle: Die Wahlen\nauthor: Janine\nsubmitted: 2003-04-15T09:12:00\n"
        "language: de\n---\nDie Wahlen der Räte.\n",
        encoding="utf-8",
    )
    assert parse_article_file(path, settings.tz).language == "de"
    path.write_text(path.read_text().replace("language: de", "language: 12"), encoding="utf-8")
    with pytest.raises(InvalidArticle):
        parse_article_file(path, settings.tz)


def test_the_demo_articles_are_english(settings):
    from forum.demo.articles import OTHER_ARTICLES, seed_article

    assert seed_article(settings.tz).language == "en"
    assert {article.language for article in OTHER_ARTICLES} == {"en"}
