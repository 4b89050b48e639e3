"""A thread shows its authors' public names: when one changes, the threads they wrote in change.

Threads are cached under their ETag, which follows the comments' ``updated_at``. A reader who
changes their display name, which name is public, or who may see their profile, changes how
their comments are shown without touching a comment; this listener touches them (their
``updated_at``, not ``edited_at``: nothing reads as edited) in the same transaction, so every
cached page and JSON thread they appear in is rebuilt. Accounts know nothing of it: the
comments module listens to the ``User`` attributes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session, UOWTransaction

from forum.accounts.models import User
from forum.comments.models import Comment
from forum.db import utcnow

SHOWN = (User.display_name, User.public_name, User.profile_visibility, User.username)
"""What of a user a thread may show (a name, and whether it links to their profile)."""
PENDING_KEY = "forum.comments.renamed_authors"


def _changed(target: User, value: Any, old: Any, initiator: Any) -> None:
    if value == old or target.id is None:
        return
    session = Session.object_session(target)
    if session is not None:
        session.info.setdefault(PENDING_KEY, set()).add(target.id)


for _attribute in SHOWN:
    event.listen(_attribute, "set", _changed)


@event.listens_for(Session, "after_flush")
def _touch_their_comments(session: Session, flush_context: UOWTransaction) -> None:
    authors: set[int] | None = session.info.pop(PENDING_KEY, None)
    if authors:
        session.execute(
            update(Comment).where(Comment.author_id.in_(authors)).values(updated_at=utcnow())
        )
