"""What moderation plugs into lower layers, wired in ``app.py`` (they never import moderation):

* ``ModerationScreening`` (``forum.moderation.screening``) — ``CommentHooks.screening``;
* ``record_hold_reasons`` (same module) — a ``CommentHooks.on_change`` listener, followed by
  ``HeldNotice`` (``forum.moderation.statements``), which tells the author of a held comment;
* ``decision_notice`` (same module) — ``CommentHooks.author_notices``: the decision on the
  author's own rejected or hidden comment, on its permalink; ``held_reasons`` —
  ``CommentHooks.hold_explainers``: why a comment just written waits, told at once;
* ``Gate`` — ``before_posting``, ``before_replying`` and ``before_editing`` checks: bans and
  locked threads;
* ``ModeratorReach`` — an ``AuthMiddleware`` hook: which threads this user moderates (see
  ``forum.moderation.reach``) and how many items wait in them;
* ``template_globals`` — ``moderation_waiting()`` shows that count in the header.
"""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.articles.models import Article
from forum.comments.hooks import CommentHooks
from forum.comments.models import Comment
from forum.errors import Forbidden
from forum.i18n import gettext
from forum.moderation import queues
from forum.moderation.mails import Outbox
from forum.moderation.reach import REACH_KEY, Reaches
from forum.moderation.reports import open_counts
from forum.moderation.screening import ModerationScreening, record_hold_reasons
from forum.moderation.standing import active_ban
from forum.moderation.statements import HeldNotice, decision_notice, held_reasons
from forum.moderation.threads import locked_above
from forum.moderation.users import ban_message
from forum.settings import Settings


class Gate:
    """Refuses posts, replies and edits that moderators have ruled out. Whoever moderates a
    thread (``hooks.moderates_thread``: by role, or as a site's moderator) replies below its
    locked comments."""

    def __init__(self, settings: Settings, hooks: CommentHooks) -> None:
        self.settings = settings
        self.hooks = hooks

    def _refuse_banned(self, session: Session, user: CurrentUser | None) -> None:
        if user is None:
            return
        ban = active_ban(session, user.id)
        if ban is not None:
            raise Forbidden(ban_message(ban, self.settings))

    def before_posting(self, session: Session, user: CurrentUser | None, article: Article) -> None:
        self._refuse_banned(session, user)

    def before_replying(self, session: Session, user: CurrentUser | None, parent: Comment) -> None:
        if self.hooks.moderates_thread(session, user, parent.article_id):
            return
        if locked_above(session, parent) is not None:
            raise Forbidden(gettext("This thread is locked: no new replies here."))

    def before_editing(self, session: Session, user: CurrentUser, comment: Comment) -> None:
        self._refuse_banned(session, user)


def install(hooks: CommentHooks, settings: Settings, outbox: Outbox | None = None) -> None:
    """Make moderation answer the comments module's questions; with an ``outbox``, authors of
    comments held by a rule are told so (a statement of reasons)."""
    gate = Gate(settings, hooks)
    hooks.screening = ModerationScreening(settings)
    hooks.before_posting.append(gate.before_posting)
    hooks.before_replying.append(gate.before_replying)
    hooks.before_editing.append(gate.before_editing)
    hooks.on_change.append(record_hold_reasons)
    if outbox is not None:
        hooks.on_change.append(HeldNotice(settings, outbox))
    hooks.author_notices.append(decision_notice)
    hooks.open_reports = open_counts
    hooks.hold_explainers.append(held_reasons)


WAITING_KEY = "moderation_waiting"


class ModeratorReach:
    """For anyone who moderates some threads, their reach and the pending plus reported items
    in it (the header badge), read once in the request's read transaction (an
    ``AuthMiddleware`` hook)."""

    def __init__(self, reaches: Reaches) -> None:
        self.reaches = reaches

    def __call__(self, session: Session, user: CurrentUser, state: dict[str, Any]) -> None:
        reach = self.reaches.of(session, user)
        if reach is not None:
            state[REACH_KEY] = reach
            state[WAITING_KEY] = queues.waiting(session, reach)


@pass_context
def moderation_waiting(context: Any) -> int | None:
    """The badge count worked out for this request; None for everyone but moderators."""
    request = context.get("request")
    if request is None:
        return None
    value = request.scope.get("state", {}).get(WAITING_KEY)
    return value if isinstance(value, int) else None


def template_globals() -> dict[str, Any]:
    return {"moderation_waiting": moderation_waiting}
