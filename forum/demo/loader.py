"""``forum demo``: load the demo articles, accounts and discussion through the services.

Everything goes through the same functions a request uses (registration, moderation's screening
and trust, posting, editing, deleting, voting, reporting), so counters, tree paths, revisions,
hold reasons, votes and scores, reports and the moderation log are what the site itself would
have written. Only the
story's clock is ours: the steps run now (the edit within its window), and their rows are then
dated over the past days, as if readers had come and gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.accounts.models import Role, User
from forum.accounts.passwords import Passwords
from forum.accounts.service import Registration, check_registration, create_account
from forum.accounts.validation import username_key
from forum.articles.importer import ImportResult, import_articles
from forum.articles.models import Article
from forum.articles.service import get_published
from forum.comments import service as comments
from forum.comments import votes
from forum.comments.hooks import CommentHooks
from forum.comments.models import Comment, CommentRevision, CommentVote, VoteValue
from forum.db import utcnow
from forum.demo.articles import OTHER_ARTICLES, SEED_SLUG, seed_article
from forum.demo.discussion import (
    EMAIL_DOMAIN,
    MODERATOR,
    PASSWORD,
    READERS,
    STEPS,
    Delete,
    Edit,
    Post,
    Reader,
    Report,
    Step,
    Votes,
)
from forum.mail.outbox import Outbox
from forum.moderation import hooks as moderation_hooks
from forum.moderation import reports, users
from forum.moderation.context import Context
from forum.moderation.models import Report as ReportRow
from forum.privacy.policies import accept_current_policies
from forum.settings import Settings

LAST_STEP_AGO = timedelta(minutes=20)
"""How long ago the story's last step happened (the held comment waits that long)."""


@dataclass(frozen=True)
class DemoResult:
    articles: ImportResult
    comments: int
    """Comments written by this run; 0 when the demo discussion was already there."""
    slug: str


def existing_readers(session: Session) -> list[Reader]:
    """The demo accounts present in the database (to print their logins)."""
    keys = {username_key(reader.username): reader for reader in READERS}
    found = set(session.scalars(select(User.username_key).where(User.username_key.in_(keys))))
    return [reader for key, reader in keys.items() if key in found]


def demo_password_hash(passwords: Passwords) -> str:
    """The hash of the one published demo password: made before the writing transaction (a
    hash takes a while and must not hold the write lock)."""
    return passwords.hash(PASSWORD)


def load_demo(session: Session, settings: Settings, password_hash: str) -> DemoResult:
    """Create or refresh the demo articles; the first time, the accounts and the discussion
    (every demo account gets ``password_hash``, from ``demo_password_hash``)."""
    articles = import_articles(
        session,
        [seed_article(settings.tz), *OTHER_ARTICLES],
        image_hosts=settings.article_image_sources,
    )
    if existing_readers(session):
        return DemoResult(articles, 0, SEED_SLUG)
    accounts = {reader.username: _account(session, password_hash, reader) for reader in READERS}
    story = _Story(session, settings, accounts, get_published(session, SEED_SLUG).id)
    _trust_regulars(session, accounts)
    for step in STEPS:
        story.run(step)
    story.date_rows(utcnow() - LAST_STEP_AGO)
    return DemoResult(articles, len(story.comments), SEED_SLUG)


def _account(session: Session, password_hash: str, reader: Reader) -> CurrentUser:
    """A verified account that accepted the current terms, as after registering by mail."""
    account = check_registration(
        Registration(
            username=reader.username,
            email=f"{reader.username}@{EMAIL_DOMAIN}",
            password=PASSWORD,
            display_name=reader.display_name,
        )
    )
    user = create_account(session, account, password_hash)
    user.role = reader.role
    user.email_verified_at = utcnow()
    session.flush()
    accept_current_policies(session, user.id)
    return CurrentUser.of(user, via="session")


