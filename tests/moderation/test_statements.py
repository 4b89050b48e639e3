"""Moderation decisions tell the truth (DSA art. 17 and 20): the author still sees a rejected
or hidden comment at the address the mail gives, with the decision and the way to appeal;
automated decisions say they were automated; the appeal outcome names who decided; the reader
whose report hid a comment lands on a page that says so."""

import pytest
from sqlalchemy import select

from forum.accounts.models import Role
from forum.comments.models import CommentStatus
from forum.moderation.models import Appeal
from tests.moderation.conftest import text_of


@pytest.fixture
def rejected(make_article, make_regular, submit, moderator, auth):
    """carl's comment, rejected by modo as spam with a reason."""
    comment = submit(make_article(slug="a", title="Gardening"), make_regular("carl"), "buy seeds")
    auth.login("modo")
    auth.post(
        f"/moderation/comments/{comment.id}/reject",
        {"expected": "published", "violation": "spam", "reason": "Advertising a shop"},
    )
    auth.logout()
    return comment


def appeal_id(database):
    with database.session() as session:
        return session.scalar(select(Appeal.id))


def test_the_author_sees_their_rejected_comment_where_the_mail_says(
    rejected, auth, make_user, mails, settings
):
    (statement,) = mails()
    link = f"{settings.base_url}/comments/{rejected.id}"
    assert f"you still can, at {link}" in text_of(statement)
    auth.login("carl")
    page = auth.client.get(f"/comments/{rejected.id}")
    assert page.status_code == 200
    assert "buy seeds" in page.text and "Only you can see this comment." in page.text
    assert "A moderator rejected it" in page.text and "Advertising a shop" in page.text
    assert f'href="/comments/{rejected.id}/appeal"' in page.text
    auth.logout()
    make_user("bob")
    auth.login("bob")
    assert auth.client.get(f"/comments/{rejected.id}").status_code == 404
    auth.logout()
    assert auth.client.get(f"/comments/{rejected.id}").status_code == 404


def test_after_appealing_the_author_lands_on_the_comment(rejected, auth):
    auth.login("carl")
    sent = auth.post(f"/comments/{rejected.id}/appeal", {"statement": "It is a gift, free."})
    assert sent.status_code == 303
    landing = auth.client.get(sent.headers["location"])
    assert landing.status_code == 200
    assert "buy seeds" in landing.text
    assert "Your appeal is with the moderators" in landing.text
    assert f'href="/comments/{rejected.id}/appeal"' not in landing.text


def test_a_hidden_comment_with_replies_shows_its_author_the_text_and_others_a_placeholder(
    make_article, make_regular, submit, moderator, auth
):
    article = make_article(slug="b", title="Birds")
    parent = submit(article, make_regular("carl"), "my words here")
    submit(article, make_regular("dora"), "a reply", parent=parent)
    auth.login("modo")
    auth.post(f"/moderation/comments/{parent.id}/hide", {"violation": "off_topic"})
    auth.logout()
    auth.login("dora")
    others = auth.client.get(f"/comments/{parent.id}")
    assert others.status_code == 200 and "my words here" not in others.text
    auth.logout()
    auth.login("carl")
    own = auth.client.get(f"/comments/{parent.id}")
    assert own.status_code == 200
    assert "my words here" in own.text and "a reply" in own.text
    assert "A moderator hid it" in own.text


def test_the_outcome_says_another_moderator_only_when_it_was_another(
    rejected, auth, database, mails
):
    auth.login("carl")
    auth.post(f"/comments/{rejected.id}/appeal", {"statement": "Unfair"})
    auth.logout()
    auth.login("modo")  # the only moderator: the one who rejected it
    auth.post(f"/moderation/appeals/{appeal_id(database)}", {"outcome": "uphold"})
    body = text_of(mails()[-1])
    assert "another moderator" not in body
    assert "decided by the same moderator who made the decision" in body


def test_the_outcome_says_another_moderator_when_it_was(rejected, auth, database, mails, make_user):
    make_user("judge", role=Role.MODERATOR)
    auth.login("carl")
    auth.post(f"/comments/{rejected.id}/appeal", {"statement": "Unfair"})
    auth.logout()
    auth.login("judge")
    auth.post(f"/moderation/appeals/{appeal_id(database)}", {"outcome": "uphold"})
    assert "decided by another moderator" in text_of(mails()[-1])


