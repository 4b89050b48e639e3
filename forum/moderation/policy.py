"""The moderation policy in force: the admin-edited row, or the ``FORUM_MODERATION_*`` defaults.

Also decides whether an article is 'moderate all': its own choice if it has one, otherwise the
default for articles created since the default was turned on.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Boolean, insert, literal, select
from sqlalchemy.orm import Session

from forum.articles.models import Article
from forum.db import UTCDateTime, utcnow
from forum.errors import Invalid
from forum.i18n import N_, gettext
from forum.moderation import log, rules
from forum.moderation.models import ArticleRule, LogAction, ModerationPolicy
from forum.settings import Settings

POLICY_ROW = 1

LIMITS: dict[str, tuple[int, int, str]] = {
    # Translators: the labels of the numbers an administrator sets on /admin/moderation.
    "min_approved": (0, 1000, N_("Approved comments before a user's comments go up at once")),
    "reports_to_hide": (1, 1000, N_("Reports that hide a comment until a moderator decides")),
    "max_links": (0, 1000, N_("Links allowed in a comment")),
    "min_seconds": (0, 3600, N_("Seconds a form must be open before it is sent")),
    "duplicate_minutes": (0, 10080, N_("Minutes in which repeating one's own text is held")),
    "reject_percent": (1, 100, N_("Rejected share (%%) that holds all of a user's comments")),
    # Translators: continues the label above it ("Rejected share … over this many days").
    "reject_days": (1, 365, N_("…over this many days")),
    "reject_min_decisions": (1, 1000, N_("…once this many of their comments were decided")),
    "remind_hours": (1, 720, N_("Hours an item waits before opted-in moderators get a mail")),
}
"""Each number an admin may set: (lowest, highest, label). The labels are msgids (a literal
percent sign doubled): show them through ``said_limits``."""


def said_limits() -> dict[str, tuple[int, int, str]]:
    """``LIMITS`` with each label in the current language, for the form."""
    return {name: (low, high, gettext(label)) for name, (low, high, label) in LIMITS.items()}


@dataclass(frozen=True)
class Policy:
    min_approved: int
    reports_to_hide: int
    max_links: int
    min_seconds: int
    duplicate_minutes: int
    reject_percent: int
    reject_days: int
    reject_min_decisions: int
    remind_hours: int
    blocked_words: tuple[str, ...] = ()
    blocked_domains: tuple[str, ...] = ()
    moderate_all_default: bool = False
    moderate_all_since: datetime | None = None
    """None with the default on: every article without its own choice."""


def defaults(settings: Settings) -> Policy:
    return Policy(
        min_approved=settings.moderation_min_approved,
        reports_to_hide=settings.moderation_reports_to_hide,
        max_links=settings.moderation_max_links,
        min_seconds=settings.moderation_min_seconds,
        duplicate_minutes=settings.moderation_duplicate_minutes,
        reject_percent=settings.moderation_reject_percent,
        reject_days=settings.moderation_reject_days,
        reject_min_decisions=settings.moderation_reject_min_decisions,
        remind_hours=settings.moderation_remind_hours,
        moderate_all_default=settings.moderation_all_default,
    )


def load(session: Session, settings: Settings) -> Policy:
    row = session.get(ModerationPolicy, POLICY_ROW)
    if row is None:
        return defaults(settings)
    return Policy(
        **{name: getattr(row, name) for name in LIMITS},
        blocked_words=rules.parse_words(row.blocked_words),
        blocked_domains=rules.parse_domains(row.blocked_domains),
        moderate_all_default=row.moderate_all_default,
        moderate_all_since=row.moderate_all_since,
    )


def parse(form: dict[str, str], current: Policy) -> Policy:
    """An admin's form as a policy; ``Invalid`` names each field that is out of range."""
    errors: dict[str, str] = {}
    numbers: dict[str, int] = {}
    for name, (low, high, label) in LIMITS.items():
        raw = form.get(name, "").strip()
        try:
            value = int(raw)
        except ValueError:
            errors[name] = gettext("%(label)s: a whole number, please.", label=gettext(label))
            continue
        if not low <= value <= high:
            errors[name] = gettext(
                "%(label)s: between %(low)s and %(high)s.", label=gettext(label), low=low, high=high
            )
        numbers[name] = value
    if errors:
        raise Invalid(errors)
    return replace(
        current,
        **cast(dict[str, Any], numbers),  # each name is one of the int fields in LIMITS
        blocked_words=rules.parse_words(form.get("blocked_words", "")),
        blocked_domains=rules.parse_domains(form.get("blocked_domains", "")),
        moderate_all_default=form.get("moderate_all_default", "") in {"on", "1", "true"},
    )