def _trust_regulars(session: Session, accounts: dict[str, CurrentUser]) -> None:
    """The moderator trusts the regulars (logged as moderators' actions are); the newcomer's
    first comment is left to screening."""
    moderator = accounts[MODERATOR]
    for reader in READERS:
        if reader.trusted and reader.role is Role.READER:
            users.set_trust(
                session, reader.username, moderator, True, reason="A regular of the forum."
            )


@dataclass
class _Story:
    """Carries out the steps and remembers when each happened in the story."""

    session: Session
    settings: Settings
    accounts: dict[str, CurrentUser]
    article_id: int
    hooks: CommentHooks = field(init=False)
    comments: dict[str, Comment] = field(default_factory=dict)
    minutes: int = 0
    times: list[tuple[object, str, int]] = field(default_factory=list)
    """(row, column, minute of the story) for ``date_rows``."""

    def __post_init__(self) -> None:
        self.hooks = CommentHooks()
        moderation_hooks.install(self.hooks, self.settings)  # screening, no mail

    def run(self, step: Step) -> None:
        self.minutes += step.minutes
        if isinstance(step, Post):
            self._post(step)
        elif isinstance(step, Edit):
            self._edit(step)
        elif isinstance(step, Delete):
            self._delete(step)
        elif isinstance(step, Votes):
            self._votes(step)
        else:
            self._report(step)

    def _at(self, row: object, *columns: str) -> None:
        self.times.extend((row, column, self.minutes) for column in columns)

    def _post(self, step: Post) -> None:
        parent = self.comments[step.reply_to].id if step.reply_to else None
        comment = comments.post_comment(
            self.session,
            self.hooks,
            article=self.session.get_one(Article, self.article_id),
            author=self.accounts[step.author],
            request=comments.PostRequest(body=step.body, parent_id=parent),
            anonymous_allowed=False,
            close_after_days=0,
        )
        self.comments[step.key] = comment
        self._at(comment, "created_at", "updated_at")

    def _edit(self, step: Edit) -> None:
        comment = self.comments[step.key]
        comments.edit_comment(
            self.session,
            self.hooks,
            comment.id,
            editor=self._author_of(comment),
            body=step.body,
            window=timedelta(minutes=self.settings.comment_edit_minutes),
        )
        self._at(comment, "edited_at", "updated_at")
        for revision in self.session.scalars(
            select(CommentRevision).where(CommentRevision.comment_id == comment.id)
        ):
            self._at(revision, "replaced_at")
            self.times.append((revision, "created_at", self._minute_of(comment, "created_at")))

    def _delete(self, step: Delete) -> None:
        comment = self.comments[step.key]
        comments.delete_comment(
            self.session, self.hooks, comment.id, actor=self._author_of(comment)
        )
        self._at(comment, "updated_at")

    def _votes(self, step: Votes) -> None:
        comment = self.comments[step.key]
        for name in step.voters:
            voter = self.accounts[name]
            votes.cast_vote(self.session, comment.id, voter=voter, value=VoteValue.UP)
            vote = self.session.get_one(CommentVote, (comment.id, voter.id))
            self._at(vote, "created_at", "updated_at")
        self._at(comment, "updated_at")

    def _report(self, step: Report) -> None:
        context = Context(self.hooks, Outbox.from_settings(self.settings), self.settings)
        filed = reports.file_report(
            self.session,
            context,
            self.comments[step.key].id,
            self.accounts[step.reporter],
            step.reason,
            step.note,
        )
        assert isinstance(filed.report, ReportRow)
        self._at(filed.report, "created_at")

    def _author_of(self, comment: Comment) -> CurrentUser:
        return next(user for user in self.accounts.values() if user.id == comment.author_id)

    def _minute_of(self, row: object, column: str) -> int:
        return next(m for r, c, m in self.times if r is row and c == column)

    def date_rows(self, last: datetime) -> None:
        """Date every row of the story so that its last step happened at ``last``."""
        start = last - timedelta(minutes=self.minutes)
        for row, column, minute in self.times:
            setattr(row, column, start + timedelta(minutes=minute))
        self.session.flush()
