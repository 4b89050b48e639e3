"""``forum mail send``: deliver what is due, for cron or when the app's worker is off."""

from __future__ import annotations

from click.testing import CliRunner

from forum.cli import main
from forum.mail.outbox import Outbox
from forum.settings import Settings
from tests.conftest import SmtpServer


def run_mail_send(settings: Settings, **extra_env: str):
    env = {
        "FORUM_DATABASE_URL": settings.effective_database_url,
        "FORUM_VAR_DIR": str(settings.var_dir),
        "FORUM_SECRET_KEY": settings.secret_key,
        **extra_env,
    }
    return CliRunner().invoke(main, ["mail", "send"], env=env, catch_exceptions=False)


def queue_two(settings: Settings, database) -> None:
    outbox = Outbox.from_settings(settings)
    with database.session(write=True) as session:
        for n in range(2):
            outbox.queue(session, to=f"reader{n}@example.org", subject="Hello", text="Hi.")


def test_mail_send_delivers_what_is_due_and_prints_the_counts(
    settings: Settings, database, smtp_server: SmtpServer
):
    queue_two(settings, database)
    result = run_mail_send(settings, FORUM_SMTP_URL=smtp_server.url)
    assert result.exit_code == 0, result.output
    assert "mail: 2 sent, 0 failed, 0 to retry later" in result.output
    assert len(smtp_server.wait_for(2)) == 2
    again = run_mail_send(settings, FORUM_SMTP_URL=smtp_server.url)
    assert "mail: 0 sent" in again.output


def test_mail_send_without_smtp_writes_eml_files(settings: Settings, database):
    queue_two(settings, database)
    result = run_mail_send(settings)
    assert "mail: 2 sent" in result.output
    assert len(list((settings.var_dir / "mail").glob("*.eml"))) == 2


def test_mail_send_reports_mail_kept_for_later(settings: Settings, database):
    queue_two(settings, database)
    # A port on loopback where nothing listens: connection refused.
    result = run_mail_send(settings, FORUM_SMTP_URL="smtp://127.0.0.1:1")
    assert result.exit_code == 0
    assert "mail: 0 sent, 0 failed, 2 to retry later" in result.output