def save(session: Session, settings: Settings, new: Policy) -> list[str]:
    """Store ``new``; returns the names of what changed (for the audit log).

    Turning 'moderate all for new articles' off keeps it on for the articles created while it
    was on (they get a choice of their own); turning it on applies from now.
    """
    old = load(session, settings)
    now = utcnow()
    since = old.moderate_all_since
    if new.moderate_all_default and not old.moderate_all_default:
        since = now
    elif old.moderate_all_default and not new.moderate_all_default:
        _keep_moderating_articles_since(session, old.moderate_all_since, now)
        since = None
    new = replace(new, moderate_all_since=since)
    row = session.get(ModerationPolicy, POLICY_ROW)
    if row is None:
        row = ModerationPolicy(id=POLICY_ROW)
        session.add(row)
    for name in LIMITS:
        setattr(row, name, getattr(new, name))
    row.blocked_words = "\n".join(new.blocked_words)
    row.blocked_domains = "\n".join(new.blocked_domains)
    row.moderate_all_default = new.moderate_all_default
    row.moderate_all_since = since
    row.updated_at = now
    session.flush()
    return [
        f.name
        for f in fields(Policy)
        if f.name != "moderate_all_since" and getattr(old, f.name) != getattr(new, f.name)
    ]


def update(
    session: Session, settings: Settings, form: dict[str, str], actor_id: int | None
) -> list[str]:
    """An admin's form saved as the policy (``Invalid`` names each field out of range); the
    change is logged. Returns the names of what changed."""
    changed = save(session, settings, parse(form, load(session, settings)))
    if changed:
        log.record(
            session,
            actor_id=actor_id,
            action=LogAction.SETTINGS,
            detail="changed: " + ", ".join(changed),
        )
    return changed


def _keep_moderating_articles_since(
    session: Session, since: datetime | None, now: datetime
) -> None:
    has_rule = select(ArticleRule.article_id).where(ArticleRule.article_id == Article.id)
    chosen = select(Article.id, literal(True, Boolean()), literal(now, UTCDateTime())).where(
        ~has_rule.exists()
    )
    if since is not None:
        chosen = chosen.where(Article.created_at >= since)
    session.execute(
        insert(ArticleRule).from_select(["article_id", "moderate_all", "updated_at"], chosen)
    )


def moderates_all(session: Session, policy: Policy, article: Article) -> bool:
    """Whether every comment on ``article`` is held for review."""
    rule = session.get(ArticleRule, article.id)
    if rule is not None:
        return rule.moderate_all
    if not policy.moderate_all_default:
        return False
    since = policy.moderate_all_since
    return since is None or article.created_at >= since


def set_article_rule(session: Session, article_id: int, moderate_all: bool) -> bool:
    """Give an article its own choice; False when it already had that one."""
    rule = session.get(ArticleRule, article_id)
    if rule is not None and rule.moderate_all == moderate_all:
        return False
    if rule is None:
        session.add(ArticleRule(article_id=article_id, moderate_all=moderate_all))
    else:
        rule.moderate_all = moderate_all
        rule.updated_at = utcnow()
    session.flush()
    return True
