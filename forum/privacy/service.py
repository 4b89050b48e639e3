"""Privacy rules: policy versions, consent decisions and their log, terms acceptance,
page-view counts. Plain functions over a SQLAlchemy session; nothing here knows about HTTP.

Dates of policies are calendar days in UTC: a version applies from the start of its
``effective_on`` day until a later version takes effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.privacy.consent import Decision, newer
from forum.privacy.defaults import DEFAULT_SOURCES
from forum.privacy.models import (
    ConsentMethod,
    ConsentRecord,
    PageViewCount,
    PolicyAcceptance,
    PolicyKind,
    PolicyVersion,
    UserConsent,
)
from forum.text import TextProblem, clean_line, clean_multiline
from forum.web.markdown import article_renderer


class PolicyProblem(ValueError):
    """A new policy version that cannot be published: a message per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def today_utc() -> date:
    return datetime.now(UTC).date()


# --- policies -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyDoc:
    """One version of a policy as pages show it; ``stored`` is False for the built-in v1."""

    kind: PolicyKind
    version: int
    html: str
    source: str
    note: str
    effective_on: date | None
    created_at: datetime | None
    stored: bool

    @classmethod
    def of(cls, row: PolicyVersion) -> PolicyDoc:
        return cls(
            kind=row.kind,
            version=row.version,
            html=row.html,
            source=row.source,
            note=row.note,
            effective_on=row.effective_on,
            created_at=row.created_at,
            stored=True,
        )

    @classmethod
    def default(cls, kind: PolicyKind) -> PolicyDoc:
        source = DEFAULT_SOURCES[kind]
        return cls(
            kind=kind,
            version=1,
            html=article_renderer.render(source),
            source=source,
            note="",
            effective_on=None,
            created_at=None,
            stored=False,
        )


def _in_effect(kind: PolicyKind, day: date):  # type: ignore[no-untyped-def]
    return (
        select(PolicyVersion)
        .where(PolicyVersion.kind == kind, PolicyVersion.effective_on <= day)
        .order_by(PolicyVersion.version.desc())
        .limit(1)
    )


def current_policy(session: Session, kind: PolicyKind, *, today: date | None = None) -> PolicyDoc:
    """The version in effect today: the built-in version 1 until one is published."""
    row = session.scalar(_in_effect(kind, today or today_utc()))
    return PolicyDoc.of(row) if row else PolicyDoc.default(kind)


def current_version(session: Session, kind: PolicyKind, *, today: date | None = None) -> int:
    """The number of the version in effect today (1 until one is published)."""
    found = session.scalar(
        select(func.max(PolicyVersion.version)).where(
            PolicyVersion.kind == kind, PolicyVersion.effective_on <= (today or today_utc())
        )
    )
    return found or 1


def policy_version(session: Session, kind: PolicyKind, version: int) -> PolicyDoc | None:
    """One version of a policy, published or not yet in effect; None if there is none."""
    row = session.scalar(
        select(PolicyVersion).where(PolicyVersion.kind == kind, PolicyVersion.version == version)
    )
    if row is not None:
        return PolicyDoc.of(row)
    if version == 1 and not _has_versions(session, kind):
        return PolicyDoc.default(kind)
    return None


def _has_versions(session: Session, kind: PolicyKind) -> bool:
    return (
        session.scalar(select(PolicyVersion.id).where(PolicyVersion.kind == kind).limit(1))
        is not None
    )


def policy_history(session: Session, kind: PolicyKind) -> list[PolicyDoc]:
    """Every version of a policy, newest first (the built-in one until one is published)."""
    rows = session.scalars(
        select(PolicyVersion)
        .where(PolicyVersion.kind == kind)
        .order_by(PolicyVersion.version.desc())
    ).all()
    return [PolicyDoc.of(r) for r in rows] or [PolicyDoc.default(kind)]


