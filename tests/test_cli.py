"""The ``forum`` command: database schema, demo content and article import."""

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from forum.articles.models import Article
from forum.cli import main


@pytest.fixture
def run(settings):
    """Invoke ``forum`` with the test's settings in its environment."""

    def invoke(*args: str, input: str | None = None):
        env = {
            "FORUM_DATABASE_URL": settings.effective_database_url,
            "FORUM_VAR_DIR": str(settings.var_dir),
            "FORUM_SECRET_KEY": settings.secret_key,
        }
        return CliRunner().invoke(main, list(args), env=env, input=input, catch_exceptions=False)

    return invoke


def article_count(database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(Article))


def test_db_current_reports_the_newest_revision(run):
    result = run("db", "current")
    assert result.exit_code == 0
    assert "up to date" in result.output


def test_db_downgrade_and_upgrade(run):
    assert "database at base" in run("db", "downgrade", "base").output
    assert "newest is" in run("db", "current").output
    result = run("db", "upgrade")
    assert result.exit_code == 0
    assert "up to date" in run("db", "current").output


def test_demo_loads_articles_only_into_an_empty_database(run, database):
    first = run("demo", "--if-empty")
    assert first.exit_code == 0 and "loaded" in first.output
    count = article_count(database)
    assert count >= 5
    second = run("demo", "--if-empty")
    assert "skipped" in second.output
    assert article_count(database) == count


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """---
title: What do we mean by socialism?
author: Janine
submitted: 2003-04-15T09:12:00
---
The **body**.
"""


def test_import_creates_then_updates_by_slug(run, database, tmp_path):
    path = write(tmp_path / "a.md", GOOD)
    result = run("articles", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "imported 1 new" in result.output
    write(path, GOOD.replace("The **body**.", "A new body."))
    again = run("articles", "import", str(path))
    assert "updated 1" in again.output
    assert article_count(database) == 1
    with database.session() as session:
        article = session.scalar(select(Article))
        assert article.slug == "what-do-we-mean-by-socialism"
        assert article.body_html == "<p>A new body.</p>"
        assert article.submitted_at.hour == 9 and article.submitted_at.minute == 12


def test_import_keeps_explicit_slug_and_published_flag(run, database, tmp_path):
    path = write(
        tmp_path / "b.md",
        GOOD.replace("author: Janine", "author: Janine\nslug: october\npublished: false"),
    )
    assert run("articles", "import", str(path)).exit_code == 0
    with database.session() as session:
        article = session.scalar(select(Article))
        assert article.slug == "october" and article.published is False


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (GOOD.replace("title: What do we mean by socialism?\n", ""), "title"),
        (GOOD.replace("2003-04-15T09:12:00", "15/04/2003"), "submitted"),
        (GOOD.replace("2003-04-15T09:12:00", "2003-04-15"), "submitted"),
        (GOOD.replace("2003-04-15T09:12:00", "2003-13-45"), "submitted"),
        (GOOD.replace("2003-04-15T09:12:00", "2003-02-30T09:12:00"), "submitted"),
        (GOOD.replace("author: Janine\n", ""), "author"),
        ("no front matter at all", "front matter"),
    ],
)
def test_a_bad_file_is_rejected_by_name_and_nothing_is_written(
    run, database, tmp_path, text, field
):
    good = write(tmp_path / "good.md", GOOD)
    bad = write(tmp_path / "bad.md", text)
    result = run("articles", "import", str(good), str(bad))
    assert result.exit_code == 1
    assert f"{bad}: {field}:" in result.output
    assert "Traceback" not in result.output
    assert "nothing was imported" in result.output
    assert article_count(database) == 0


def test_import_reads_every_markdown_file_in_a_folder(run, database, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    write(folder / "one.md", GOOD)
    write(folder / "two.md", GOOD.replace("What do we mean", "What else do we mean"))
    assert run("articles", "import", str(folder)).exit_code == 0
    assert article_count(database) == 2


def test_db_upgrade_works_on_a_fresh_checkout_without_var(tmp_path):
    var = tmp_path / "fresh" / "var"
    env = {"FORUM_VAR_DIR": str(var), "FORUM_SECRET_KEY": "s" * 40}
    result = CliRunner().invoke(main, ["db", "upgrade"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (var / "forum.db").exists()


def test_every_command_group_is_on_the_forum_command():
    assert set(main.commands) == {
        "serve",
        "db",
        "demo",
        "articles",
        "import",
        "export",
        "users",
        "mail",
        "notifications",
        "moderation",
        "privacy",
    }
    assert set(main.commands["import"].commands) == {"disqus", "wordpress", "isso", "forum"}


def test_python_dash_m_forum_cli_is_the_forum_command():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "forum.cli", "db", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "upgrade" in result.stdout and "downgrade" in result.stdout


# --- one-line errors, never a traceback -------------------------------------------------------


def one_line_error(result) -> str:
    """The command failed with status 1 or 2 and said why in one line, without a traceback."""
    assert result.exit_code in {1, 2}, (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_forum_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("forum, version ")


@pytest.mark.parametrize("command", ["upgrade", "downgrade"])
def test_an_unknown_migration_revision_is_one_line(run, command):
    line = one_line_error(run("db", command, "nosuchrev"))
    assert "nosuchrev" in line


def test_export_into_a_missing_folder_is_one_line(run, tmp_path):
    target = tmp_path / "missing" / "export.json"
    line = one_line_error(run("export", str(target)))
    assert str(tmp_path / "missing") in line and "does not exist" in line
    assert not (tmp_path / "missing").exists()


def test_db_current_with_the_database_down_is_one_line(tmp_path):
    port = closed_port()
    env = {
        "FORUM_DATABASE_URL": f"postgresql://forum:hunter2@127.0.0.1:{port}/forum",
        "FORUM_VAR_DIR": str(tmp_path / "var"),
        "FORUM_SECRET_KEY": "s" * 40,
    }
    result = CliRunner().invoke(main, ["db", "current"], env=env, catch_exceptions=False)
    line = one_line_error(result)
    assert f"127.0.0.1:{port}" in line and "cannot be used" in line
    assert "hunter2" not in result.output


def test_serve_on_a_busy_port_says_so_without_claiming_to_serve(run):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port))
    line = one_line_error(result)
    assert f"127.0.0.1:{port}" in line and "in use" in line
    assert "serving" not in result.output


def test_a_sqlite_url_in_a_missing_folder_is_refused(tmp_path):
    missing = tmp_path / "typo" / "forum.db"
    env = {
        "FORUM_DATABASE_URL": f"sqlite:///{missing}",
        "FORUM_VAR_DIR": str(tmp_path / "var"),
        "FORUM_SECRET_KEY": "s" * 40,
    }
    result = CliRunner().invoke(main, ["db", "upgrade"], env=env, catch_exceptions=False)
    line = one_line_error(result)
    assert str(missing.parent) in line and "does not exist" in line
    assert not missing.parent.exists()
    inside_var = {**env, "FORUM_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'forum.db'}"}
    created = CliRunner().invoke(main, ["db", "upgrade"], env=inside_var, catch_exceptions=False)
    assert created.exit_code == 0, created.output
    assert (tmp_path / "var" / "forum.db").exists()


def test_an_unexpected_failure_is_one_line_too(run, monkeypatch):
    from forum import schema

    def broken(*args, **kwargs):
        raise RuntimeError("something odd\nwith a second line")

    monkeypatch.setattr(schema, "current_revision", broken)
    line = one_line_error(run("db", "current"))
    assert "RuntimeError: something odd" in line
