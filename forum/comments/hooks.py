"""How higher layers take part in the life of a comment without comments importing them.

``app.py`` builds one ``CommentHooks`` and registers, for example, moderation's screening
(which decides whether a new comment is published or held) and the listeners that send
notifications or keep a search index current. Comments only ask and announce.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.accounts.models import User
from forum.accounts.permissions import can_moderate
from forum.articles.models import Article
from forum.comments.models import Comment, CommentStatus
from forum.comments.visibility import Viewer
from forum.errors import Forbidden


@dataclass(frozen=True)
class Draft:
    """A comment about to be written, as screening sees it."""

    article: Article
    author: User | None
    author_name: str
    body: str
    parent: Comment | None
    client_address: str | None
    signals: dict[str, Any] = field(default_factory=dict)
    """What the form tells about how it was filled in (honeypot, time since it was served)."""
    edited: Comment | None = None
    """The comment whose new text this is, for an edit (its row still holds the old text);
    None for a new comment. Screening judges an edit as it judges a new comment."""


@dataclass(frozen=True)
class HoldReason:
    """One reason a comment waits, for its author: a clause ("your email address is not
    confirmed yet") and, where they can act on it, a form that does (label, POST target)."""

    text: str
    action: tuple[str, str] | None = None


class Screening(Protocol):
    def initial_status(self, session: Session, draft: Draft) -> CommentStatus:
        """Published or pending, for a new comment or an edit's new text (``draft.edited``)."""
        ...


class PublishEverything:
    """The default screening: every comment is published at once."""

    def initial_status(self, session: Session, draft: Draft) -> CommentStatus:
        return CommentStatus.PUBLISHED


CheckBeforePosting = Callable[[Session, CurrentUser | None, Article], None]
"""Raise ``forum.errors.Forbidden`` to stop a post (bans, terms acceptance…); its ``action``
may offer a way forward (the terms to accept)."""

CheckBeforeReplying = Callable[[Session, CurrentUser | None, Comment], None]
"""Raise ``Forbidden`` to stop a reply to this comment (a locked thread…)."""

CheckBeforeEditing = Callable[[Session, CurrentUser, Comment], None]
"""Raise ``Forbidden`` to stop an edit of this comment (a ban…)."""

AuthorNotice = Callable[[Session, Comment], tuple[str, Mapping[str, Any]] | None]
"""For the author of a comment that others no longer see (rejected, hidden): a template and its
``notice`` context to show on its permalink (moderation: the decision and how to appeal)."""

HoldExplainer = Callable[[Session, Comment], list[HoldReason]]
"""Why a comment that was just written waits for a moderator, in words its author reads
(moderation: the rules its screening applied); an empty list says nothing."""

OpenReports = Callable[[Session, int], Mapping[int, int]]
"""For moderators only: how many open reports each comment of an article has (by comment id;
moderation counts them). Never asked for readers or visitors."""

ModeratesThread = Callable[[Session, CurrentUser, int], bool]
"""Whether this user moderates the thread of the article with this id: the one question the
comments module asks before it shows held comments, report flags and moderation controls, or
lets someone edit another's text or reply below a locked comment. The default is the role
(``role_moderates``); ``create_app`` puts moderation's reach in its place (a site's moderators
moderate their site's threads)."""


def role_moderates(session: Session, user: CurrentUser, article_id: int) -> bool:
    """The forum's moderators and admins moderate every thread; nobody else any."""
    return can_moderate(user)


CommentListener = Callable[[Session, Comment, CommentStatus | None], None]
"""Called in the writing transaction after a comment was created or changed, with its
previous status (None when new)."""


@dataclass
class CommentHooks:
    screening: Screening = field(default_factory=PublishEverything)
    before_posting: list[CheckBeforePosting] = field(default_factory=list)
    before_replying: list[CheckBeforeReplying] = field(default_factory=list)
    before_editing: list[CheckBeforeEditing] = field(default_factory=list)
    on_change: list[CommentListener] = field(default_factory=list)
    author_notices: list[AuthorNotice] = field(default_factory=list)
    open_reports: OpenReports | None = None
    hold_explainers: list[HoldExplainer] = field(default_factory=list)
    moderates: ModeratesThread = role_moderates

    def moderates_thread(self, session: Session, user: CurrentUser | None, article_id: int) -> bool:
        """Whether ``user`` moderates this article's thread (never a visitor)."""
        return user is not None and self.moderates(session, user, article_id)

    def viewer(self, session: Session, user: CurrentUser | None, article_id: int) -> Viewer:
        """Who reads this article's thread: a moderator of it sees every comment."""
        return Viewer(user.id if user else None, self.moderates_thread(session, user, article_id))

    def check_posting(self, session: Session, user: CurrentUser | None, article: Article) -> None:
        for check in self.before_posting:
            check(session, user, article)

    def posting_refusal(
        self, session: Session, user: CurrentUser | None, article: Article
    ) -> Forbidden | None:
        """Why this user may not post here (shown instead of the form), or None."""
        try:
            self.check_posting(session, user, article)
        except Forbidden as refusal:
            return refusal
        return None

    def check_reply(self, session: Session, user: CurrentUser | None, parent: Comment) -> None:
        for check in self.before_replying:
            check(session, user, parent)

    def check_edit(self, session: Session, user: CurrentUser, comment: Comment) -> None:
        for check in self.before_editing:
            check(session, user, comment)

    def notices_for_author(
        self, session: Session, comment: Comment
    ) -> list[tuple[str, Mapping[str, Any]]]:
        """What higher layers tell the author about their comment, on its permalink."""
        found = (notice(session, comment) for notice in self.author_notices)
        return [notice for notice in found if notice is not None]

    def hold_reasons(self, session: Session, comment: Comment) -> list[HoldReason]:
        """Why ``comment`` waits for a moderator, as its author is told right after writing."""
        return [reason for explain in self.hold_explainers for reason in explain(session, comment)]

    def reported(self, session: Session, article_id: int) -> Mapping[int, int]:
        """Open reports per comment of the article, for a moderator's view of the thread."""
        return self.open_reports(session, article_id) if self.open_reports else {}

    def changed(self, session: Session, comment: Comment, previous: CommentStatus | None) -> None:
        for listener in self.on_change:
            listener(session, comment, previous)
