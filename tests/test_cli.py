"""The ``forum`` command: database schema, demo content and article import."""

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
