"""Settings come from FORUM_* variables, with defaults that serve a laptop."""

import stat
from pathlib import Path

import pytest

from forum.settings import Settings, SettingsError, setting_docs


def test_defaults_use_sqlite_under_var():
    settings = Settings.from_env({})
    assert settings.effective_database_url == "sqlite:///var/forum.db"
    assert settings.debug is False
    assert settings.base_url == "http://127.0.0.1:8000"


def test_values_are_read_from_forum_variables(tmp_path: Path):
    settings = Settings.from_env(
        {
            "FORUM_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test",
            "FORUM_DEBUG": "true",
            "FORUM_BASE_URL": "https://forum.example",
            "FORUM_VAR_DIR": str(tmp_path),
            "FORUM_ARTICLES_PER_PAGE": "5",
            "UNRELATED": "ignored",
        }
    )
    assert settings.effective_database_url == "postgresql://postgres@127.0.0.1:5432/test"
    assert settings.debug is True
    assert settings.https is True
    assert settings.var_dir == tmp_path
    assert settings.articles_per_page == 5


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FORUM_DEBUG", "maybe"),
        ("FORUM_ARTICLES_PER_PAGE", "many"),
        ("FORUM_TIMEZONE", "Mars/Base"),
    ],
)
def test_bad_values_are_refused_with_the_variable_named(name: str, value: str):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path):
    settings = Settings(var_dir=tmp_path)
    first = settings.effective_secret_key()
    assert len(first) >= 40
    assert settings.effective_secret_key() == first
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_an_explicit_secret_key_wins(tmp_path: Path):
    settings = Settings(var_dir=tmp_path, secret_key="from-the-environment")
    assert settings.effective_secret_key() == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_every_setting_is_documented_in_the_readme():
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    docs = setting_docs()
    assert docs, "settings have attribute docstrings"
    for name in docs:
        assert f"FORUM_{name.upper()}" in readme, f"FORUM_{name.upper()} is missing from README"
