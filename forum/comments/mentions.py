"""``@username`` in comments: linked when written, told by mail when published.

The text is rendered once, when a comment is written or edited: a mention links the profile of
a user everyone may see (``forum.accounts.mentions``); any other ``@name`` stays text. Who is
told, and when, is the notifier's business (``forum.comments.notify``); it asks
``mentioned_users`` of the text, as published.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.accounts import mentions
from forum.accounts.models import User
from forum.comments.models import Comment, CommentRevision
from forum.web.markdown import comment_renderer

TOLD_MAX = 10
"""A comment tells at most this many of the users it mentions (all are linked)."""


def _names(body: str) -> list[str]:
    return comment_renderer.mentioned_names(body) if "@" in body else []


def render_body(session: Session, body: str) -> str:
    """A comment's HTML, with its mentions linked."""
    names = _names(body)
    links = mentions.mention_links(session, names) if names else None
    return comment_renderer.render(body, mentions=links)


def mentioned_users(session: Session, body: str) -> list[User]:
    """The users a text mentions who may be mentioned, in order of id: of the first
    ``TOLD_MAX`` names in the text only, so that a comment cannot mail a crowd."""
    names = _names(body)[:TOLD_MAX]
    return mentions.mentionable(session, names) if names else []


def earlier_mentions(session: Session, comment: Comment, *, until: datetime) -> set[str]:
    """Username keys mentioned in the comment's earlier versions written by ``until`` (what
    was said when it was last announced)."""
    bodies: Iterable[str] = session.scalars(
        select(CommentRevision.body_source).where(
            CommentRevision.comment_id == comment.id, CommentRevision.created_at <= until
        )
    )
    return {name.lower() for body in bodies for name in _names(body)}
