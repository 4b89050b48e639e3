"""Extra header fields: written verbatim (no folding, no encoded-words), and checked when queued
so that no caller can inject a header or replace one the outbox sets."""

from __future__ import annotations

import email
import email.policy

import pytest
from sqlalchemy import select

from forum.mail.message import InvalidMail, compose
from forum.mail.models import OutgoingMail
from forum.mail.outbox import Outbox
from forum.mail.transport import FileTransport

LINK = "<https://forum.example/notifications/unsubscribe/" + "x" * 150 + ".sig>"
ONE_CLICK = {"List-Unsubscribe": LINK, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def test_a_long_url_header_is_sent_on_one_line_as_given(database, tmp_path):
    outbox = Outbox(FileTransport(tmp_path), sender="forum <noreply@forum.example>")
    with database.session(write=True) as session:
        outbox.queue(session, to="ann@example.org", subject="Hi", text="Hi.", headers=ONE_CLICK)
    with database.session() as session:
        mail = session.scalar(select(OutgoingMail))
    raw = compose(mail, sender=outbox.sender).as_bytes()
    assert f"List-Unsubscribe: {LINK}".encode() in raw
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert str(parsed["List-Unsubscribe"]) == LINK
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize(
    "headers",
    [
        {"List-Unsubscribe": "<https://x.example/u>\r\nBcc: victim@example.org"},
        {"Bcc": "someone@example.org"},
        {"To": "someone@example.org"},
        {"X Bad Name": "value"},
        {"List-Id": "Forum – news"},
        {"List-Unsubscribe": "<https://x.example/" + "y" * 1000 + ">"},
    ],
)
def test_header_injection_and_reserved_fields_are_refused(database, tmp_path, headers):
    outbox = Outbox(FileTransport(tmp_path), sender="f <f@x.example>")
    with database.session(write=True) as session, pytest.raises(InvalidMail):
        outbox.queue(session, to="ann@example.org", subject="Hi", text="Hi.", headers=headers)
