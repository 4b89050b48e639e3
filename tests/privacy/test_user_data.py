"""The user-data registry: every table that names a user is answered for by a registered part
(a scan of the metadata), the export's parts are format version 1's, and erasure forgets in
an order that leaves the ``users`` row for last."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table

import forum.models  # noqa: F401 - every module's tables in the metadata
from forum.accounts.user_data import Document, UserDataRegistry
from forum.app import user_data_registry
from forum.comments.hooks import CommentHooks
from forum.db import metadata
from forum.privacy.export import SECTIONS, export_user
from forum.settings import Settings

USER_COLUMN = re.compile(r"(^|_)(user|users|author|email|username)(_|$)")
"""Column names that say they hold a person, besides foreign keys to ``users.id``."""

NOT_ABOUT_USERS = {
    "articles": "author_name is the byline an editor types ('Submitted by Janine'), not an "
    "account: nothing a user's export or erasure covers",
}


def user_columns(table: Table) -> list[str]:
    return [
        column.name
        for column in table.columns
        if any(fk.target_fullname == "users.id" for fk in column.foreign_keys)
        or USER_COLUMN.search(column.name)
    ]


def uncovered(tables: MetaData, registry: UserDataRegistry) -> dict[str, list[str]]:
    """Tables with a user column that no registered part answers for, with those columns."""
    return {
        table.name: columns
        for table in tables.sorted_tables
        if (columns := user_columns(table))
        and table.name not in registry.tables
        and table.name not in NOT_ABOUT_USERS
    }


@pytest.fixture
def registry() -> UserDataRegistry:
    return user_data_registry(Settings(), CommentHooks())


def test_every_table_with_a_user_column_is_exported_and_forgotten_by_a_registered_part(
    registry,
):
    assert uncovered(metadata, registry) == {}, (
        "register these tables' export and forget in a user_data.py of their module "
        "(forum.accounts.user_data explains how), and add the part in forum.app"
    )


def test_the_scan_finds_a_new_table_that_names_a_user(registry):
    scratch = MetaData()
    Table("users", scratch, Column("id", Integer, primary_key=True))
    Table(
        "wishlists",
        scratch,
        Column("id", Integer, primary_key=True),
        Column("owner_id", ForeignKey("users.id")),
    )
    Table("shouts", scratch, Column("id", Integer, primary_key=True), Column("email", String))
    Table("articles_read", scratch, Column("id", Integer, primary_key=True))
    assert uncovered(scratch, registry) == {"wishlists": ["owner_id"], "shouts": ["email"]}


def test_every_table_a_part_claims_exists(registry):
    assert registry.tables <= set(metadata.tables)


def test_the_export_has_exactly_the_parts_of_format_version_1(db, make_user, registry):
    user = make_user("someone")
    assert set(registry.export(db, user.id)) == set(SECTIONS)
    document = export_user(db, user.id, registry, base_url="https://forum.example")
    assert list(document) == ["format", "version", "generated_at", "site", *SECTIONS]


class Part:
    """A registrant that records what it is asked."""

    def __init__(self, name: str, keys: tuple[str, ...], calls: list[str]) -> None:
        self.name = name
        self.tables = (f"{name}_table",)
        self.keys = keys
        self.calls = calls

    def export(self, session: Any, user_id: int, *, current_login: str | None = None) -> Document:
        return dict.fromkeys(self.keys, user_id)

    def forget(self, session: Any, user_id: int, *, keep_comments: bool) -> None:
        self.calls.append(f"{self.name}:{keep_comments}")


def test_parts_forget_in_reverse_order_so_the_first_registered_goes_last():
    calls: list[str] = []
    registry = UserDataRegistry()
    for name in ("accounts", "comments", "privacy"):
        registry.register(Part(name, (name,), calls))
    registry.forget(None, 7, keep_comments=True)  # type: ignore[arg-type] - no database needed
    assert calls == ["privacy:True", "comments:True", "accounts:True"]
    assert registry.export(None, 7) == {"accounts": 7, "comments": 7, "privacy": 7}  # type: ignore[arg-type] - no database needed
    assert registry.tables == {"accounts_table", "comments_table", "privacy_table"}


def test_a_name_or_an_export_key_cannot_be_taken_twice():
    registry = UserDataRegistry()
    registry.register(Part("comments", ("comments",), []))
    with pytest.raises(ValueError, match="twice"):
        registry.register(Part("comments", ("other",), []))
    registry.register(Part("echo", ("comments",), []))
    with pytest.raises(ValueError, match="already taken"):
        registry.export(None, 1)  # type: ignore[arg-type] - no database needed
