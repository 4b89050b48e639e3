"""Realistic rows in every table of a database at whatever revision it is at, and a snapshot
of what must survive a migration: the row count of every table and every foreign-key link.

The rows are made from the reflected schema, so the same code fills the tables of every
revision (no model of an old revision is needed): strings, numbers, times, the values a CHECK
constraint allows, foreign keys pointing at existing rows — every nullable foreign key set, so
that an ``ON DELETE`` rule fired by a table rebuild shows as lost links.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    inspect,
    select,
)

ROWS_PER_TABLE = 6
SKIP_PREFIXES = ("fts_", "alembic_", "sqlite_")
IN_LIST = re.compile(r"""["`]?(\w+)["`]?\s+IN\s*\(([^)]*)\)""", re.IGNORECASE)
ANY_ARRAY = re.compile(r"\(?(\w+)\)?::text\s*=\s*ANY\s*\(+ARRAY\[([^\]]*)\]")
"""How PostgreSQL reports ``col IN (...)``: ``(col)::text = ANY (ARRAY['a'::varchar…])``."""
LANGUAGES: dict[str, tuple[str | None, ...]] = {
    "users": ("de", "ar", None),
    "articles": ("pt-BR", "fr", "de", None),
}
"""Each table's ``language`` values, row by row in turn: tags the search stems (de, fr, ar), one
it keeps as written (pt-BR: the simple configuration) and not said (NULL: English)."""


def user_tables(connection: Connection) -> list[str]:
    names = inspect(connection).get_table_names()
    return sorted(n for n in names if not n.startswith(SKIP_PREFIXES) and "_fts" not in n)


def _allowed_values(connection: Connection, table: str) -> dict[str, list[str]]:
    """Column → the values a ``col IN ('a', 'b')`` CHECK constraint allows (enums)."""
    allowed: dict[str, list[str]] = {}
    for check in inspect(connection).get_check_constraints(table):
        sql = str(check.get("sqltext", ""))
        for column, values in IN_LIST.findall(sql) + ANY_ARRAY.findall(sql):
            allowed[column] = re.findall(r"'([^']*)'", values)
    return allowed


def _value(column: Any, table: str, index: int, allowed: dict[str, list[str]]) -> Any:
    name = column.name
    kind = column.type
    if allowed.get(name):
        return allowed[name][index % len(allowed[name])]
    moment = datetime(2024, 1, 1, 9, 0, tzinfo=UTC) + timedelta(hours=index)
    if isinstance(kind, Boolean):
        return index % 2 == 0
    if isinstance(kind, DateTime):
        return moment if getattr(kind, "timezone", False) else moment.replace(tzinfo=None)
    if isinstance(kind, Date):
        return (moment + timedelta(days=index)).date()
    if isinstance(kind, Integer):
        return index + 1
    if isinstance(kind, Float | Numeric):
        return 0.5 + index
    if isinstance(kind, LargeBinary):
        return f"{table}:{name}:{index}".encode()
    if isinstance(kind, JSON):
        return {"n": index}
    if isinstance(kind, String | Text):
        text = _text_for(name, table, index)
        length = getattr(kind, "length", None)
        return text[:length] if length else text
    return None


def _text_for(name: str, table: str, index: int) -> str:
    if "email" in name:
        return f"person{index}.{table}@example.org"
    if name in {"path", "vancode"}:
        return f"{index:04d}"
    if "url" in name or name == "href":
        return f"https://example.org/{table}/{index}"
    return f"{table} {name} {index} — ünïcode"


def fill_empty_tables(connection: Connection) -> dict[str, int]:
    """Insert ``ROWS_PER_TABLE`` rows into every empty table (parents first); returns how many
    rows each filled table got."""
    meta = MetaData()
    meta.reflect(connection, only=user_tables(connection))
    filled: dict[str, int] = {}
    for table in meta.sorted_tables:
        if connection.execute(select(table).limit(1)).first() is not None:
            continue
        filled[table.name] = _fill(connection, table)
    return filled


def fill_languages(connection: Connection) -> list[str]:
    """Give the rows of each table in ``LANGUAGES`` their languages once its ``language`` column
    exists and is still empty (the step that added it); returns the tables given them."""
    meta = MetaData()
    meta.reflect(connection, only=[t for t in LANGUAGES if t in user_tables(connection)])
    given: list[str] = []
    for name, table in meta.tables.items():
        column = table.columns.get("language")
        if column is None:
            continue
        if connection.execute(select(column).where(column.is_not(None)).limit(1)).first():
            continue
        key = list(table.primary_key.columns)
        ids = connection.execute(select(*key).order_by(*key)).all()
        languages = LANGUAGES[name]
        for index, row in enumerate(ids):
            where = [c == v for c, v in zip(key, row, strict=True)]
            language = languages[index % len(languages)]
            connection.execute(table.update().where(*where).values(language=language))
        given.append(name)
    return given


def _parents(connection: Connection, table: Table) -> dict[str, list[Any]]:
    """Column → ids of existing rows it may point at (single-column foreign keys)."""
    choices: dict[str, list[Any]] = {}
    for fk in table.foreign_keys:
        target = fk.column
        if target.table is table:
            continue
        rows = connection.execute(select(target).order_by(target)).scalars().all()
        choices[fk.parent.name] = list(rows)
    return choices


def _fill(connection: Connection, table: Table) -> int:
    allowed = _allowed_values(connection, table.name)
    parents = _parents(connection, table)
    inserted = 0
    used_keys: set[tuple[Any, ...]] = set()
    for index in range(ROWS_PER_TABLE):
        row: dict[str, Any] = {}
        for column in table.columns:
            if column.primary_key and column.autoincrement is True and column.name == "id":
                continue
            if column.name in parents:
                options = parents[column.name]
                if not options:
                    row[column.name] = None
                    continue
                row[column.name] = options[index % len(options)]
            elif any(fk.column.table is table for fk in column.foreign_keys):
                row[column.name] = None  # self-reference: a top-level row
            else:
                row[column.name] = _value(column, table.name, index, allowed)
        key = tuple(row.get(c.name) for c in table.primary_key.columns)
        if table.primary_key.columns and None not in key and key in used_keys:
            continue  # a composite key of parents that repeats: skip, keep it realistic
        used_keys.add(key)
        if any(row.get(c.name) is None and not c.nullable for c in table.columns if c.name in row):
            continue
        connection.execute(table.insert().values(**row))
        inserted += 1
    return inserted


def snapshot(connection: Connection) -> dict[str, Any]:
    """Row counts of every table, every foreign-key link and the rows' languages (key and
    value, where the column exists), as comparable plain values."""
    meta = MetaData()
    meta.reflect(connection, only=user_tables(connection))
    counts: dict[str, int] = {}
    links: dict[str, list[tuple[Any, ...]]] = {}
    languages: dict[str, list[tuple[Any, ...]]] = {}
    for table in meta.sorted_tables:
        counts[table.name] = len(connection.execute(select(table)).all())
        key = list(table.primary_key.columns) or list(table.columns)[:1]
        if table.name in LANGUAGES and "language" in table.columns:
            rows = connection.execute(select(*key, table.c.language).order_by(*key)).all()
            languages[f"{table.name}.language"] = [tuple(r) for r in rows]
        for fk in table.foreign_keys:
            rows = connection.execute(
                select(*key, fk.parent).where(fk.parent.is_not(None)).order_by(*key)
            ).all()
            links[f"{table.name}.{fk.parent.name}->{fk.column.table.name}"] = [
                tuple(_plain(v) for v in r) for r in rows
            ]
    return {"counts": counts, "links": links, "languages": languages}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
