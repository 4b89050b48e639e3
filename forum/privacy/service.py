"""Privacy rules about consent: decisions and their log, and first-party page-view counts.
Plain functions over a SQLAlchemy session; nothing here knows about HTTP. Policies and their
acceptance are in ``forum.privacy.policies``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from forum.privacy.consent import Decision, newer
from forum.privacy.models import ConsentMethod, ConsentRecord, PageViewCount, UserConsent
from forum.privacy.policies import today_utc

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
    result = session.execute(delete(ConsentRecord).where(ConsentRecord.created_at < before))
    return cast("CursorResult[Any]", result).rowcount or 0


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


# --- first-party analytics ------------------------------------------------------------------


def count_page_view(session: Session, path: str, day: date) -> None:
    """Add one view of ``path`` on ``day`` (one row per path and day; no visitor data)."""
    path = path[: PageViewCount.PATH_MAX]
    values = {"day": day, "path": path, "views": 1}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement = pg_insert(PageViewCount).values(values)
    else:
        # Both dialects' Insert offer on_conflict_do_update; mypy sees two unrelated classes.
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