def publish_policy(
    session: Session,
    kind: PolicyKind,
    *,
    source: str,
    effective_on: date | None,
    note: str = "",
    by_user_id: int | None,
    today: date | None = None,
) -> PolicyVersion:
    """Publish the next version of ``kind``; it applies from ``effective_on`` (today or later).

    The first publication stores the built-in text as version 1 first, so that the history and
    the versions people accepted before keep their numbers.
    """
    today = today or today_utc()
    errors: dict[str, str] = {}
    try:
        source = clean_multiline(source, field="The text", max_length=PolicyVersion.SOURCE_MAX)
    except TextProblem as problem:
        errors["source"] = str(problem)
    try:
        note = clean_line(note, field="The note", max_length=PolicyVersion.NOTE_MAX, required=False)
    except TextProblem as problem:
        errors["note"] = str(problem)
    if effective_on is None:
        errors["effective_on"] = "Choose the day from which the new version applies."
    elif effective_on < today:
        errors["effective_on"] = "A new version cannot apply from a day that has passed."
    if errors:
        raise PolicyProblem(errors)
    assert effective_on is not None
    latest = session.scalar(
        select(func.max(PolicyVersion.version)).where(PolicyVersion.kind == kind)
    )
    if latest is None:
        default = PolicyDoc.default(kind)
        session.add(
            PolicyVersion(
                kind=kind,
                version=1,
                source=default.source,
                html=default.html,
                note="The original version.",
                effective_on=today,
                created_by_id=None,
            )
        )
        latest = 1
    row = PolicyVersion(
        kind=kind,
        version=latest + 1,
        source=source,
        html=article_renderer.render(source),
        note=note,
        effective_on=effective_on,
        created_by_id=by_user_id,
    )
    session.add(row)
    session.flush()
    return row


# --- consent decisions ----------------------------------------------------------------------


def _decision(row: UserConsent) -> Decision:
    return Decision(
        version=row.policy_version,
        preferences=row.preferences,
        analytics=row.analytics,
        visitor_id=row.visitor_id,
        method=row.method,
        decided_at=row.decided_at,
    )


def user_decision(session: Session, user_id: int) -> Decision | None:
    """The decision stored for a user (any policy version), None if they never chose."""
    row = session.get(UserConsent, user_id)
    return _decision(row) if row else None


def save_user_decision(session: Session, user_id: int, decision: Decision) -> None:
    """Store ``decision`` as the user's, so it follows them to other devices (not logged)."""
    row = session.get(UserConsent, user_id)
    if row is None:
        row = UserConsent(user_id=user_id)
        session.add(row)
    row.policy_version = decision.version
    row.preferences = decision.preferences
    row.analytics = decision.analytics
    row.method = decision.method
    row.visitor_id = decision.visitor_id
    row.decided_at = decision.decided_at
    session.flush()


def record_decision(session: Session, decision: Decision, *, user_id: int | None) -> None:
    """Log a decision as proof of consent and, for a logged-in user, store it as theirs."""
    session.add(
        ConsentRecord(
            visitor_id=decision.visitor_id,
            user_id=user_id,
            policy_version=decision.version,
            preferences=decision.preferences,
            analytics=decision.analytics,
            method=decision.method,
            created_at=decision.decided_at,
        )
    )
    if user_id is not None:
        save_user_decision(session, user_id, decision)
    session.flush()


def merge_at_login(session: Session, user_id: int, browser: Decision | None) -> Decision | None:
    """At login the newer of the browser's and the stored decision wins; the stored one is
    brought up to date. Returns the winner (None if neither exists)."""
    stored = user_decision(session, user_id)
    winner = newer(stored, browser)
    if winner is not None and winner is browser:
        save_user_decision(session, user_id, browser)
    return winner


def purge_consent_log(session: Session, *, before: datetime) -> int:
    """Delete consent records made before ``before`` (past the retention period)."""
    return (
        session.execute(delete(ConsentRecord).where(ConsentRecord.created_at < before)).rowcount
        or 0
    )


@dataclass(frozen=True)
class ConsentStats:
    """Counts of logged decisions for ``/admin/privacy``."""

    total: int
    by_category: dict[str, tuple[int, int]]
    """Per optional category: (allowed, refused)."""
    by_method: dict[str, int]
    by_version: list[tuple[int, int]]
    """(cookie-policy version, decisions), newest version first."""


def consent_stats(session: Session) -> ConsentStats:
    total = session.scalar(select(func.count()).select_from(ConsentRecord)) or 0
    by_category: dict[str, tuple[int, int]] = {}
    for name, column in [
        ("preferences", ConsentRecord.preferences),
        ("analytics", ConsentRecord.analytics),
    ]:
        allowed = session.scalar(select(func.count()).where(column.is_(True))) or 0
        by_category[name] = (allowed, total - allowed)
    by_method = {m.value: 0 for m in ConsentMethod}
    for method, count in session.execute(
        select(ConsentRecord.method, func.count()).group_by(ConsentRecord.method)
    ):
        by_method[method.value] = count
    by_version = [
        (version, count)
        for version, count in session.execute(
            select(ConsentRecord.policy_version, func.count())
            .group_by(ConsentRecord.policy_version)
            .order_by(ConsentRecord.policy_version.desc())
        )
    ]
    return ConsentStats(total, by_category, by_method, by_version)


