"""Article rules: listing, finding, saving by slug."""

from datetime import UTC, datetime, timedelta

import pytest

from forum.articles import service
from forum.articles.service import ArticleInput, InvalidArticle, slugify
from forum.web.pagination import PageOutOfRange


def test_front_page_lists_published_articles_newest_first(db, make_article):
    base = datetime(2020, 1, 1, tzinfo=UTC)
    make_article(title="Old", submitted_at=base)
    make_article(title="New", submitted_at=base + timedelta(days=2))
    make_article(title="Middle", submitted_at=base + timedelta(days=1))
    make_article(title="Draft", submitted_at=base + timedelta(days=3), published=False)
    page = service.list_published(db, 1, 20)
    assert [a.title for a in page.items] == ["New", "Middle", "Old"]
    assert page.total == 3


def test_pages_hold_the_requested_number_of_articles(db, make_article):
    base = datetime(2020, 1, 1, tzinfo=UTC)
    for n in range(5):
        make_article(title=f"A{n}", submitted_at=base + timedelta(hours=n))
    first = service.list_published(db, 1, 2)
    last = service.list_published(db, 3, 2)
    assert [a.title for a in first.items] == ["A4", "A3"]
    assert first.pages == 3 and first.has_next and not first.has_previous
    assert [a.title for a in last.items] == ["A0"]
    assert last.has_previous and not last.has_next
    with pytest.raises(PageOutOfRange):
        service.list_published(db, 4, 2)


def test_saving_the_same_slug_updates_instead_of_duplicating(db, make_article):
    make_article(title="First title", slug="same")
    make_article(title="Second title", slug="same")
    assert service.count_articles(db) == 1
    assert service.get_published(db, "same").title == "Second title"


def test_unpublished_and_unknown_articles_are_not_found(db, make_article):
    make_article(slug="draft", published=False)
    with pytest.raises(service.ArticleNotFound):
        service.get_published(db, "draft")
    with pytest.raises(service.ArticleNotFound):
        service.get_published(db, "x" * 5000)


def test_body_is_rendered_and_sanitized_once_on_save(make_article):
    article = make_article(body="Hello *world* <script>alert(1)</script>")
    assert "<em>world</em>" in article.body_html
    assert "<script" not in article.body_html
    assert article.teaser.startswith("Hello world")


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("title", {"title": "   "}),
        ("author", {"author_name": ""}),
        ("slug", {"slug": "Not A Slug"}),
        ("title", {"title": "x" * 301}),
    ],
)
def test_invalid_articles_name_the_field(field, overrides):
    values = {
        "title": "A title",
        "author_name": "Janine",
        "submitted_at": datetime(2003, 4, 15, 9, 12, tzinfo=UTC),
        "body": "text",
    }
    values.update(overrides)
    with pytest.raises(InvalidArticle) as info:
        ArticleInput(**values).validated()
    assert info.value.field == field


def test_slugs_are_derived_from_titles():
    assert slugify("What do we mean by socialism? October 1917") == (
        "what-do-we-mean-by-socialism-october-1917"
    )
    assert slugify("Ça va — über café") == "ca-va-uber-cafe"
