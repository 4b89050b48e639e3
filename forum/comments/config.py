"""The thread's settings, gathered once in ``create_app`` and provided as ``comment_config``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from litestar.di import NamedDependency

from forum.settings import Settings
from forum.web.types import AnyRequest


def _no_preferences(_request: AnyRequest) -> bool:
    return False


@dataclass(frozen=True)
class CommentConfig:
    """What the thread's pages and API need to know beyond the database."""

    edit_window: timedelta
    """How long authors may edit their own comments."""
    per_page: int
    """Top-level comments (each with all its replies) on one page."""
    close_after_days: int
    """Comments close this many days after the article's date; 0: never."""
    anonymous_allowed: bool
    secure_cookies: bool
    down_votes: bool = False
    """Readers may vote comments down as well as up."""
    page_comments: int = 200
    """At most this many comments on one page of a thread (the rest: "N more replies")."""
    all_comments: int = 5000
    """At most this many comments in the whole-thread JSON (``?all=1``)."""
    preferences_allowed: Callable[[AnyRequest], bool] = _no_preferences
    """Whether the reader allowed preference cookies (privacy answers; wired in ``create_app``,
    since comments never import privacy)."""

    @classmethod
    def from_settings(
        cls, settings: Settings, preferences_allowed: Callable[[Any], bool] = _no_preferences
    ) -> CommentConfig:
        return cls(
            edit_window=timedelta(minutes=settings.comment_edit_minutes),
            per_page=settings.comments_per_page,
            close_after_days=settings.comments_close_after_days,
            anonymous_allowed=settings.anonymous_comments,
            down_votes=settings.down_votes,
            secure_cookies=settings.https,
            page_comments=settings.comments_page_limit,
            all_comments=settings.comments_all_limit,
            preferences_allowed=preferences_allowed,
        )


CommentSettings = NamedDependency[CommentConfig]
"""How a handler asks for it: ``comment_config: CommentSettings``."""