# --- policy acceptance ----------------------------------------------------------------------


def accept_policy(session: Session, user_id: int, kind: PolicyKind, version: int) -> None:
    """Record that the user accepted ``version`` of ``kind`` (once; repeating is harmless)."""
    exists = session.scalar(
        select(PolicyAcceptance.id).where(
            PolicyAcceptance.user_id == user_id,
            PolicyAcceptance.kind == kind,
            PolicyAcceptance.version == version,
        )
    )
    if exists is None:
        session.add(PolicyAcceptance(user_id=user_id, kind=kind, version=version))
        session.flush()


def accept_current_policies(session: Session, user_id: int) -> None:
    """At registration: the terms are accepted and the privacy policy shown, as they are now."""
    for kind in (PolicyKind.TERMS, PolicyKind.PRIVACY):
        accept_policy(session, user_id, kind, current_version(session, kind))


def accepted_version(session: Session, user_id: int, kind: PolicyKind) -> int | None:
    return session.scalar(
        select(func.max(PolicyAcceptance.version)).where(
            PolicyAcceptance.user_id == user_id, PolicyAcceptance.kind == kind
        )
    )


def version_in_effect_at(session: Session, kind: PolicyKind, moment: datetime) -> int:
    """The version that applied at ``moment``: in effect by its day and already published."""
    found = session.scalar(
        select(func.max(PolicyVersion.version)).where(
            PolicyVersion.kind == kind,
            PolicyVersion.effective_on <= moment.astimezone(UTC).date(),
            PolicyVersion.created_at <= moment,
        )
    )
    return found or 1


def must_accept_terms(session: Session, user_id: int, *, today: date | None = None) -> bool:
    """Whether the user must accept the terms in effect before they post again.

    A user with no recorded acceptance (an account older than this check) is held to the
    version that applied when they joined, so only a later change asks them.
    """
    current = current_version(session, PolicyKind.TERMS, today=today)
    accepted = accepted_version(session, user_id, PolicyKind.TERMS)
    if accepted is None:
        joined = session.scalar(select(User.created_at).where(User.id == user_id))
        if joined is None:
            return False
        accepted = version_in_effect_at(session, PolicyKind.TERMS, joined)
    return current > accepted


# --- first-party analytics ------------------------------------------------------------------


def count_page_view(session: Session, path: str, day: date) -> None:
    """Add one view of ``path`` on ``day`` (one row per path and day; no visitor data)."""
    path = path[: PageViewCount.PATH_MAX]
    values = {"day": day, "path": path, "views": 1}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement = pg_insert(PageViewCount).values(values)
    else:
        statement = sqlite_insert(PageViewCount).values(values)  # type: ignore[assignment]
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["day", "path"], set_={"views": PageViewCount.views + 1}
        )
    )


@dataclass(frozen=True)
class PageViewStats:
    days: list[tuple[date, int]]
    """Total views per day, oldest first (days without views are shown as 0)."""
    top_paths: list[tuple[str, int]]
    total: int


def page_view_stats(
    session: Session, *, days: int = 30, today: date | None = None
) -> PageViewStats:
    """Views of the last ``days`` days, today included."""
    today = today or today_utc()
    since = today - timedelta(days=days - 1)
    per_day = dict(
        session.execute(
            select(PageViewCount.day, func.sum(PageViewCount.views))
            .where(PageViewCount.day >= since)
            .group_by(PageViewCount.day)
        ).all()
    )
    top = [
        (path, int(views))
        for path, views in session.execute(
            select(PageViewCount.path, func.sum(PageViewCount.views).label("n"))
            .where(PageViewCount.day >= since)
            .group_by(PageViewCount.path)
            .order_by(func.sum(PageViewCount.views).desc(), PageViewCount.path)
            .limit(20)
        )
    ]
    series = [
        (since + timedelta(days=n), int(per_day.get(since + timedelta(days=n), 0)))
        for n in range(days)
    ]
    return PageViewStats(days=series, top_paths=top, total=sum(v for _, v in series))
