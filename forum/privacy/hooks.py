"""What privacy plugs into other modules, wired in ``app.py`` (they never import privacy):

* ``MergeConsentAtLogin`` — accounts' login hook: the newer of browser and stored decision
  wins, and both are brought up to date;
* ``accept_policies_at_registration`` — accounts' registration hook;
* ``require_current_terms`` — comments' ``before_posting`` check: after a change of the terms,
  a user accepts the new version before posting again;
* ``template_globals`` — ``consent_banner()`` and ``consent_allows(category)`` for templates;
* ``allows`` (from ``forum.privacy.consent``) — for comments: may a preference (the thread
  sort) be remembered in a cookie;
* ``RemindPendingErasure`` — accounts' login hook: logging in during the grace period of an
  erasure says so, and how to keep the account;
* ``account_section`` and ``profile_comments`` — a section of ``/account`` (privacy settings,
  export, deletion) and of ``/users/{username}`` (the comments, when the owner lists them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from jinja2 import pass_context
from litestar.plugins.flash import flash
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.accounts.models import User
from forum.articles.models import Article
from forum.errors import Forbidden
from forum.i18n import gettext
from forum.privacy import erasure, policies, profile, service
from forum.privacy.config import PrivacyConfig
from forum.privacy.consent import CONSENT_COOKIE, allows, consent_state, remember
from forum.web.dates import byline_date
from forum.web.types import AnyRequest

BANNER_HIDDEN_ON = frozenset({"/cookies"})
"""The preference centre is the full form: no banner on top of it."""


class MergeConsentAtLogin:
    """Accounts' ``on_login`` hook: keep the latest choice in the database and the cookie."""

    def __init__(self, config: PrivacyConfig) -> None:
        self.config = config

    def __call__(self, request: AnyRequest, db: Session, user: User) -> None:
        browser = self.config.codec.decode(request.cookies.get(CONSENT_COOKIE))
        winner = service.merge_at_login(db, user.id, browser)
        if winner is not None and winner is not browser:
            remember(request, winner.for_visitor(browser.visitor_id if browser else None))


def accept_policies_at_registration(request: AnyRequest, db: Session, user: User) -> None:
    """Accounts' ``on_register`` hook: registering accepts the terms in effect (and records
    that the privacy policy in effect was shown)."""
    policies.accept_current_policies(db, user.id)


class RemindPendingErasure:
    """Accounts' ``on_login`` hook: during an erasure's grace period, say when it happens and
    where to keep the account (logging in alone does not cancel it: the person confirms)."""

    def __init__(self, config: PrivacyConfig) -> None:
        self.config = config

    def __call__(self, request: AnyRequest, db: Session, user: User) -> None:
        pending = erasure.pending(db, user.id)
        if pending is not None:
            when = byline_date(pending.due_at, self.config.timezone)
            flash(
                request,
                gettext(
                    "Your account is due to be deleted on %(date)s. To keep it, choose “Keep my "
                    "account” on your account page (/account) or at /account/delete.",
                    date=when,
                ),
                category="info",
            )


def account_section(session: Session, user_id: int) -> tuple[str, Mapping[str, Any]]:
    """The privacy section of /account: settings, export, deletion (or the waiting one)."""
    return "privacy/_account_section.html", {"pending": erasure.pending(session, user_id)}


def profile_comments(session: Session, user: User) -> tuple[str, Mapping[str, Any]] | None:
    """A profile's list of comments, unless its owner chose not to list them."""
    if not user.list_comments:
        return None
    return "privacy/_profile_comments.html", {
        "comments": profile.profile_comments(session, user.id),
        "limit": profile.PROFILE_COMMENTS,
    }


def require_current_terms(session: Session, user: CurrentUser | None, article: Article) -> None:
    """Comments' ``before_posting`` hook: changed terms are accepted before the next post."""
    if user is not None and policies.must_accept_terms(session, user.id):
        target = quote(f"/articles/{article.slug}", safe="/")
        raise Forbidden(
            gettext(
                "Our Terms & Conditions have changed: please accept them before you post again."
            ),
            action=(gettext("Read and accept the new terms"), f"/terms/accept?next={target}"),
        )


@pass_context
def consent_banner(context: Any) -> dict[str, str] | None:
    """The banner's data when this page should ask for consent, else None."""
    request = context.get("request")
    if request is None:
        return None
    state = consent_state(request)
    if state is None or state.decided or request.url.path in BANNER_HIDDEN_ON:
        return None
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return {"next": target}


@pass_context
def consent_allows(context: Any, category: str) -> bool:
    """For templates that offer a remembered comfort: ``consent_allows('preferences')``."""
    request = context.get("request")
    return request is not None and allows(request, category)


def template_globals() -> dict[str, Any]:
    return {"consent_banner": consent_banner, "consent_allows": consent_allows}
