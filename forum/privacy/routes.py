"""HTTP surface of privacy: the preference centre, the policies, accepting new terms, and
the admin pages for policies and consent counts. Thin: each handler calls the service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, MediaType, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from forum.accounts.auth import admin_required, login_required
from forum.accounts.current import CurrentUser
from forum.errors import Invalid, NotFound
from forum.i18n import gettext
from forum.privacy import policies, service
from forum.privacy.config import PrivacyConfig
from forum.privacy.consent import (
    ConsentState,
    Decision,
    consent_state,
    new_visitor_id,
    now_in_seconds,
    remember,
)
from forum.privacy.cookies import cookie_table
from forum.privacy.defaults import PAGES, TITLES
from forum.privacy.models import ConsentMethod, PolicyKind
from forum.settings import Settings
from forum.web.forms import FormData, checked, field, safe_next
from forum.web.types import AnyRequest
from forum.web.unit_of_work import DbSession

NextPath = Annotated[str, QueryParameter(name="next", max_length=1000)]

CHOICES = frozenset({"accept_all", "reject", "save"})
SOURCES = {"banner": ConsentMethod.BANNER, "settings": ConsentMethod.SETTINGS}


def _state(request: AnyRequest, db: Session) -> ConsentState:
    state = consent_state(request)
    if state is not None:
        return state
    version = policies.current_version(db, PolicyKind.COOKIES)  # not reached behind middleware
    return ConsentState(version, None, None, gpc=False)


def _kind(kind: str) -> PolicyKind:
    try:
        return PolicyKind(kind)
    except ValueError:
        raise NotFound(gettext("There is no such policy.")) from None


def _wants_json(request: AnyRequest) -> bool:
    return "application/json" in request.headers.get("accept", "")


class CookiePages(Controller):
    """The preference centre: a switch per category, the cookie policy, every cookie we set."""

    include_in_schema = False

    @get("/cookies", name="cookies", sync_to_thread=True)
    def show(
        self, request: AnyRequest, db: DbSession, settings: NamedDependency[Settings]
    ) -> Template:
        """Cookie settings."""
        state = _state(request, db)
        return Template(
            "privacy/cookies.html",
            context={
                "policy": policies.current_policy(db, PolicyKind.COOKIES),
                "state": state,
                "cookies": cookie_table(settings),
            },
        )

    @post("/cookies", sync_to_thread=True)
    def choose(
        self,
        request: AnyRequest,
        db: DbSession,
        current_user: NamedDependency[CurrentUser | None],
        data: FormData,
    ) -> Response[Any]:
        """Record a choice from the banner or the settings page; it applies at once."""
        choice = field(data, "choice")
        if choice not in CHOICES:
            raise Invalid({"choice": gettext("Choose accept all, reject non-essential, or save.")})
        state = _state(request, db)
        everything = choice == "accept_all"
        decision = Decision(
            version=state.policy_version,
            preferences=everything or (choice == "save" and checked(data, "preferences")),
            analytics=everything or (choice == "save" and checked(data, "analytics")),
            visitor_id=state.visitor_id or new_visitor_id(),
            method=SOURCES.get(field(data, "source"), ConsentMethod.SETTINGS),
            decided_at=now_in_seconds(),
        )
        service.record_decision(db, decision, user_id=current_user.id if current_user else None)
        remember(request, decision)
        if _wants_json(request):
            return Response(
                {"preferences": decision.preferences, "analytics": decision.analytics},
                media_type=MediaType.JSON,
                status_code=200,
            )
        if decision.method is ConsentMethod.SETTINGS:
            flash(request, gettext("Your cookie choices have been saved."), category="success")
        return Redirect(safe_next(field(data, "next"), "/cookies"), status_code=303)


class PolicyPages(Controller):
    """The Privacy Policy, the Terms & Conditions, earlier versions, accepting new terms."""

    include_in_schema = False

    def _page(self, db: Session, kind: PolicyKind) -> Template:
        return Template(
            "privacy/policy.html",
            context={
                "doc": policies.current_policy(db, kind),
                "history": policies.policy_history(db, kind),
                "title": gettext(TITLES[kind]),
                "current": True,
            },
        )

    @get("/privacy", name="privacy_policy", sync_to_thread=True)
    def privacy(self, db: DbSession) -> Template:
        """The Privacy Policy."""
        return self._page(db, PolicyKind.PRIVACY)

    @get("/terms", name="terms", sync_to_thread=True)
    def terms(self, db: DbSession) -> Template:
        """Terms & Conditions."""
        return self._page(db, PolicyKind.TERMS)

    @get("/policies/{kind:str}/{version:int}", name="policy_version", sync_to_thread=True)
    def version(self, db: DbSession, kind: FromPath[str], version: FromPath[int]) -> Template:
        """One version of a policy, as it was published."""
        policy = _kind(kind)
        doc = policies.policy_version(db, policy, version)
        if doc is None:
            raise NotFound(gettext("There is no such version."))
        return Template(
            "privacy/policy.html",
            context={
                "doc": doc,
                "history": policies.policy_history(db, policy),
                "title": gettext(TITLES[policy]),
                "current": doc.version == policies.current_version(db, policy),
            },
        )

    @get("/terms/accept", name="accept_terms", guards=[login_required], sync_to_thread=True)
    def accept_form(
        self, db: DbSession, me: NamedDependency[CurrentUser], next_path: NextPath = "/"
    ) -> Template:
        """The terms in effect, and a button to accept them."""
        return Template(
            "privacy/accept_terms.html",
            context={
                "doc": policies.current_policy(db, PolicyKind.TERMS),
                "pending": policies.must_accept_terms(db, me.id),
                "next": safe_next(next_path),
            },
        )

    @post("/terms/accept", guards=[login_required], sync_to_thread=True)
    def accept(
        self, request: AnyRequest, db: DbSession, me: NamedDependency[CurrentUser], data: FormData
    ) -> Redirect:
        """Record acceptance of the version that was shown, if it is still the one in effect."""
        target = safe_next(field(data, "next"))
        current = policies.current_version(db, PolicyKind.TERMS)
        if field(data, "version") != str(current):
            changed = gettext("The terms changed meanwhile: please read them again.")
            flash(request, changed, category="info")
            return Redirect(f"/terms/accept?next={quote(target, safe='/')}", status_code=303)
        policies.accept_policy(db, me.id, PolicyKind.TERMS, current)
        flash(request, gettext("Thank you: you have accepted the terms."), category="success")
        return Redirect(target, status_code=303)


class AdminPrivacyPages(Controller):
    """Administrators: publish policy versions; see consent and page-view counts."""

    include_in_schema = False
    guards = [admin_required]

    def _policies(
        self,
        db: Session,
        *,
        status: int = 200,
        errors: dict[str, str] | None = None,
        failed: PolicyKind | None = None,
        form: dict[str, str] | None = None,
    ) -> Template:
        return Template(
            "privacy/admin_policies.html",
            status_code=status,
            context={
                "kinds": [
                    {
                        "kind": kind.value,
                        "title": gettext(TITLES[kind]),
                        "page": PAGES[kind],
                        "current": policies.current_policy(db, kind),
                        "history": policies.policy_history(db, kind),
                    }
                    for kind in PolicyKind
                ],
                "errors": errors or {},
                "failed": failed.value if failed else None,
                "form": form or {},
                "today": policies.today_utc().isoformat(),
            },
        )

    @get("/admin/policies", name="admin_policies", sync_to_thread=True)
    def policies(self, db: DbSession) -> Template:
        """Every policy with its history, and a form to publish a new version."""
        return self._policies(db)

    @post("/admin/policies/{kind:str}", sync_to_thread=True)
    def publish(
        self,
        request: AnyRequest,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        kind: FromPath[str],
        data: FormData,
    ) -> Template | Redirect:
        """Publish the next version of a policy."""
        policy = _kind(kind)
        form = {name: field(data, name) for name in ("source", "effective_on", "note")}
        try:
            effective_on: date | None = date.fromisoformat(form["effective_on"])
        except ValueError:
            effective_on = None
        try:
            row = policies.publish_policy(
                db,
                policy,
                source=form["source"],
                effective_on=effective_on,
                note=form["note"],
                by_user_id=me.id,
            )
        except Invalid as exc:
            return self._policies(db, status=400, errors=exc.errors, failed=policy, form=form)
        flash(
            request,
            gettext(
                "%(title)s version %(version)s is published; it applies from %(date)s.",
                title=gettext(TITLES[policy]),
                version=row.version,
                date=row.effective_on.isoformat(),
            ),
            category="success",
        )
        return Redirect("/admin/policies", status_code=303)

    @get("/admin/privacy", name="admin_privacy", sync_to_thread=True)
    def overview(self, db: DbSession, privacy: NamedDependency[PrivacyConfig]) -> Template:
        """Counts of consent decisions, and page views of the last 30 days."""
        today = datetime.now(privacy.timezone).date()
        return Template(
            "privacy/admin_privacy.html",
            context={
                "consents": service.consent_stats(db),
                "views": service.page_view_stats(db, days=30, today=today),
                "cookie_version": policies.current_version(db, PolicyKind.COOKIES),
            },
        )
