"""What moderators' HTML pages share: reading their forms, and answering a form post with a
flash message and a redirect back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from litestar.params import QueryParameter
from litestar.plugins.flash import flash
from litestar.response import Redirect

from forum.comments.models import CommentStatus
from forum.errors import Invalid
from forum.i18n import N_, gettext, ngettext
from forum.moderation.actions import Act
from forum.moderation.errors import AlreadyHandled
from forum.moderation.models import Violation
from forum.web.types import AnyRequest

Text = Annotated[str, QueryParameter(max_length=200)]
"""A free-text filter in a query string."""
PER_PAGE = 20
BULK_MAX = 200
DONE = {
    Act.APPROVE: N_("Comment %(comment_id)s approved."),
    Act.REJECT: N_("Comment %(comment_id)s rejected."),
    Act.HIDE: N_("Comment %(comment_id)s hidden."),
    Act.RESTORE: N_("Comment %(comment_id)s restored."),
    Act.DELETE: N_("Comment %(comment_id)s deleted."),
}
"""What a moderator is told after acting on one comment (marked; ``done`` says it)."""


def done(act: Act, comment_id: int) -> str:
    """ "Comment 12 approved." in the current language."""
    return gettext(DONE[act], comment_id=comment_id)


def done_many(act: Act, count: int) -> str:
    """ "3 comments approved." in the current language, the plural form for ``count``."""
    if act is Act.APPROVE:
        return ngettext("%(num)s comment approved.", "%(num)s comments approved.", count)
    if act is Act.REJECT:
        return ngettext("%(num)s comment rejected.", "%(num)s comments rejected.", count)
    if act is Act.HIDE:
        return ngettext("%(num)s comment hidden.", "%(num)s comments hidden.", count)
    if act is Act.RESTORE:
        return ngettext("%(num)s comment restored.", "%(num)s comments restored.", count)
    return ngettext("%(num)s comment deleted.", "%(num)s comments deleted.", count)


def parse_violation(raw: str) -> Violation | None:
    try:
        return Violation(raw) if raw else None
    except ValueError:
        raise Invalid({"violation": gettext("That is not a rule of this site.")}) from None


def parse_status(raw: str) -> CommentStatus | None:
    try:
        return CommentStatus(raw) if raw else None
    except ValueError:
        raise Invalid({"expected": gettext("That is not a comment status.")}) from None


def selected_ids(data: dict[str, Any]) -> list[int]:
    """The ticked comment ids of a bulk form (at most ``BULK_MAX``; nonsense is skipped)."""
    raw = data.get("ids", [])
    values = raw if isinstance(raw, list) else [raw]
    ids = []
    for value in values[:BULK_MAX]:
        if isinstance(value, str) and value.isdigit() and 0 < int(value) < 2**62:
            ids.append(int(value))
    return ids


def item_url(comment_id: int) -> str:
    return f"/moderation/comments/{comment_id}"


def done_or_already(
    request: AnyRequest, back: str, done: str, action: Callable[[], object]
) -> Redirect:
    """Run ``action`` and go ``back`` saying it is ``done`` — or, when someone acted first
    (``AlreadyHandled``; the action left nothing behind), saying what happened instead. Any other
    error is answered by the app's one error mapping."""
    try:
        action()
    except AlreadyHandled as exc:
        flash(request, exc.message, category="warning")
    else:
        flash(request, done, category="success")
    return Redirect(back, status_code=303)
