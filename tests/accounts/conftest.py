"""Accounts tests read mail from the outbox themselves, so the background worker is off."""

import email
import email.policy
from email.message import EmailMessage
from typing import Any

import pytest

from forum.mail.outbox import Outbox


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"mail_worker": False}


@pytest.fixture
def sent_mail(settings, database):
    """Deliver what the outbox holds and return every mail written so far (file transport)."""
    outbox = Outbox.from_settings(settings)

    def collect() -> list[EmailMessage]:
        outbox.deliver_due(database, limit=None)
        folder = settings.var_dir / "mail"
        if not folder.exists():
            return []
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(folder.glob("*.eml"))
        ]

    return collect


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def link_in(message: EmailMessage, path_prefix: str) -> str:
    """The path of the first link in the mail that starts with ``path_prefix``."""
    for word in body_of(message).split():
        if path_prefix in word:
            return word[word.index(path_prefix) :]
    raise AssertionError(f"no {path_prefix} link in {body_of(message)!r}")
