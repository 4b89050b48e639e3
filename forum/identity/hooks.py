"""What identity adds to accounts' pages through ``AccountHooks`` (wired in ``create_app``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from forum.accounts.service import get_user
from forum.identity.service import identities_of
from forum.settings_checks import OidcProvider


class AccountSection:
    """The "Sign-in with other accounts" section of /account: what is linked, unlink and
    link buttons for the configured providers."""

    def __init__(self, providers: Sequence[OidcProvider]) -> None:
        self.providers = tuple(providers)

    def __call__(self, session: Session, user_id: int) -> tuple[str, Mapping[str, Any]]:
        linked = identities_of(session, user_id)
        issuers = {identity.issuer for identity in linked}
        return "identity/_account_section.html", {
            "linked": linked,
            "has_password": get_user(session, user_id).has_password,
            "available": [p for p in self.providers if p.issuer not in issuers],
        }


def template_globals(providers: Sequence[OidcProvider]) -> dict[str, Any]:
    """The providers' buttons on the login and registration pages."""
    return {"sign_in_providers": [(p.name, p.label) for p in providers]}
