"""No duplicate on retry: a post that carries a key is written once.

A client whose connection broke after the server committed cannot know the comment exists,
and sends it again. The JSON API takes an ``Idempotency-Key`` header, the HTML form a one-time
nonce (hidden field): the same key from the same author (the user, or for a visitor the client
address) within ``KEY_LIFETIME`` gives the first comment again instead of a second one; the same
key with another text is refused (``KeyReused``). Keys are rows of ``comment_post_keys``,
written in the post's own transaction; ``forum privacy purge`` deletes expired ones.

The key row is claimed before the comment is written: two requests with one key at the same
moment queue on its unique index (PostgreSQL) or on SQLite's write lock, and the second finds
the first's comment.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, ForeignKey, Index, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from forum.accounts.current import CurrentUser
from forum.articles.models import Article
from forum.comments import service
from forum.comments.hooks import CommentHooks
from forum.comments.models import Comment
from forum.db import Base, UTCDateTime, utcnow
from forum.errors import Conflict, Invalid
from forum.i18n import gettext, ngettext

KEY_LIFETIME = timedelta(hours=24)
KEY_MAX = 255
FORM_PREFIX = "form:"
"""Keys of the HTML form's nonce, apart from the API's."""


class PostKey(Base):
    """One key sent with a post, and the comment it made."""

    __tablename__ = "comment_post_keys"
    __table_args__ = (
        UniqueConstraint("owner", "key", name="uq_comment_post_keys_owner_key"),
        Index("ix_comment_post_keys_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(80))
    """``user:<id>``, or ``address:<client address>`` for a visitor."""
    key: Mapped[str] = mapped_column(String(KEY_MAX + len(FORM_PREFIX)))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    fingerprint: Mapped[str] = mapped_column(String(64))
    """SHA-256 of what was posted (article, text, parent, name): a reused key must match."""
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class KeyReused(Conflict):
    """The key was used for a different comment."""


@dataclass(frozen=True)
class Posted:
    comment: Comment
    replayed: bool
    """True when the key had been used: this is the first post's comment."""


def check_key(raw: str, *, prefix: str = "") -> str:
    """The key as stored, or ``Invalid``: 1 to 255 printable ASCII characters."""
    if not (0 < len(raw) <= KEY_MAX and raw.isascii() and raw.isprintable()):
        message = ngettext(
            "An idempotency key is 1 to %(num)s printable ASCII character.",
            "An idempotency key is 1 to %(num)s printable ASCII characters.",
            KEY_MAX,
        )
        raise Invalid({"idempotency_key": message})
    return prefix + raw


def owner_of(author: CurrentUser | None, client_address: str | None) -> str:
    return f"user:{author.id}" if author is not None else f"address:{client_address or '-'}"


def fingerprint(article: Article, request: service.PostRequest) -> str:
    what = [article.id, request.body, request.parent_id, request.author_name]
    return hashlib.sha256(json.dumps(what).encode()).hexdigest()


def post_once(
    session: Session,
    hooks: CommentHooks,
    *,
    key: str | None,
    article: Article,
    author: CurrentUser | None,
    request: service.PostRequest,
    anonymous_allowed: bool,
    close_after_days: int,
) -> Posted:
    """``service.post_comment``, once per key (no key: every time)."""

    def post() -> Comment:
        return service.post_comment(
            session,
            hooks,
            article=article,
            author=author,
            request=request,
            anonymous_allowed=anonymous_allowed,
            close_after_days=close_after_days,
        )

    if not key:
        return Posted(post(), replayed=False)
    owner = owner_of(author, request.client_address)
    claim = PostKey(
        owner=owner,
        key=key,
        user_id=author.id if author is not None else None,
        fingerprint=fingerprint(article, request),
        created_at=utcnow(),
    )
    with session.begin_nested():  # a refused post leaves no key behind (a form shows again)
        earlier = _claim(session, claim)
        if earlier is not None:
            return _replay(session, earlier, claim.fingerprint)
        comment = post()
        claim.comment_id = comment.id
        session.flush()
    return Posted(comment, replayed=False)


def _claim(session: Session, claim: PostKey) -> PostKey | None:
    """Add ``claim``; the live row already holding its key instead, if there is one."""
    found = _find(session, claim.owner, claim.key)
    if found is not None:
        if found.created_at > claim.created_at - KEY_LIFETIME:
            return found
        session.delete(found)  # expired: the key starts afresh
        session.flush()
    try:
        with session.begin_nested():
            session.add(claim)
    except IntegrityError:  # a request with the same key committed meanwhile
        found = _find(session, claim.owner, claim.key)
        if found is None:  # pragma: no cover - the row that collided was deleted again
            raise Conflict(gettext("The same comment is being posted right now.")) from None
        return found
    return None


def _find(session: Session, owner: str, key: str) -> PostKey | None:
    return session.scalar(select(PostKey).where(PostKey.owner == owner, PostKey.key == key))


def _replay(session: Session, earlier: PostKey, sent: str) -> Posted:
    if earlier.fingerprint != sent:
        raise KeyReused(
            gettext(
                "This idempotency key was already used for a different comment: "
                "send a new key to post this one."
            )
        )
    comment = session.get(Comment, earlier.comment_id) if earlier.comment_id else None
    if comment is None:  # pragma: no cover - the comment row went with its key (CASCADE)
        raise Conflict(gettext("The comment first posted with this key is gone."))
    return Posted(comment, replayed=True)


def purge_expired(session: Session, *, now: datetime) -> int:
    """Delete keys past ``KEY_LIFETIME`` (``forum privacy purge``); returns how many."""
    result = session.execute(delete(PostKey).where(PostKey.created_at < now - KEY_LIFETIME))
    return cast("CursorResult[Any]", result).rowcount or 0


def forget_user(session: Session, user_id: int) -> None:
    """An erased account's keys (the user-data registry's comments part calls this)."""
    session.execute(delete(PostKey).where(PostKey.user_id == user_id))
