"""Transports: .eml files offline, SMTP (plain, STARTTLS, smtps, AUTH) against a real server."""

from __future__ import annotations

import email
import email.policy
import logging
import smtplib
import ssl
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
import trustme

from forum.mail.message import compose
from forum.mail.models import OutgoingMail
from forum.mail.transport import (
    FileTransport,
    InsecureAuth,
    SmtpConfig,
    SmtpTransport,
    StartTLSMissing,
    describe_error,
    is_permanent,
)
from tests.conftest import SmtpServer, serve_smtp

SENDER = "Forum <noreply@forum.example>"
ADDRESS = "janine@example.org"


def outgoing(*, html: str | None = None, mail_id: int = 7) -> OutgoingMail:
    return OutgoingMail(
        id=mail_id,
        to_address=ADDRESS,
        subject="Your comment has a reply",
        body_text="Hello Janine,\n\nsomeone replied.\n",
        body_html=html,
        created_at=datetime(2003, 4, 15, 9, 12, tzinfo=UTC),
    )


def message(**kwargs) -> EmailMessage:
    return compose(outgoing(**kwargs), sender=SENDER)


def read_eml(path: Path) -> EmailMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


# --- .eml files ---------------------------------------------------------------------------


def test_file_transport_writes_a_parseable_eml_with_the_right_headers(tmp_path: Path):
    FileTransport(tmp_path / "mail").send(message())
    [path] = (tmp_path / "mail").glob("*.eml")
    parsed = read_eml(path)
    assert parsed["From"] == SENDER
    assert parsed["To"] == ADDRESS
    assert parsed["Subject"] == "Your comment has a reply"
    assert parsed["Date"].datetime == datetime(2003, 4, 15, 9, 12, tzinfo=UTC)
    assert parsed["Message-ID"].endswith("@forum.example>")
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_content_type() == "text/plain"
    assert b"Hello Janine,\r\n\r\nsomeone replied.\r\n" in path.read_bytes()  # RFC 5322: CRLF


def test_html_is_sent_as_an_alternative_to_the_text(tmp_path: Path):
    FileTransport(tmp_path).send(message(html="<p>someone <b>replied</b></p>"))
    parsed = read_eml(next(tmp_path.glob("*.eml")))
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    assert text is not None and "someone replied" in text.get_content()
    assert html is not None and "<b>replied</b>" in html.get_content()


def test_file_transport_logs_the_path_but_not_the_address(tmp_path: Path, caplog):
    with caplog.at_level(logging.DEBUG, logger="forum.mail"):
        FileTransport(tmp_path).send(message())
    [path] = tmp_path.glob("*.eml")
    assert str(path) in caplog.text
    assert ADDRESS not in caplog.text
    assert "Janine" not in caplog.text
    assert ADDRESS not in path.name


def test_eml_files_are_readable_by_their_owner_only(tmp_path: Path):
    FileTransport(tmp_path).send(message())
    [path] = tmp_path.glob("*.eml")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_retried_message_keeps_its_message_id_and_file(tmp_path: Path):
    transport = FileTransport(tmp_path)
    transport.send(message())
    transport.send(message())
    assert len(list(tmp_path.glob("*.eml"))) == 1
    assert message()["Message-ID"] == message()["Message-ID"]
    assert message()["Message-ID"] != message(mail_id=8)["Message-ID"]


# --- the SMTP URL ---------------------------------------------------------------------------


def test_smtp_url_gives_host_port_tls_and_url_encoded_login():
    config = SmtpConfig.from_url("smtp://forum%40example.org:p%40ss%3Aword@mail.example:587")
    assert (config.host, config.port) == ("mail.example", 587)
    assert config.username == "forum@example.org"
    assert config.password == "p@ss:word"
    assert not config.implicit_tls and not config.starttls_required


def test_smtp_url_defaults_and_tls_modes():
    assert SmtpConfig.from_url("smtp://mail.example").port == 25
    assert SmtpConfig.from_url("smtp://mail.example?starttls=required").starttls_required
    smtps = SmtpConfig.from_url("smtps://mail.example")
    assert smtps.implicit_tls and smtps.port == 465
    assert SmtpConfig.from_url("smtp://mail.example").username is None


def test_the_password_is_not_in_the_config_repr():
    config = SmtpConfig.from_url("smtp://user:hunter2@mail.example")
    assert "hunter2" not in repr(config)


# --- SMTP -----------------------------------------------------------------------------------


