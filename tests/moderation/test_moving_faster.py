"""Moderators move faster: the readers' reason preset, buttons named by queue and kept apart
when they take a comment down, counts in words, and a "reported" flag in the thread."""

import re

import pytest

from tests.moderation.test_reports import report


@pytest.fixture
def reported(make_article, make_user, make_regular, submit, moderator):
    """A published comment reported twice as off topic and once as spam (the spam report last)."""
    article = make_article(slug="a", title="Allotments")
    comment = submit(article, make_regular("carl"), "Buy my marrows!")
    for name in ("ann", "bob", "dan"):
        make_user(name)
    return comment


def file_reports(auth, comment, reasons):
    for name, reason in zip(("ann", "bob", "dan"), reasons, strict=False):
        assert report(auth, comment, name, reason).status_code == 303
    auth.logout()


def reject_form(page, comment_id):
    start = page.index(f'action="/moderation/comments/{comment_id}/reject"')
    return page[start : page.index("</form>", start)]


def test_the_reject_form_presets_the_rule_the_reports_give(reported, auth):
    file_reports(auth, reported, ["off_topic", "off_topic"])
    auth.login("modo")
    form = reject_form(auth.client.get("/moderation/reported").text, reported.id)
    assert re.search(r'<option value="off_topic" selected>', form)
    assert form.count(" selected>") == 1
    single = reject_form(auth.client.get(f"/moderation/comments/{reported.id}").text, reported.id)
    assert '<option value="off_topic" selected>' in single


def test_on_a_tie_the_latest_report_sets_the_rule(reported, auth):
    file_reports(auth, reported, ["abuse", "spam"])
    auth.login("modo")
    form = reject_form(auth.client.get("/moderation/reported").text, reported.id)
    assert '<option value="spam" selected>' in form


def test_a_held_comment_without_reports_presets_nothing(make_article, make_user, submit, auth):
    from forum.accounts.models import Role

    make_user("modo", role=Role.MODERATOR)
    held = submit(make_article(slug="a"), make_user("newbie"), "First words")
    auth.login("modo")
    form = reject_form(auth.client.get("/moderation").text, held.id)
    assert " selected>" not in form


def test_bulk_buttons_are_named_for_their_queue(reported, make_article, make_user, submit, auth):
    file_reports(auth, reported, ["spam"])
    auth.login("modo")
    reported_page = auth.client.get("/moderation/reported").text
    bulk = reported_page[reported_page.index('id="bulk"') :]
    bulk = bulk[: bulk.index("</form>")]
    assert re.search(r'value="approve"[^>]*>Dismiss reports</button>', bulk)
    assert ">Approve</button>" not in bulk
    submit(make_article(slug="b"), make_user("newbie"), "held for review")
    pending = auth.client.get("/moderation").text
    bulk = pending[pending.index('id="bulk"') :]
    assert re.search(r'value="approve"[^>]*>Approve</button>', bulk[: bulk.index("</form>")])


def test_destructive_buttons_stand_apart_and_delete_still_confirms(reported, auth):
    file_reports(auth, reported, ["spam"])
    auth.login("modo")
    page = auth.client.get("/moderation/reported").text
    form = reject_form(page, reported.id)
    keep, destructive = form.split('<div class="destructive"', 1)
    assert ">Dismiss reports</button>" in keep and ">Edit</a>" in keep
    for button in (">Reject</button>", ">Hide</button>", ">Delete…</a>"):
        assert button in destructive and button not in keep
    assert destructive.count('class="danger"') + destructive.count('class="button danger"') == 3
    confirm = auth.client.get(f"/moderation/comments/{reported.id}/delete")
    assert confirm.status_code == 200 and "<form" in confirm.text


def test_report_counts_read_as_words(reported, auth, database):
    file_reports(auth, reported, ["spam"])
    auth.login("modo")
    page = auth.client.get("/moderation/reported").text
    assert "reported 1 time<" in page and "reported 1 times" not in page
    assert "reported 1 time<" in auth.client.get("/articles/a").text
    assert report(auth, reported, "bob", "spam").status_code == 303
    auth.logout()
    auth.login("modo")
    thread = auth.client.get("/articles/a").text
    assert "reported 2 times" in thread


def test_moderators_see_a_reported_flag_in_the_thread_and_nobody_else_does(reported, auth, client):
    file_reports(auth, reported, ["spam"])
    flag = (
        f'<a class="badge reported" href="/moderation/comments/{reported.id}">reported 1 time</a>'
    )
    auth.login("modo")
    assert flag in auth.client.get("/articles/a").text
    assert flag in auth.client.get(f"/comments/{reported.id}").text
    auth.logout()
    auth.login("ann")
    assert "badge reported" not in auth.client.get("/articles/a").text
    auth.logout()
    client.cookies.clear()
    for _ in range(2):  # rendered, then from the visitors' cache
        visitor = client.get("/articles/a")
        assert visitor.status_code == 200 and "badge reported" not in visitor.text
