"""What privacy plugs into other modules, wired in ``app.py`` (they never import privacy):

* ``merge_consent_at_login`` — accounts' login hook: the newer of browser and stored decision
  wins, and both are brought up to date;
* ``accept_policies_at_registration`` — accounts' registration hook;
* ``require_current_terms`` — comments' ``before_posting`` check: after a change of the terms,
  a user accepts the new version before posting again;
* ``template_globals`` — ``consent_banner()`` and ``consent_allows(category)`` for templates;
* ``allows`` (from ``forum.privacy.consent``) — for comments: may a preference (the thread
  sort) be remembered in a cookie.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from jinja2 import pass_context
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.articles.models import Article
from forum.comments.hooks import PostingRefused
from forum.privacy import service
from forum.privacy.consent import CONSENT_COOKIE, allows, consent_state, remember

BANNER_HIDDEN_ON = frozenset({"/cookies"})
"""The preference centre is the full form: no banner on top of it."""


def merge_consent_at_login(request: Any, db: Session, user: Any) -> None:
    """Accounts' ``on_login`` hook: keep the latest choice in the database and the cookie."""
    config = request.app.state.privacy
    browser = config.codec.decode(request.cookies.get(CONSENT_COOKIE))
    winner = service.merge_at_login(db, user.id, browser)
    if winner is not None and winner is not browser:
        remember(request, winner.for_visitor(browser.visitor_id if browser else None))


def accept_policies_at_registration(request: Any, db: Session, user: Any) -> None:
    """Accounts' ``on_register`` hook: registering accepts the terms in effect (and records
    that the privacy policy in effect was shown)."""
    service.accept_current_policies(db, user.id)


def require_current_terms(session: Session, user: CurrentUser | None, article: Article) -> None:
    """Comments' ``before_posting`` hook: changed terms are accepted before the next post."""
    if user is not None and service.must_accept_terms(session, user.id):
        target = quote(f"/articles/{article.slug}", safe="/")
        raise PostingRefused(
            "Our Terms & Conditions have changed: please accept them before you post again.",
            status=403,
            action=("Read and accept the new terms", f"/terms/accept?next={target}"),
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