def transport_for(url: str, **kwargs) -> SmtpTransport:
    return SmtpTransport(SmtpConfig.from_url(url), timeout=5, **kwargs)


def test_smtp_delivers_to_a_real_server(smtp_server: SmtpServer):
    transport_for(smtp_server.url).send(message())
    [received] = smtp_server.wait_for(1)
    assert received["To"] == ADDRESS
    assert received["Subject"] == "Your comment has a reply"
    assert smtp_server.envelopes == [("noreply@forum.example", [ADDRESS])]
    assert smtp_server.logins == []


def test_smtp_logs_in_with_the_user_and_password_of_the_url():
    with serve_smtp(users={"forum": "s3cret"}, auth_require_tls=False) as server:
        transport_for(f"smtp://forum:s3cret@127.0.0.1:{server.port}").send(message())
        server.wait_for(1)
        assert server.logins == ["forum"]


def test_a_wrong_password_is_refused():
    with serve_smtp(users={"forum": "s3cret"}, auth_require_tls=False) as server:
        with pytest.raises(smtplib.SMTPAuthenticationError):
            transport_for(f"smtp://forum:wrong@127.0.0.1:{server.port}").send(message())
        assert server.messages == []


class _RemoteConfig(SmtpConfig):
    """A config that believes its (loopback) host is another machine."""

    on_loopback = False  # type: ignore[assignment]


def test_a_password_is_never_sent_in_the_clear_to_another_machine(smtp_server: SmtpServer):
    config = _RemoteConfig(host="127.0.0.1", port=smtp_server.port, username="u", password="p")
    with pytest.raises(InsecureAuth):
        SmtpTransport(config, timeout=5).send(message())
    assert smtp_server.messages == []


def test_starttls_required_fails_when_the_server_does_not_offer_it(smtp_server: SmtpServer):
    with pytest.raises(StartTLSMissing):
        transport_for(f"{smtp_server.url}?starttls=required").send(message())
    assert smtp_server.messages == []


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture
def client_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@pytest.fixture
def starttls_server(server_tls: ssl.SSLContext) -> Iterator[SmtpServer]:
    """Offers STARTTLS, requires it, and takes AUTH only over TLS."""
    with serve_smtp(
        users={"forum": "s3cret"}, tls_context=server_tls, require_starttls=True
    ) as server:
        yield server


def test_starttls_is_used_when_offered_and_protects_the_login(
    starttls_server: SmtpServer, client_tls: ssl.SSLContext
):
    url = f"smtp://forum:s3cret@127.0.0.1:{starttls_server.port}?starttls=required"
    transport_for(url, ssl_context=client_tls).send(message())
    starttls_server.wait_for(1)
    assert starttls_server.logins == ["forum"]


def test_starttls_with_an_untrusted_certificate_fails(starttls_server: SmtpServer):
    with pytest.raises(ssl.SSLCertVerificationError):
        transport_for(f"smtp://127.0.0.1:{starttls_server.port}").send(message())
    assert starttls_server.messages == []


def test_smtps_delivers_over_implicit_tls(server_tls: ssl.SSLContext, client_tls: ssl.SSLContext):
    with serve_smtp(ssl_context=server_tls) as server:
        transport_for(f"smtps://127.0.0.1:{server.port}", ssl_context=client_tls).send(message())
        [received] = server.wait_for(1)
        assert received["To"] == ADDRESS


# --- errors ---------------------------------------------------------------------------------


def test_errors_are_described_without_the_servers_text():
    refused = smtplib.SMTPRecipientsRefused({ADDRESS: (550, f"<{ADDRESS}> unknown".encode())})
    assert describe_error(refused) == "SMTPRecipientsRefused 550"
    auth = smtplib.SMTPAuthenticationError(535, b"bad password for forum")
    assert describe_error(auth) == "SMTPAuthenticationError 535"
    assert describe_error(ConnectionRefusedError(111, "refused")) == "ConnectionRefusedError"


def test_only_a_refused_recipient_is_a_permanent_failure():
    assert is_permanent(smtplib.SMTPRecipientsRefused({ADDRESS: (550, b"unknown")}))
    assert not is_permanent(smtplib.SMTPRecipientsRefused({ADDRESS: (450, b"try later")}))
    assert not is_permanent(smtplib.SMTPAuthenticationError(535, b"no"))
    assert not is_permanent(ConnectionRefusedError())
