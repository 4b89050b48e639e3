"""How a message leaves: over SMTP, or into an ``.eml`` file when no SMTP server is configured.

A transport sends one message or raises; the outbox decides about retries. Errors are described
by class and SMTP code only, because servers like to repeat the recipient's address in theirs.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import smtplib
import ssl
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import default
from email.utils import getaddresses
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger("forum.mail")

SMTP_TIMEOUT_SECONDS = 10.0
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


class Transport(Protocol):
    """Sends one message, or raises."""

    def send(self, message: EmailMessage) -> None: ...


class InsecureAuth(smtplib.SMTPException):
    """We will not send a password over a connection without TLS to another machine."""


class StartTLSMissing(smtplib.SMTPException):
    """``starttls=required`` but the server does not offer STARTTLS."""


@dataclass(frozen=True)
class SmtpConfig:
    """What ``FORUM_SMTP_URL`` says: where, how encrypted, and which login."""

    host: str
    port: int
    implicit_tls: bool = False
    starttls_required: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str) -> SmtpConfig:
        """Parse ``smtp://[user[:password]@]host[:port][?starttls=required]`` or ``smtps://…``.

        User and password are URL-decoded. Settings has already refused URLs we cannot use.
        """
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            raise ValueError("FORUM_SMTP_URL must be smtp://host or smtps://host")
        starttls = parse_qs(parts.query).get("starttls", ["auto"])[0]
        return cls(
            host=parts.hostname,
            port=parts.port or DEFAULT_PORTS[parts.scheme],
            implicit_tls=parts.scheme == "smtps",
            starttls_required=starttls == "required",
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
        )

    @property
    def on_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


class SmtpTransport:
    """One SMTP connection per message: TLS as configured, then AUTH when a user is given.

    STARTTLS is used whenever the server offers it, and the certificate is always verified
    (``SSL_CERT_FILE`` adds a private CA). A password is never sent in the clear, except to
    a server on this machine.
    """

    def __init__(
        self,
        config: SmtpConfig,
        *,
        timeout: float = SMTP_TIMEOUT_SECONDS,
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
    ) -> None:
        self.config = config
        self.timeout = timeout
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.local_hostname = local_hostname

    def send(self, message: EmailMessage) -> None:
        config = self.config
        client: smtplib.SMTP
        if config.implicit_tls:
            client = smtplib.SMTP_SSL(
                config.host,
                config.port,
                local_hostname=self.local_hostname,
                timeout=self.timeout,
                context=self.ssl_context,
            )
        else:
            client = smtplib.SMTP(
                config.host, config.port, local_hostname=self.local_hostname, timeout=self.timeout
            )
        with client:
            client.ehlo()
            encrypted = config.implicit_tls
            if not encrypted and client.has_extn("starttls"):
                client.starttls(context=self.ssl_context)
                client.ehlo()
                encrypted = True
            if not encrypted and config.starttls_required:
                raise StartTLSMissing("the server does not offer STARTTLS")
            if config.username is not None:
                if not encrypted and not config.on_loopback:
                    raise InsecureAuth("refusing to send a password without TLS")
                client.login(config.username, config.password or "")
            client.send_message(message)


class FileTransport:
    """Writes each message as an ``.eml`` file (readable by any mail program) and logs its path.

    For development and offline use: ``make run`` needs no mail server. Files are private to
    the owner (0600): they hold addresses and bodies.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{_file_stem(message)}.eml"
        data = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        temporary = path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        # Renamed into place, so a reader never sees half a message; a retry overwrites.
        os.replace(temporary, path)
        log.info("mail written to %s", path)

    def remove_mail_to(self, address: str) -> int:
        """Delete every ``.eml`` file addressed to ``address`` (an erased account's mail);
        returns how many. Only the headers are read; unreadable files are left alone."""
        wanted = address.strip().lower()
        removed = 0
        for path in sorted(self.directory.glob("*.eml")) if self.directory.is_dir() else []:
            try:
                with open(path, "rb") as handle:
                    headers = BytesHeaderParser(policy=default).parse(handle)
            except OSError:
                continue
            recipients = {a.lower() for _, a in getaddresses(headers.get_all("To", []))}
            if wanted in recipients:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


def _file_stem(message: EmailMessage) -> str:
    """The Message-ID's left part, which is ours and holds no personal data."""
    local = str(message.get("Message-ID", "")).strip("<> ").partition("@")[0]
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", local).strip(".")
    return stem or uuid.uuid4().hex


def is_permanent(exc: BaseException) -> bool:
    """Whether retrying cannot help: the server refused every recipient with a 5xx code.

    A refused login or sender (also 5xx) is kept for retries: that is our configuration, and
    mail should go out once it is fixed.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    return False


def describe_error(exc: BaseException) -> str:
    """The error's class and SMTP code, never its text (which may name the recipient)."""
    code: int | None = None
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted(code for code, _ in exc.recipients.values())
        code = codes[0] if codes else None
    elif isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
    name = type(exc).__name__
    return f"{name} {code}" if code is not None else name
