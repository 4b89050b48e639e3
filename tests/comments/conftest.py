"""Fixtures for the thread: posting comments as someone, straight through the service."""

from collections.abc import Callable
from typing import Any

import pytest

from forum.accounts.current import CurrentUser
from forum.comments import service
from forum.comments.hooks import CommentHooks


@pytest.fixture
def hooks() -> CommentHooks:
    return CommentHooks()


@pytest.fixture
def post(database, hooks) -> Callable[..., Any]:
    """Post a comment as ``user`` (a User row, or None for anonymous) and commit it."""

    def write(article, user, body="A comment.", parent=None, **kwargs: Any):
        with database.session(write=True) as session:
            author = CurrentUser.of(user, via="session") if user is not None else None
            return service.post_comment(
                session,
                hooks,
                article=article,
                author=author,
                request=service.PostRequest(
                    body=body, parent_id=parent.id if parent is not None else None, **kwargs
                ),
                anonymous_allowed=kwargs.pop("anonymous_allowed", True),
                close_after_days=0,
            )

    return write
