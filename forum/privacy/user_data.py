"""Privacy's own part of the user-data registry (``forum.accounts.user_data``): the consent
decision and its log, policies accepted, a waiting erasure request.

On erasure the consent log keeps each decision as proof, but no longer whose it was; the
current decision, acceptances and the request go. Consent records go after
``FORUM_CONSENT_LOG_RETENTION_DAYS``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from forum.accounts.user_data import Document, iso
from forum.privacy.models import ConsentRecord, ErasureRequest, PolicyAcceptance, UserConsent
from forum.privacy.service import purge_consent_log


class PrivacyData:
    """Consents, acceptances and erasure requests. Policy versions name the admin who
    published them; they stay and lose the name with the ``users`` row."""

    name = "privacy"
    tables = (
        "consent_log",
        "user_consents",
        "policy_acceptances",
        "erasure_requests",
        "policy_versions",
    )

    def __init__(self, *, consent_log_retention_days: int) -> None:
        self.consent_retention = timedelta(days=consent_log_retention_days)

    def export(
        self, session: Session, user_id: int, *, current_login: str | None = None
    ) -> Document:
        return {
            "consents": self._consents(session, user_id),
            "erasure_request": self._erasure(session, user_id),
        }

    def _consents(self, session: Session, user_id: int) -> Document:
        current = session.get(UserConsent, user_id)
        return {
            "current": None
            if current is None
            else {
                "cookie_policy_version": current.policy_version,
                "preferences": current.preferences,
                "analytics": current.analytics,
                "how": current.method.value,
                "decided_at": iso(current.decided_at),
            },
            "log": [
                {
                    "cookie_policy_version": r.policy_version,
                    "preferences": r.preferences,
                    "analytics": r.analytics,
                    "how": r.method.value,
                    "at": iso(r.created_at),
                }
                for r in session.scalars(
                    select(ConsentRecord)
                    .where(ConsentRecord.user_id == user_id)
                    .order_by(ConsentRecord.created_at, ConsentRecord.id)
                )
            ],
            "policies_accepted": [
                {"policy": a.kind.value, "version": a.version, "at": iso(a.accepted_at)}
                for a in session.scalars(
                    select(PolicyAcceptance)
                    .where(PolicyAcceptance.user_id == user_id)
                    .order_by(PolicyAcceptance.accepted_at, PolicyAcceptance.id)
                )
            ],
        }

    def _erasure(self, session: Session, user_id: int) -> Document | None:
        row = session.get(ErasureRequest, user_id)
        if row is None:
            return None
        return {
            "requested_at": iso(row.requested_at),
            "due_at": iso(row.due_at),
            "delete_comments": row.delete_comments,
        }

    def forget(self, session: Session, user_id: int, *, keep_comments: bool) -> None:
        """The consent log keeps each decision as proof, but no longer whose it was."""
        session.execute(
            update(ConsentRecord)
            .where(ConsentRecord.user_id == user_id)
            .values(user_id=None)
            .execution_options(synchronize_session=False)
        )
        for table in (UserConsent, PolicyAcceptance, ErasureRequest):
            session.execute(delete(table).where(table.user_id == user_id))

    def expire(self, session: Session, *, now: datetime) -> int:
        """Consent records past their retention period (kept that long as proof)."""
        return purge_consent_log(session, before=now - self.consent_retention)
