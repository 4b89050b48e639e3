"""The identity part of the user-data registry (``forum.accounts.user_data``): the sign-ins
linked to an account are exported (which provider, since when, the address it gave) and
erased with it."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from forum.accounts.user_data import Document, iso
from forum.identity.models import LinkedIdentity
from forum.identity.service import identities_of


class IdentityData:
    name = "identity"
    tables: tuple[str, ...] = (LinkedIdentity.__tablename__,)

    def export(
        self, session: Session, user_id: int, *, current_login: str | None = None
    ) -> Document:
        """Each linked sign-in: the provider, its id for the person, the address it gave."""
        return {
            "linked_sign_ins": [
                {
                    "provider": identity.label,
                    "issuer": identity.issuer,
                    "subject": identity.subject,
                    "email": identity.email,
                    "linked_at": iso(identity.created_at),
                    "last_used_at": iso(identity.last_used_at),
                }
                for identity in identities_of(session, user_id)
            ]
        }

    def forget(self, session: Session, user_id: int, *, keep_comments: bool) -> None:
        """Unlink every identity: the provider's id must not find the erased account."""
        session.execute(delete(LinkedIdentity).where(LinkedIdentity.user_id == user_id))
