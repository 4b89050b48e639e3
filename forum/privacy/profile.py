"""Privacy settings (``/account/privacy``): who sees the profile, which name is shown, whether
the profile lists comments, reply mails, search engines. The profile choices live on the
users table (``forum.accounts.profiles``), reply mails with notifications (reached through
the ``ReplyMails`` that ``create_app`` hands in); this module reads and saves them together,
and lists a profile's comments when its owner allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from forum.accounts import profiles
from forum.accounts.models import ProfileVisibility, PublicName, User
from forum.articles.models import Article, CommentMode
from forum.comments.models import Comment, CommentStatus
from forum.db import utcnow
from forum.errors import Invalid, NotFound
from forum.i18n import gettext
from forum.privacy.config import ReplyMails

PROFILE_COMMENTS = 50
"""How many of the newest comments a profile lists."""


@dataclass(frozen=True)
class PrivacyChoices:
    """Everything ``/account/privacy`` sets."""

    profile: profiles.ProfileChoices
    reply_mails: bool = True


def parse_choices(
    *,
    visibility: str,
    public_name: str,
    list_comments: bool,
    allow_indexing: bool,
    reply_mails: bool,
) -> PrivacyChoices:
    try:
        return PrivacyChoices(
            profile=profiles.ProfileChoices(
                visibility=ProfileVisibility(visibility),
                public_name=PublicName(public_name),
                list_comments=list_comments,
                allow_indexing=allow_indexing,
            ),
            reply_mails=reply_mails,
        )
    except ValueError:
        raise Invalid({"choices": gettext("Choose one of the options offered.")}) from None


def choices_of(session: Session, user_id: int, reply_mails: ReplyMails) -> PrivacyChoices:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(gettext("There is no such account."))
    return PrivacyChoices(
        profile=profiles.ProfileChoices.of(user),
        reply_mails=reply_mails.get(session, user_id),
    )


def save_choices(
    session: Session, user_id: int, choices: PrivacyChoices, reply_mails: ReplyMails
) -> None:
    """Save every choice; when the name shown or the profile link changes, the user's comments
    count as changed, so cached threads (ETags) are renewed and no old name is served."""
    if profiles.save_choices(session, user_id, choices.profile):
        session.execute(
            update(Comment)
            .where(Comment.author_id == user_id)
            .values(updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    reply_mails.set(session, user_id, choices.reply_mails)


@dataclass(frozen=True)
class ProfileComment:
    id: int
    article_slug: str
    article_title: str
    created_at: datetime


def profile_comments(
    session: Session, user_id: int, limit: int = PROFILE_COMMENTS
) -> list[ProfileComment]:
    """The user's newest comments that anyone may read (published, on a published article
    whose thread is shown)."""
    rows = session.execute(
        select(Comment.id, Article.slug, Article.title, Comment.created_at)
        .join(Article, Article.id == Comment.article_id)
        .where(
            Comment.author_id == user_id,
            Comment.status == CommentStatus.PUBLISHED,
            Article.published.is_(True),
            Article.comment_mode != CommentMode.HIDDEN,
        )
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(limit)
    ).all()
    return [ProfileComment(*row) for row in rows]
