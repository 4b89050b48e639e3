"""The right of access and to portability (GDPR art. 15 and 20): one JSON document with
everything the forum holds about a user.

Read-only. Secrets never leave: no password hash, no token hash, no session id. Other people
are not named in it (moderators appear as 'a moderator', reporters of the user's comments not
at all). The document's shape is versioned (``format`` / ``version``) so scripts can rely on
it; the README's *Privacy and cookies* section lists the parts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forum.accounts.models import AccessToken, Login, User
from forum.articles.models import Article, ArticleRevision
from forum.comments.models import Comment, CommentRevision
from forum.comments.notify import service as notifications
from forum.comments.notify.models import DigestItem
from forum.db import utcnow
from forum.mail.models import OutgoingMail
from forum.moderation.models import Appeal, Ban, LogEntry, Report, TrustedUser
from forum.privacy.models import ConsentRecord, ErasureRequest, PolicyAcceptance, UserConsent

FORMAT = "forum-personal-data"
VERSION = 1

Document = dict[str, Any]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def export_user(
    session: Session, user_id: int, *, base_url: str, current_login: str | None = None
) -> Document:
    """Everything held about ``user_id``, as JSON-ready values; ``LookupError`` if no user.

    ``current_login`` marks the session the export was asked from.
    """
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    base = base_url.rstrip("/")
    return {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": _iso(utcnow()),
        "site": base,
        "account": _account(user, base),
        "privacy_settings": {
            "profile_visibility": user.profile_visibility.value,
            "public_name": user.public_name.value,
            "list_comments": user.list_comments,
            "allow_indexing": user.allow_indexing,
        },
        "notifications": _notifications(session, user_id, base),
        "consents": _consents(session, user_id),
        "comments": _comments(session, user_id, base),
        "reports": _reports(session, user_id, base),
        "appeals": _appeals(session, user_id, base),
        "moderation": _moderation(session, user_id),
        "articles_edited": _article_edits(session, user_id, base),
        "sessions": [
            {
                "started_at": _iso(login.created_at),
                "last_seen_at": _iso(login.last_seen_at),
                "expires_at": _iso(login.expires_at),
                "remember_me": login.remember,
                "client": login.client,
                "this_session": login.id == current_login,
            }
            for login in session.scalars(
                select(Login).where(Login.user_id == user_id).order_by(Login.created_at)
            )
        ],
        "access_tokens": [
            {
                "name": token.name,
                "starts_with": token.prefix,
                "created_at": _iso(token.created_at),
                "last_used_at": _iso(token.last_used_at),
            }
            for token in session.scalars(
                select(AccessToken)
                .where(AccessToken.user_id == user_id)
                .order_by(AccessToken.created_at)
            )
        ],
        "mail_waiting": _mail_waiting(session, user),
        "erasure_request": _erasure(session, user_id),
    }


def _account(user: User, base: str) -> Document:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "email_confirmed_at": _iso(user.email_verified_at),
        "role": user.role.value,
        "created_at": _iso(user.created_at),
        "password_changed_at": _iso(user.password_changed_at),
        "published_comments": user.comment_count,
        "profile_url": f"{base}/users/{user.username}",
    }


def _notifications(session: Session, user_id: int, base: str) -> Document:
    waiting = session.scalars(
        select(DigestItem.comment_id).where(DigestItem.user_id == user_id).order_by(DigestItem.id)
    ).all()
    return {
        "reply_mails": notifications.get_reply_mails(session, user_id),
        "watches": [
            {
                "article": f"{base}/articles/{w.slug}",
                "title": w.title,
                "mode": w.mode.value,
                "since": _iso(w.created_at),
            }
            for w in notifications.watches_of(session, user_id)
        ],
        "digest_waiting": [f"{base}/comments/{comment_id}" for comment_id in waiting],
    }


def _consents(session: Session, user_id: int) -> Document:
    current = session.get(UserConsent, user_id)
    return {
        "current": None
        if current is None
        else {
            "cookie_policy_version": current.policy_version,
            "preferences": current.preferences,
            "analytics": current.analytics,
            "how": current.method.value,
            "decided_at": _iso(current.decided_at),
        },
        "log": [
            {
                "cookie_policy_version": r.policy_version,
                "preferences": r.preferences,
                "analytics": r.analytics,
                "how": r.method.value,
                "at": _iso(r.created_at),
            }
            for r in session.scalars(
                select(ConsentRecord)
                .where(ConsentRecord.user_id == user_id)
                .order_by(ConsentRecord.created_at, ConsentRecord.id)
            )
        ],
        "policies_accepted": [
            {"policy": a.kind.value, "version": a.version, "at": _iso(a.accepted_at)}
            for a in session.scalars(
                select(PolicyAcceptance)
                .where(PolicyAcceptance.user_id == user_id)
                .order_by(PolicyAcceptance.accepted_at, PolicyAcceptance.id)
            )
        ],
    }


def _comments(session: Session, user_id: int, base: str) -> list[Document]:
    """Every comment the user wrote, whatever its status, with the earlier texts."""
    rows = session.execute(
        select(Comment, Article.slug, Article.title)
        .join(Article, Article.id == Comment.article_id)
        .where(Comment.author_id == user_id)
        .order_by(Comment.created_at, Comment.id)
    ).all()
    revisions: dict[int, list[Document]] = {}
    for revision in session.scalars(
        select(CommentRevision)
        .join(Comment, Comment.id == CommentRevision.comment_id)
        .where(Comment.author_id == user_id)
        .order_by(CommentRevision.comment_id, CommentRevision.replaced_at, CommentRevision.id)
    ):
        revisions.setdefault(revision.comment_id, []).append(
            {
                "text": revision.body_source,
                "written_at": _iso(revision.created_at),
                "replaced_at": _iso(revision.replaced_at),
                "replaced_by": "you" if revision.editor_id == user_id else "a moderator",
            }
        )
    return [
        {
            "id": comment.id,
            "url": f"{base}/comments/{comment.id}",
            "article": {"title": title, "url": f"{base}/articles/{slug}"},
            "in_reply_to": f"{base}/comments/{comment.parent_id}" if comment.parent_id else None,
            "status": comment.status.value,
            "created_at": _iso(comment.created_at),
            "edited_at": _iso(comment.edited_at),
            "text": comment.body_source,
            "html": comment.body_html,
            "client_address": comment.client_address,
            "revisions": revisions.get(comment.id, []),
        }
        for comment, slug, title in rows
    ]


def _reports(session: Session, user_id: int, base: str) -> list[Document]:
    return [
        {
            "comment": f"{base}/comments/{r.comment_id}",
            "reason": r.reason.value,
            "note": r.note,
            "created_at": _iso(r.created_at),
            "resolved_at": _iso(r.resolved_at),
        }
        for r in session.scalars(
            select(Report).where(Report.reporter_id == user_id).order_by(Report.created_at)
        )
    ]


def _appeals(session: Session, user_id: int, base: str) -> list[Document]:
    return [
        {
            "comment": f"{base}/comments/{a.comment_id}",
            "statement": a.statement,
            "status": a.status.value,
            "created_at": _iso(a.created_at),
            "decided_at": _iso(a.decided_at),
        }
        for a in session.scalars(
            select(Appeal).where(Appeal.appellant_id == user_id).order_by(Appeal.created_at)
        )
    ]


def _moderation(session: Session, user_id: int) -> Document:
    """Decisions about the user and their comments, bans, trust; and, for moderators, what
    they did (the people they acted on are not named)."""

    def entry(e: LogEntry) -> Document:
        return {
            "action": e.action.value,
            "at": _iso(e.created_at),
            "comment_id": e.comment_id,
            "rule": e.violation.value if e.violation else None,
            "reason": e.reason,
        }

    about = session.scalars(
        select(LogEntry).where(LogEntry.target_user_id == user_id).order_by(LogEntry.id)
    )
    by = session.scalars(select(LogEntry).where(LogEntry.actor_id == user_id).order_by(LogEntry.id))
    return {
        "decisions_about_you": [entry(e) for e in about],
        "bans": [
            {
                "reason": b.reason,
                "created_at": _iso(b.created_at),
                "expires_at": _iso(b.expires_at),
                "lifted_at": _iso(b.lifted_at),
            }
            for b in session.scalars(
                select(Ban).where(Ban.user_id == user_id).order_by(Ban.created_at)
            )
        ],
        "trusted": session.get(TrustedUser, user_id) is not None,
        "actions_you_took": [
            {"action": e.action.value, "at": _iso(e.created_at), "comment_id": e.comment_id}
            for e in by
        ],
    }


def _article_edits(session: Session, user_id: int, base: str) -> list[Document]:
    return [
        {"article": f"{base}/articles/{r.slug}", "title": r.title, "saved_at": _iso(r.created_at)}
        for r in session.scalars(
            select(ArticleRevision)
            .where(ArticleRevision.editor_id == user_id)
            .order_by(ArticleRevision.created_at, ArticleRevision.id)
        )
    ]


def _mail_waiting(session: Session, user: User) -> int:
    """Mail to the user's address still in the outbox (delivered mail is not kept)."""
    if user.email is None:
        return 0
    return (
        session.scalar(
            select(func.count())
            .select_from(OutgoingMail)
            .where(func.lower(OutgoingMail.to_address) == user.email.lower())
        )
        or 0
    )


def _erasure(session: Session, user_id: int) -> Document | None:
    row = session.get(ErasureRequest, user_id)
    if row is None:
        return None
    return {
        "requested_at": _iso(row.requested_at),
        "due_at": _iso(row.due_at),
        "delete_comments": row.delete_comments,
    }
