"""Mail settings: FORUM_SMTP_URL, FORUM_MAIL_FROM, FORUM_MAIL_WORKER."""

from __future__ import annotations

import pytest

from forum.mail.outbox import Outbox
from forum.mail.transport import FileTransport, SmtpTransport
from forum.settings import Settings, SettingsError


def test_mail_settings_are_read_from_forum_variables():
    settings = Settings.from_env(
        {
            "FORUM_SMTP_URL": "smtps://forum:secret@mail.example",
            "FORUM_MAIL_FROM": "Forum <forum@mail.example>",
            "FORUM_MAIL_WORKER": "false",
        }
    )
    assert settings.smtp_url == "smtps://forum:secret@mail.example"
    assert settings.mail_from == "Forum <forum@mail.example>"
    assert settings.mail_worker is False
    assert Settings().mail_worker is True


@pytest.mark.parametrize(
    "url",
    [
        "http://user:hunter2@mail.example",
        "smtp://user:hunter2@",
        "smtp://user:hunter2@mail.example:port",
        "smtp://user:hunter2@mail.example?starttls=maybe",
        "smtps://user:hunter2@mail.example?starttls=required",
    ],
)
def test_an_unusable_smtp_url_is_refused_without_repeating_the_password(url: str):
    with pytest.raises(SettingsError, match="FORUM_SMTP_URL") as refused:
        Settings.from_env({"FORUM_SMTP_URL": url})
    assert "hunter2" not in str(refused.value)


def test_mail_from_must_be_an_address():
    with pytest.raises(SettingsError, match="FORUM_MAIL_FROM"):
        Settings.from_env({"FORUM_MAIL_FROM": "the forum"})


def test_the_smtp_password_is_not_in_the_settings_repr():
    assert "hunter2" not in repr(Settings(smtp_url="smtp://user:hunter2@mail.example"))


def test_the_transport_follows_the_smtp_url(tmp_path):
    assert isinstance(Outbox.from_settings(Settings(var_dir=tmp_path)).transport, FileTransport)
    smtp = Outbox.from_settings(Settings(smtp_url="smtp://mail.example:587"))
    assert isinstance(smtp.transport, SmtpTransport)
    assert (smtp.transport.config.host, smtp.transport.config.port) == ("mail.example", 587)
