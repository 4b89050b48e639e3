"""Fixtures for moderation: comments posted through moderation's screening, moderators,
the action context, and the mails it sends (read from the outbox's .eml files)."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import pytest

from forum.accounts.current import CurrentUser
from forum.accounts.models import Role
from forum.comments import service as comments
from forum.comments.hooks import CommentHooks
from forum.mail.outbox import Outbox
from forum.moderation import hooks as moderation
from forum.moderation.context import Context


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Mail is delivered when a test asks (``mails``), not by the app's worker."""
    return {"mail_worker": False}


@pytest.fixture
def mod_hooks(settings) -> CommentHooks:
    """Comment hooks as ``app.py`` wires them: moderation decides."""
    hooks = CommentHooks()
    moderation.install(hooks, settings, Outbox.from_settings(settings))
    return hooks


@pytest.fixture
def ctx(settings, mod_hooks) -> Context:
    return Context(mod_hooks, Outbox.from_settings(settings), settings)


def me(user: Any) -> CurrentUser:
    return CurrentUser.of(user, via="session")


@pytest.fixture
def submit(database, mod_hooks) -> Callable[..., Any]:
    """Post a comment as ``user`` through moderation's screening; returns the comment."""

    def write(
        article: Any,
        user: Any,
        body: str = "A thoughtful comment.",
        *,
        parent: Any = None,
        signals: dict[str, Any] | None = None,
        client_address: str | None = None,
    ) -> Any:
        with database.session(write=True) as session:
            return comments.post_comment(
                session,
                mod_hooks,
                article=article,
                author=me(user) if user is not None else None,
                request=comments.PostRequest(
                    body=body,
                    parent_id=parent.id if parent is not None else None,
                    author_name="" if user is not None else "Passer-by",
                    client_address=client_address,
                    signals=signals or {},
                ),
                anonymous_allowed=True,
                close_after_days=0,
            )

    return write


@pytest.fixture
def moderator(make_user) -> Any:
    return make_user("modo", role=Role.MODERATOR, display_name="Modo")


@pytest.fixture
def mails(settings) -> Callable[[], list[EmailMessage]]:
    """Deliver the queued mail and return every message written so far."""
    from forum.db import Database

    def read() -> list[EmailMessage]:
        database = Database(settings.effective_database_url)
        try:
            Outbox.from_settings(settings).deliver_due(database, limit=None)
        finally:
            database.dispose()
        found = []
        for path in sorted((settings.var_dir / "mail").glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            found.append(message)
        return found

    return read


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


@pytest.fixture
def make_regular(make_user, database) -> Callable[..., Any]:
    """A verified reader with enough published comments that no newcomer rule applies."""
    from sqlalchemy import update

    from forum.accounts.models import User

    def factory(username: str = "regular", **kwargs: Any) -> Any:
        user = make_user(username, **kwargs)
        with database.session(write=True) as session:
            session.execute(update(User).where(User.id == user.id).values(comment_count=5))
        user.comment_count = 5
        return user

    return factory


def held_for(database: Any, comment: Any) -> set[str]:
    """The rules a comment was held by."""
    from sqlalchemy import select

    from forum.moderation.models import HoldReason

    with database.session() as session:
        return {
            r.value
            for r in session.scalars(
                select(HoldReason.rule).where(HoldReason.comment_id == comment.id)
            )
        }
