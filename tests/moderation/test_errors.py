"""Moderation's refusals: forum.errors classes mapped once by the app, never half done, and
the moderation context reaches handlers by dependency injection."""

import ast
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from forum.accounts.models import Role
from forum.comments.models import Comment, CommentStatus
from forum.errors import Conflict
from forum.moderation import appeals
from forum.moderation.actions import Act, Decision, act
from forum.moderation.errors import AlreadyHandled
from forum.moderation.models import Appeal, AppealStatus, LogEntry, Violation
from forum.moderation.reach import EVERYTHING
from tests.moderation.conftest import me

PACKAGE = Path(__file__).parents[2] / "forum" / "moderation"


@pytest.fixture
def appealed(make_article, make_regular, make_user, submit, moderator, database, ctx):
    """carl's comment, rejected by modo, appealed by carl; and rival, another moderator."""
    rival = make_user("rival", role=Role.MODERATOR)
    carl = make_regular("carl")
    comment = submit(make_article(slug="a"), carl, "buy seeds")
    with database.session(write=True) as s:
        act(
            s,
            ctx,
            comment.id,
            me(moderator),
            Decision(Act.REJECT, violation=Violation.SPAM),
            reach=EVERYTHING,
        )
    with database.session(write=True) as s:
        appeal = appeals.file_appeal(s, comment.id, me(carl), "It is a gift, free.")
        return comment, appeal.id, rival


def test_an_overturn_that_comes_too_late_leaves_the_appeal_open(appealed, database, ctx):
    """The appeal is claimed before the comment is looked at: the refusal must undo the claim
    even though the request's transaction is committed (the page flashes the message)."""
    comment, appeal_id, rival = appealed
    with database.session(write=True) as s:
        s.execute(
            update(Comment).where(Comment.id == comment.id).values(status=CommentStatus.DELETED)
        )
    with database.session(write=True) as s:
        with pytest.raises(AlreadyHandled, match="already deleted"):
            appeals.decide(s, ctx, appeal_id, me(rival), reach=EVERYTHING, overturn=True, reason="")
        s.commit()
    with database.session() as s:
        assert s.get(Appeal, appeal_id).status is AppealStatus.OPEN
        assert s.scalar(select(func.count()).select_from(LogEntry)) == 1


def test_a_late_decision_is_a_conflict_and_writes_nothing(
    make_article, make_user, submit, moderator, database, ctx
):
    held = submit(make_article(slug="b"), make_user("ann"), "waiting words")
    with database.session(write=True) as s:
        act(s, ctx, held.id, me(moderator), Decision(Act.APPROVE), reach=EVERYTHING)
    with database.session(write=True) as s:
        with pytest.raises(Conflict, match="Already handled by modo"):
            act(s, ctx, held.id, me(moderator), Decision(Act.APPROVE), reach=EVERYTHING)
        s.commit()
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(LogEntry)) == 1


def test_a_refused_api_action_is_a_problem_naming_the_field(
    make_article, make_user, submit, moderator, auth
):
    held = submit(make_article(slug="c"), make_user("ann"), "held words")
    auth.login("modo")
    response = auth.client.post(
        f"/api/moderation/comments/{held.id}/actions",
        json={"action": "hide"},
        headers=auth.api_headers(),
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"] == {"violation": "Say which rule the comment breaks."}
    bulk = auth.client.post(
        "/api/moderation/actions",
        json={"action": "reject", "comment_ids": [held.id]},
        headers=auth.api_headers(),
    )
    assert bulk.status_code == 400 and "violation" in bulk.json()["errors"]


def test_a_page_for_nothing_is_the_sites_404_page(moderator, auth):
    auth.login("modo")
    for url in ("/moderation/comments/999", "/moderation/users/nobody", "/moderation/articles/x"):
        response = auth.client.get(url)
        assert response.status_code == 404 and "<html" in response.text.lower()


def test_the_moderation_context_is_provided_not_kept_in_app_state(app):
    assert "moderation" in app.dependencies
    assert "moderation" not in app.state


def _reads_app_state(tree: ast.AST) -> bool:
    return any(isinstance(node, ast.Attribute) and node.attr == "state" for node in ast.walk(tree))


def test_moderation_modules_stay_small_and_read_no_app_state():
    for path in PACKAGE.glob("*.py"):
        source = path.read_text()
        tree = ast.parse(source)
        assert len(source.splitlines()) <= 400, path.name
        if path.name != "hooks.py":  # the badge count is read from the request's scope state
            assert not _reads_app_state(tree), path.name
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                assert node.end_lineno - node.lineno < 60, f"{path.name}: {node.name}"
