"""Policies: versions of the Privacy Policy, the Terms & Conditions and the Cookie Policy, and
who accepted which. Plain functions over a SQLAlchemy session; nothing here knows about HTTP.

Dates of policies are calendar days in UTC: a version applies from the start of its
``effective_on`` day until a later version takes effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.errors import Invalid
from forum.i18n import N_, format_number, gettext, ngettext
from forum.privacy.defaults import DEFAULT_SOURCES
from forum.privacy.models import PolicyAcceptance, PolicyKind, PolicyVersion
from forum.text import FieldWords, TextProblem, clean_line, clean_multiline
from forum.web.markdown import article_renderer


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


def _in_effect(kind: PolicyKind, day: date) -> Select[PolicyVersion]:
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


# Translators: "the text" is a policy's text (privacy policy, terms), as an administrator edits it.
SOURCE_WORDS = FieldWords(
    required=N_("The text is required."),
    too_long=lambda limit: ngettext(
        "The text must be at most %(max_length)s character.",
        "The text must be at most %(max_length)s characters.",
        limit,
        max_length=format_number(limit),
    ),
    forbidden=N_("The text contains a character that is not allowed."),
)
# Translators: "the note" says what changed in a new version of a policy.
NOTE_WORDS = FieldWords(
    required=N_("The note is required."),
    too_long=lambda limit: ngettext(
        "The note must be at most %(max_length)s character.",
        "The note must be at most %(max_length)s characters.",
        limit,
        max_length=format_number(limit),
    ),
    forbidden=N_("The note contains a character that is not allowed."),
)


def _checked(
    source: str, note: str, effective_on: date | None, today: date
) -> tuple[str, str, date]:
    """A new version's text, note and first day, cleaned; ``Invalid`` with a message per field."""
    errors: dict[str, str] = {}
    try:
        source = clean_multiline(source, field=SOURCE_WORDS, max_length=PolicyVersion.SOURCE_MAX)
    except TextProblem as problem:
        errors["source"] = str(problem)
    try:
        note = clean_line(note, field=NOTE_WORDS, max_length=PolicyVersion.NOTE_MAX, required=False)
    except TextProblem as problem:
        errors["note"] = str(problem)
    if effective_on is None:
        errors["effective_on"] = gettext("Choose the day from which the new version applies.")
    elif effective_on < today:
        errors["effective_on"] = gettext("A new version cannot apply from a day that has passed.")
    if errors or effective_on is None:
        raise Invalid(errors)
    return source, note, effective_on


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
    source, note, effective_on = _checked(source, note, effective_on, today)
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
