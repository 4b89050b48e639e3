"""Turning a queued row into an RFC 5322 message, and checking what callers queue."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from forum.mail.models import OutgoingMail


class InvalidMail(ValueError):
    """A message that cannot be queued; the text never repeats the address or the subject."""


def check_recipient(address: str) -> str:
    """``address`` as one bare ``user@domain``, or InvalidMail (no names, lists or line breaks)."""
    try:
        parsed = Address(addr_spec=address.strip())
    except Exception:  # the parser raises several kinds, all meaning "not an address"
        raise InvalidMail("the recipient is not a single e-mail address") from None
    if not parsed.domain or len(parsed.addr_spec) > OutgoingMail.ADDRESS_MAX:
        raise InvalidMail("the recipient is not a single e-mail address")
    return parsed.addr_spec


def check_subject(subject: str) -> str:
    """The subject as one header line, or InvalidMail."""
    if "\r" in subject or "\n" in subject:
        raise InvalidMail("the subject must be one line")
    if len(subject) > OutgoingMail.SUBJECT_MAX:
        raise InvalidMail(f"the subject is longer than {OutgoingMail.SUBJECT_MAX} characters")
    return subject


HEADER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,75}")
RESERVED_HEADERS = frozenset(
    {"from", "to", "cc", "bcc", "sender", "subject", "date", "message-id", "auto-submitted"}
    | {"mime-version", "content-type", "content-transfer-encoding", "content-disposition"}
)
"""Header fields the outbox sets itself: a caller may not replace or repeat them."""


def check_headers(headers: Mapping[str, str]) -> str | None:
    """Extra header fields as stored (a JSON object), or InvalidMail.

    Values must be printable ASCII on one line: they are written as given, never encoded, so
    that fields of URLs (``List-Unsubscribe``, RFC 2369) stay readable to mail programs.
    """
    if not headers:
        return None
    for name, value in headers.items():
        if not HEADER_NAME.fullmatch(name) or name.lower() in RESERVED_HEADERS:
            raise InvalidMail(f"the header field {name!r} cannot be set")
        if not value.isascii() or not value.isprintable() or len(name) + len(value) > 996:
            raise InvalidMail(f"the {name} header must be one line of printable ASCII")
    return json.dumps(dict(headers), separators=(",", ":"))


class _VerbatimHeader(str):
    """A header value the generator writes as it is: no folding, no RFC 2047 encoded-words,
    which mail programs do not decode in fields of URLs."""

    name: str

    def __new__(cls, name: str, value: str) -> _VerbatimHeader:
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy: object) -> str:
        return f"{self.name}: {self}{getattr(policy, 'linesep', chr(10))}"


def sender_domain(sender: str) -> str:
    """The domain of the From address, for Message-IDs (never a DNS look-up)."""
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"


def message_id(mail: OutgoingMail, domain: str) -> str:
    """A Message-ID that stays the same across retries, so receivers can drop duplicates."""
    return f"<{mail.created_at:%Y%m%d%H%M%S%f}.{mail.id}.forum@{domain}>"


def compose(mail: OutgoingMail, *, sender: str) -> EmailMessage:
    """The message for ``mail``: plain text, plus an HTML alternative when the row has one."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    message["Message-ID"] = message_id(mail, sender_domain(sender))
    # RFC 3834: vacation responders must not answer notifications.
    message["Auto-Submitted"] = "auto-generated"
    for name, value in json.loads(mail.extra_headers or "{}").items():
        message[name] = _VerbatimHeader(name, value)
    message.set_content(mail.body_text)
    if mail.body_html is not None:
        message.add_alternative(mail.body_html, subtype="html")
    return message
