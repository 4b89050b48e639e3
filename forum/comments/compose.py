"""What the comment forms share: telling the writer what happened, the place in the thread they
come back to, the preview, and the small answers compose.js asks for instead of a new page.

Without JavaScript a form posts, the handler says what happened in a flash message and
redirects to the article page at the comment (``forum.comments.landing``). compose.js sends the
same form with ``COMPOSE_HEADER``: the answer is then ``comments/_composed.html``, a fragment
with the same message and where the comment is; the script takes the comment's card from that
page, rendered by the thread's own templates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from litestar.plugins.flash import flash
from litestar.response import Template
from sqlalchemy.orm import Session

from forum.accounts.current import CurrentUser
from forum.comments import service, votes
from forum.comments.config import CommentConfig
from forum.comments.hooks import CommentHooks, HoldReason
from forum.comments.landing import ThreadLayout, landing_url
from forum.comments.models import Comment, CommentStatus
from forum.comments.thread_view import MAX_INDENT, remembered_sort
from forum.i18n import N_, gettext
from forum.web.markdown import comment_renderer
from forum.web.random_tokens import token_urlsafe
from forum.web.types import AnyRequest

COMPOSE_HEADER = "x-forum-compose"
"""Sent by compose.js: answer with ``comments/_composed.html`` instead of a redirect or page."""
PREVIEW_ACTION = "preview"
"""The Preview button's ``action`` value: render the text, save nothing."""
# Translators: said to the writer of a comment just posted (the comment is now on the page).
PUBLISHED = N_("Published.")
EDITED = N_("Your edit is saved.")
UNTIL_DECIDED = N_("Until they decide, only you and the moderators see this comment.")
DELETED = N_("Your comment is deleted.")
# Translators: "[deleted]" is what the thread shows in place of a deleted comment that has replies.
DELETED_KEPT = N_("Deleted: “[deleted]” keeps its place above the replies.")
DELETED_BY_MODERATOR = N_("The comment is deleted.")


@dataclass(frozen=True)
class Outcome:
    """What happened to a comment, for its writer: the message and where to see it."""

    text: str
    category: str
    location: str
    comment_id: int
    action: tuple[str, str] | None = None

    def message(self) -> dict[str, Any]:
        """The flash message (JSON in the session): text, and a form where one helps."""
        return {"text": self.text, "action": self.action, "next": self.location}


def wants_fragment(request: AnyRequest) -> bool:
    return request.headers.get(COMPOSE_HEADER) == "1"


def layout(
    request: AnyRequest, db: Session, config: CommentConfig, article_id: int
) -> ThreadLayout:
    """The thread as this reader's article page lays it out: their remembered sort order, else
    the thread's default (best once it has votes)."""
    return ThreadLayout(
        sort=remembered_sort(request, config) or votes.default_sort(db, article_id),
        per_page=config.per_page,
        max_comments=config.page_comments,
        max_depth=MAX_INDENT,
    )


def joined(clauses: list[str]) -> str:
    """Clauses as one list, "a", "a and b", "a, b and c", with the current language's words."""
    text = clauses[0]
    for clause in clauses[1:-1]:
        # Translators: joins the items of a list but the last: "a, b" of "a, b and c".
        text = gettext("%(earlier)s, %(next)s", earlier=text, next=clause)
    if len(clauses) > 1:
        # Translators: joins the last item of a list to the others: "a, b and c".
        text = gettext("%(earlier)s and %(last)s", earlier=text, last=clauses[-1])
    return text


def waiting(reasons: list[HoldReason], *, edited: bool) -> tuple[str, tuple[str, str] | None]:
    """ "Waiting for a moderator because <reason> and <reason>." (or the edit's words), and the
    first form a reason offers; the reasons are clauses already in the reader's language."""
    action = next((reason.action for reason in reasons if reason.action), None)
    if not reasons and edited:
        return gettext("Your edit is waiting for a moderator's approval."), None
    if not reasons:
        return gettext("Waiting for a moderator."), None
    because = joined([reason.text for reason in reasons])
    if edited:
        # Translators: %(reasons)s are clauses such as "your email address is not confirmed yet".
        return gettext(
            "Your edit is waiting for a moderator's approval because %(reasons)s.",
            reasons=because,
        ), action
    # Translators: %(reasons)s are clauses such as "your email address is not confirmed yet".
    return gettext("Waiting for a moderator because %(reasons)s.", reasons=because), action


def outcome(
    request: AnyRequest,
    db: Session,
    hooks: CommentHooks,
    config: CommentConfig,
    comment: Comment,
    *,
    viewer: CurrentUser | None,
    edited: bool = False,
) -> Outcome:
    """What to tell the writer of a comment just posted or edited, with the real reasons when
    it waits for a moderator (the screening's own words, through ``hooks``)."""
    location = landing_url(
        db,
        comment,
        hooks.viewer(db, viewer, comment.article_id),
        layout(request, db, config, comment.article_id),
    )
    if comment.status is not CommentStatus.PENDING:
        said = gettext(EDITED if edited else PUBLISHED)
        return Outcome(said, "success", location, comment.id)
    text, action = waiting(hooks.hold_reasons(db, comment), edited=edited)
    if edited:
        text = f"{text} {gettext(UNTIL_DECIDED)}"
    return Outcome(text, "info", location, comment.id, action)


def deleted_outcome(
    request: AnyRequest,
    db: Session,
    hooks: CommentHooks,
    config: CommentConfig,
    comment: Comment,
    *,
    viewer: CurrentUser,
) -> Outcome:
    """What to tell after a deletion: whether '[deleted]' stays, and the place to go back to."""
    location = landing_url(
        db,
        comment,
        hooks.viewer(db, viewer, comment.article_id),
        layout(request, db, config, comment.article_id),
    )
    if location.endswith(f"#comment-{comment.id}"):
        text = DELETED_KEPT
    else:
        text = DELETED if comment.author_id == viewer.id else DELETED_BY_MODERATOR
    return Outcome(gettext(text), "success", location, comment.id)


def tell(request: AnyRequest, done: Outcome) -> None:
    """Queue the message for the page the redirect lands on."""
    flash(request, done.message(), category=done.category)


def preview(body: str) -> str:
    """The text as the thread will show it: the one renderer and sanitizer, nothing saved.
    ``Invalid`` (for ``body``) when it could not be posted either."""
    return comment_renderer.render(service.clean_body(body))


def fragment(
    *,
    done: Outcome | None = None,
    preview_html: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Template:
    """The answer to compose.js: a message and where the comment is, a preview, or an error;
    a new one-time nonce for the form it came from."""
    return Template(
        "comments/_composed.html",
        status_code=status_code,
        context={
            "done": done,
            "message": {"message": done.message(), "category": done.category} if done else None,
            "preview": preview_html,
            "error": error,
            "post_nonce": token_urlsafe(16),
        },
    )


def minutes_left(created_at: datetime, window: timedelta, now: datetime) -> int:
    """Whole minutes (rounded up) the author may still edit; 0 when the window has passed."""
    seconds = (created_at + window - now).total_seconds()
    return max(0, math.ceil(seconds / 60))
