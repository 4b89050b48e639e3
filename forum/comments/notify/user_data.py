"""The notifications part of the user-data registry (``forum.accounts.user_data``): reply-mail
choice, watches, digest items waiting, and the hourly mail counts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.accounts.user_data import Document, iso
from forum.comments.notify import service as notifications
from forum.comments.notify.models import DigestItem


class NotificationData:
    """What notifications keep per user; all of it goes on erasure."""

    name = "notifications"
    tables = (
        "notification_settings",
        "article_watches",
        "notification_digest_items",
        "notification_mails",
    )

    def __init__(self, *, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    def export(
        self, session: Session, user_id: int, *, current_login: str | None = None
    ) -> Document:
        base = self.base
        waiting = session.scalars(
            select(DigestItem.comment_id)
            .where(DigestItem.user_id == user_id)
            .order_by(DigestItem.id)
        ).all()
        return {
            "notifications": {
                "reply_mails": notifications.get_reply_mails(session, user_id),
                "watches": [
                    {
                        "article": f"{base}/articles/{w.slug}",
                        "title": w.title,
                        "mode": w.mode.value,
                        "since": iso(w.created_at),
                    }
                    for w in notifications.watches_of(session, user_id)
                ],
                "digest_waiting": [f"{base}/comments/{comment_id}" for comment_id in waiting],
            }
        }

    def forget(self, session: Session, user_id: int, *, keep_comments: bool) -> None:
        notifications.forget_user(session, user_id)
