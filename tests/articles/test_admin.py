"""The editors' pages: who may use them, writing, previewing, editing with revisions,
unpublishing, and what an article body may show (https images from allowed hosts)."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from forum.accounts.models import Role
from forum.articles.models import Article, ArticleRevision, CommentMode
from forum.articles.service import ArticleInput, save_article
from forum.web.markdown import article_renderer, comment_renderer
from tests.html_safety import assert_harmless


def _form(**overrides):
    values = {
        "title": "What do we mean by socialism?",
        "slug": "",
        "author": "Janine",
        "submitted": "2003-04-15T09:12",
        "body": "The revolution of *October 1917*.",
        "published": "on",
        "comments": "open",
        "action": "save",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


@pytest.fixture
def editor(make_user, auth):
    user = make_user("editor1", role=Role.EDITOR)
    assert auth.login("editor1").status_code == 303
    return user


def _article(db, slug):
    db.expire_all()
    return db.scalar(select(Article).where(Article.slug == slug))


# --- guards ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/admin/articles", "/admin/articles/new", "/admin/articles/1"])
def test_visitor_is_sent_to_log_in(client, url):
    response = client.get(url + "?state=draft", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={url}%3Fstate%3Ddraft"


def test_reader_and_moderator_get_403(make_user, make_article, auth):
    article = make_article()
    make_user("reader")
    make_user("moddy", role=Role.MODERATOR)
    for name in ("reader", "moddy"):
        auth.login(name)
        assert auth.client.get("/admin/articles").status_code == 403
        assert auth.client.get(f"/admin/articles/{article.id}").status_code == 403
        assert auth.post("/admin/articles/new", _form()).status_code == 403
        assert auth.post(f"/admin/articles/{article.id}/unpublish").status_code == 403
        auth.logout()


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ADMIN])
def test_editors_and_admins_may_write(make_user, auth, role):
    make_user("writer", role=role)
    auth.login("writer")
    page = auth.client.get("/admin/articles")
    assert page.status_code == 200
    assert '<a href="/admin/articles">Edit articles</a>' in page.text
    assert auth.post("/admin/articles/new", _form()).status_code == 303


def test_forms_need_the_csrf_token(editor, client):
    response = client.post("/admin/articles/new", data=_form(), follow_redirects=False)
    assert response.status_code == 403


# --- writing --------------------------------------------------------------------------------


def test_create_derives_the_slug_and_reads_the_date_in_the_site_zone(editor, auth, db):
    response = auth.post("/admin/articles/new", _form(submitted="2003-04-15T09:12"))
    assert response.status_code == 303
    article = _article(db, "what-do-we-mean-by-socialism")
    assert response.headers["location"] == f"/admin/articles/{article.id}"
    assert article.submitted_at == datetime(2003, 4, 15, 9, 12, tzinfo=UTC)
    assert article.body_html == "<p>The revolution of <em>October 1917</em>.</p>"
    assert article.published
    reader_view = auth.client.get("/articles/what-do-we-mean-by-socialism")
    assert "October 1917" in reader_view.text


@pytest.mark.parametrize("settings_overrides", [{"timezone": "Europe/Berlin"}])
def test_the_date_is_local_time_of_the_site(editor, auth, db):
    auth.post("/admin/articles/new", _form(submitted="2003-04-15T09:12"))
    article = _article(db, "what-do-we-mean-by-socialism")
    assert article.submitted_at == datetime(2003, 4, 15, 7, 12, tzinfo=UTC)
    page = auth.client.get(f"/admin/articles/{article.id}")
    assert 'value="2003-04-15T09:12"' in page.text


def test_a_taken_slug_is_a_form_error(editor, auth, make_article, db):
    make_article(title="Taken", slug="taken")
    response = auth.post("/admin/articles/new", _form(slug="taken", body="Kept text."))
    assert response.status_code == 400
    assert "already the address of another article" in response.text
    assert 'aria-invalid="true"' in response.text
    assert "Kept text." in response.text  # the form keeps what was typed
    assert (
        db.scalar(select(Article).where(Article.title == "What do we mean by socialism?")) is None
    )


def test_a_bad_slug_and_a_missing_title_are_form_errors(editor, auth):
    assert auth.post("/admin/articles/new", _form(slug="Not A Slug")).status_code == 400
    response = auth.post("/admin/articles/new", _form(title="  "))
    assert response.status_code == 400
    assert "title: " not in response.text and "is required" in response.text
    assert auth.post("/admin/articles/new", _form(submitted="yesterday")).status_code == 400
    assert auth.post("/admin/articles/new", _form(comments="maybe")).status_code == 400


def test_preview_renders_without_saving(editor, auth, db):
    response = auth.post(
        "/admin/articles/new",
        _form(action="preview", body="## Heading\n\n<script>alert(1)</script> **bold**"),
    )
    assert response.status_code == 200
    assert "<h2>Heading</h2>" in response.text
    assert "<strong>bold</strong>" in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text  # escaped as text
    assert db.scalar(select(Article)) is None


# --- editing and revisions ------------------------------------------------------------------


def test_edit_keeps_a_revision_with_who_and_when(editor, auth, db, make_article):
    article = make_article(title="Old title", slug="old", body="Old body.")
    before = datetime.now(UTC)
    page = auth.client.get(f"/admin/articles/{article.id}")
    base = re.search(r'name="base_revision" value="(\d*)"', page.text).group(1)
    response = auth.post(
        f"/admin/articles/{article.id}",
        _form(title="New title", slug="old", body="New body.", base_revision=base),
    )
    assert response.status_code == 303
    db.expire_all()
    revisions = db.scalars(
        select(ArticleRevision)
        .where(ArticleRevision.article_id == article.id)
        .order_by(ArticleRevision.id)
    ).all()
    assert [r.title for r in revisions] == ["Old title", "New title"]
    assert revisions[0].editor_id is None  # created by the fixture, not in the browser
    assert revisions[-1].editor_id == editor.id
    assert revisions[-1].created_at >= before.replace(microsecond=0)
    assert revisions[-1].body_source == "New body."
    history = auth.client.get(f"/admin/articles/{article.id}").text
    assert "by editor1: title, body source" in history
    assert "Old body." in history  # earlier versions can be read


def test_saving_unchanged_makes_no_revision(editor, auth, db, make_article):
    article = make_article(title="Same", slug="same", body="Same body.")
    form = _form(title="Same", slug="same", body="Same body.", author="Janine")
    form["submitted"] = "2003-04-15T09:12"
    auth.post(f"/admin/articles/{article.id}", form)
    auth.post(f"/admin/articles/{article.id}", form)
    count = db.scalars(
        select(ArticleRevision).where(ArticleRevision.article_id == article.id)
    ).all()
    assert len(count) == 1


def test_a_save_over_someone_elses_is_refused(editor, auth, db, make_article, database):
    article = make_article(title="Shared", slug="shared")
    page = auth.client.get(f"/admin/articles/{article.id}")
    base = re.search(r'name="base_revision" value="(\d*)"', page.text).group(1)
    with database.session(write=True) as session:  # another editor saves meanwhile
        save_article(
            session,
            ArticleInput(
                title="Theirs",
                author_name="X",
                submitted_at=article.submitted_at,
                body="Their body.",
                slug="shared",
            ),
        )
    response = auth.post(
        f"/admin/articles/{article.id}",
        _form(title="Mine", slug="shared", base_revision=base),
    )
    assert response.status_code == 400
    assert "Someone else saved this article" in response.text
    assert _article(db, "shared").title == "Theirs"


def test_changing_the_slug_to_a_taken_one_is_refused(editor, auth, make_article, db):
    make_article(slug="first")
    second = make_article(slug="second")
    response = auth.post(f"/admin/articles/{second.id}", _form(slug="first"))
    assert response.status_code == 400
    assert _article(db, "second") is not None


def test_unpublish_hides_the_article_from_readers(editor, auth, make_article, db, client):
    article = make_article(title="Going away", slug="going-away")
    assert client.get("/articles/going-away").status_code == 200
    assert auth.post(f"/admin/articles/{article.id}/unpublish").status_code == 303
    assert client.get("/articles/going-away").status_code == 404
    assert "Going away" not in client.get("/").text
    assert client.get("/api/articles/going-away").status_code == 404
    # editors still see the draft, rendered, on its admin page
    page = auth.client.get(f"/admin/articles/{article.id}")
    assert "draft" in page.text and "Body of article" in page.text
    drafts = auth.client.get("/admin/articles?state=draft").text
    assert "Going away" in drafts
    assert "Going away" not in auth.client.get("/admin/articles?state=published").text
    revisions = db.scalars(
        select(ArticleRevision).where(ArticleRevision.article_id == article.id)
    ).all()
    assert [r.published for r in revisions] == [True, False]
    assert revisions[-1].editor_id == editor.id


def test_list_searches_titles_and_slugs(editor, auth, make_article):
    make_article(title="Allotment notes", slug="allotments")
    make_article(title="Tenants' union", slug="tenants")
    page = auth.client.get("/admin/articles?q=allot").text
    assert "Allotment notes" in page and "Tenants" not in page
    assert "Tenants" in auth.client.get("/admin/articles?q=tenants").text
    assert auth.client.get("/admin/articles?q=%25").status_code == 200
    assert auth.client.get("/admin/articles?state=bogus").status_code == 400


def test_drafts_are_not_shown_to_readers(editor, auth, client, db):
    auth.post("/admin/articles/new", _form(title="Secret draft", published=None))
    article = _article(db, "secret-draft")
    assert not article.published
    assert client.get("/articles/secret-draft").status_code == 404
    assert "Secret draft" not in client.get("/").text


def test_comment_mode_is_saved(editor, auth, db):
    auth.post("/admin/articles/new", _form(comments="closed"))
    assert _article(db, "what-do-we-mean-by-socialism").comment_mode is CommentMode.CLOSED


# --- images ---------------------------------------------------------------------------------


def test_article_images_are_https_only_and_links_unless_the_host_is_allowed():
    hosts = frozenset({"img.example.org"})
    html = article_renderer.render(
        '![a cat](https://img.example.org/cat.png "Cat")\n\n'
        "![plain](http://img.example.org/dog.png)\n\n"
        "![elsewhere](https://tracker.example.net/pixel.gif)\n\n"
        "![script](javascript:alert(1))",
        image_hosts=hosts,
    )
    assert (
        '<img src="https://img.example.org/cat.png" alt="a cat" title="Cat" loading="lazy">' in html
    )
    assert '<a href="http://img.example.org/dog.png" rel="noopener">plain</a>' in html
    assert '<a href="https://tracker.example.net/pixel.gif" rel="noopener">elsewhere</a>' in html
    assert "javascript" not in html.replace("![script](javascript:alert(1))", "")
    assert html.count("<img") == 1
    # without allowed hosts every image is a link
    assert "<img" not in article_renderer.render("![a](https://img.example.org/cat.png)")


def test_comments_still_show_no_images():
    html = comment_renderer.render("![a](https://img.example.org/cat.png)")
    assert "<img" not in html
    assert_harmless(html)


@pytest.mark.parametrize(
    "settings_overrides", [{"article_image_hosts": "img.example.org, cdn.example.net:8443"}]
)
def test_allowed_image_hosts_show_images_and_extend_the_csp(editor, auth, db):
    body = "![cat](https://img.example.org/cat.png) ![x](https://evil.example.com/x.png)"
    auth.post("/admin/articles/new", _form(body=body))
    article = _article(db, "what-do-we-mean-by-socialism")
    assert '<img src="https://img.example.org/cat.png" alt="cat" loading="lazy">' in (
        article.body_html
    )
    assert '<a href="https://evil.example.com/x.png" rel="noopener">x</a>' in article.body_html
    page = auth.client.get("/articles/what-do-we-mean-by-socialism")
    csp = page.headers["content-security-policy"]
    assert "img-src 'self' https://cdn.example.net:8443 https://img.example.org;" in csp


def test_by_default_the_csp_allows_images_from_our_site_only(client):
    csp = client.get("/").headers["content-security-policy"]
    assert "img-src 'self';" in csp


def test_a_hostile_article_body_is_sanitized(editor, auth, db):
    body = (
        '<img src=x onerror="alert(1)"> [x](javascript:alert(1)) '
        '![y](https://img.example.org/a.png" onerror="alert(1))\n\n<iframe src="https://x"></iframe>'
    )
    auth.post("/admin/articles/new", _form(body=body))
    html = _article(db, "what-do-we-mean-by-socialism").body_html
    assert_harmless(html, {"p", "a", "em", "strong", "h1", "h2", "img"})
    assert "<iframe" not in html and "<img" not in html
