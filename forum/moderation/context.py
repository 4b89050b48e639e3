"""What moderators' actions need beyond the session, and the reason every action may carry.

``create_app`` builds one ``Context`` and provides it to handlers as ``moderation``.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.di import NamedDependency

from forum.comments.hooks import CommentHooks
from forum.errors import Invalid
from forum.i18n import N_, format_number, ngettext
from forum.mail.outbox import Outbox
from forum.settings import Settings
from forum.text import FieldWords, TextProblem, clean_multiline

REASON_MAX = 2000
# Translators: the reason a moderator gives for an action (removing a comment, a ban…).
REASON_WORDS = FieldWords(
    required=N_("Reason is required."),
    too_long=lambda limit: ngettext(
        "Reason must be at most %(max_length)s character.",
        "Reason must be at most %(max_length)s characters.",
        limit,
        max_length=format_number(limit),
    ),
    forbidden=N_("Reason contains a character that is not allowed."),
)


@dataclass(frozen=True)
class Context:
    """The comment hooks (status changes notify listeners), the outbox, the settings."""

    hooks: CommentHooks
    outbox: Outbox
    settings: Settings


def clean_reason(
    raw: str, *, required: bool = False, words: FieldWords = REASON_WORDS, field: str = "reason"
) -> str:
    """A moderator's (or appellant's) words, tidied; ``Invalid`` names ``field`` if unfit."""
    try:
        return clean_multiline(raw, field=words, max_length=REASON_MAX, required=required)
    except TextProblem as problem:
        raise Invalid({field: str(problem)}) from None


Moderation = NamedDependency[Context]
"""How a handler asks for the context: ``moderation: Moderation``."""