@pytest.fixture
def reported(make_article, make_user, make_regular, submit, auth):
    """carl's comment reported by ann, bob and dan (the third report reaches the threshold);
    returns the comment and dan's landing after his report (dan stays logged in)."""
    comment = submit(make_article(slug="a", title="Gardening"), make_regular("carl"), "rude")
    landing = None
    for name, reason in (("ann", "abuse"), ("bob", "abuse"), ("dan", "spam")):
        make_user(name)
        auth.logout()
        auth.login(name)
        landing = auth.post(f"/comments/{comment.id}/report", {"reason": reason})
    return comment, landing


def test_the_reader_whose_report_hid_a_comment_lands_on_a_page_that_says_so(reported, auth):
    _, landing = reported
    assert landing.status_code == 303
    assert landing.headers["location"] == "/articles/a#comments"
    page = auth.client.get(landing.headers["location"])
    assert page.status_code == 200
    assert "it is hidden until a moderator has looked at it" in page.text


def test_hiding_by_reports_tells_the_author_it_was_automatic(reported, mails, settings):
    comment, _ = reported
    (statement,) = mails()
    assert statement["To"] == "carl@example.org"
    assert statement["Subject"] == "Your comment on Gardening was hidden"
    body = text_of(statement)
    assert "decided automatically" in body and "no person has judged" in body
    assert "abuse (insults, harassment or threats): 2" in body
    assert "ann" not in body and "dan" not in body
    assert f"{settings.base_url}/comments/{comment.id}/appeal" in body


def test_an_automatic_hide_can_be_appealed(reported, auth, database, moderator):
    comment, _ = reported
    auth.logout()
    auth.login("carl")
    page = auth.client.get(f"/comments/{comment.id}")
    assert page.status_code == 200 and "hidden automatically" in page.text
    form = auth.client.get(f"/comments/{comment.id}/appeal")
    assert form.status_code == 200 and "hidden automatically" in form.text
    assert auth.post(f"/comments/{comment.id}/appeal", {"statement": "Not rude"}).status_code == 303
    auth.logout()
    auth.login("modo")
    decided = auth.post(f"/moderation/appeals/{appeal_id(database)}", {"outcome": "overturn"})
    assert decided.status_code == 303
    with database.session() as session:
        assert session.get(type(comment), comment.id).status is CommentStatus.PUBLISHED


def test_a_comment_held_by_a_rule_gets_an_automated_statement(
    make_article, make_regular, submit, mails, settings
):
    links = " ".join(f"https://{n}.example" for n in range(5))
    held = submit(make_article(slug="a", title="Gardening"), make_regular("carl"), links)
    assert held.status is CommentStatus.PENDING
    (statement,) = mails()
    assert statement["Subject"] == "Your comment on Gardening is held for review"
    body = text_of(statement)
    assert "decided automatically" in body and "not by a person" in body
    assert "more links than the site allows" in body
    assert f"{settings.base_url}/comments/{held.id}/appeal" in body


def test_a_comment_held_by_the_rejection_rate_gets_an_automated_statement(
    make_article, make_regular, submit, moderator, auth, mails
):
    article = make_article(slug="a", title="Gardening")
    carl = make_regular("carl")
    auth.login("modo")
    for n in range(3):
        comment = submit(article, carl, f"spam number {n}")
        auth.post(
            f"/moderation/comments/{comment.id}/reject",
            {"expected": "published", "violation": "spam"},
        )
    held = submit(article, carl, "a fine comment at last")
    assert held.status is CommentStatus.PENDING
    statement = mails()[-1]
    assert statement["Subject"] == "Your comment on Gardening is held for review"
    assert "moderators rejected many of your recent comments" in text_of(statement)


def test_holding_a_newcomer_like_every_newcomer_sends_nothing(
    make_article, make_user, submit, mails
):
    held = submit(make_article(), make_user("ann"), "new here")
    assert held.status is CommentStatus.PENDING
    assert mails() == []
