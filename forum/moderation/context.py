"""What moderators' actions need beyond the session, and the reason every action may carry.

``create_app`` builds one ``Context`` and provides it to handlers as ``moderation``.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.di import NamedDependency

from forum.comments.hooks import CommentHooks
from forum.errors import Invalid
from forum.mail.outbox import Outbox
from forum.settings import Settings
from forum.text import TextProblem, clean_multiline

REASON_MAX = 2000


@dataclass(frozen=True)
class Context:
    """The comment hooks (status changes notify listeners), the outbox, the settings."""

    hooks: CommentHooks
    outbox: Outbox
    settings: Settings


def clean_reason(
    raw: str, *, required: bool = False, label: str = "Reason", field: str = "reason"
) -> str:
    """A moderator's (or appellant's) words, tidied; ``Invalid`` names ``field`` if unfit."""
    try:
        return clean_multiline(raw, field=label, max_length=REASON_MAX, required=required)
    except TextProblem as problem:
        raise Invalid({field: str(problem)}) from None


Moderation = NamedDependency[Context]
"""How a handler asks for the context: ``moderation: Moderation``."""
