"""What a reader typed, checked, and turned into each engine's query language."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from forum.errors import Invalid
from forum.i18n import N_, gettext, ngettext
from forum.text import forbidden_character

MAX_QUERY = 200
MAX_QUERY_INPUT = 10 * MAX_QUERY
"""What ``?q=`` may carry: more than ``MAX_QUERY``, so that a long query is told why it is
refused (``QueryProblem``) rather than refused by the URL's validation."""
MAX_TERMS = 16
EMPTY_QUERY = N_("Type a word or two to search for.")
_PHRASE = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"\w+", re.UNICODE)


class Kind(StrEnum):
    ALL = "all"
    ARTICLES = "articles"
    COMMENTS = "comments"


class QueryProblem(Invalid):
    """A query we cannot run, worded for the person who typed it (about the field ``q``)."""

    def __init__(self, message: str) -> None:
        super().__init__({"q": message})


@dataclass(frozen=True)
class Terms:
    """Words and quoted phrases; every one must match."""

    phrases: tuple[tuple[str, ...], ...]

    def fts5(self) -> str:
        """An FTS5 MATCH expression with every term quoted, so no input is a syntax error."""
        return " ".join('"' + " ".join(words) + '"' for words in self.phrases)

    def websearch(self) -> str:
        """Input for PostgreSQL's websearch_to_tsquery (which accepts anything)."""
        return " ".join(
            ('"' + " ".join(words) + '"') if len(words) > 1 else words[0] for words in self.phrases
        )


def parse(raw: str) -> Terms:
    """The terms of a query, or ``QueryProblem`` for an empty, overlong or unusable one."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise QueryProblem(gettext(EMPTY_QUERY))
    if len(text) > MAX_QUERY:
        raise QueryProblem(
            ngettext(
                "That search is too long: at most %(num)s character, please.",
                "That search is too long: at most %(num)s characters, please.",
                MAX_QUERY,
            )
        )
    if forbidden_character(text) is not None:
        raise QueryProblem(gettext("That search contains a character that cannot be searched for."))
    phrases: list[tuple[str, ...]] = []
    for phrase in _PHRASE.findall(text):
        words = tuple(w.lower() for w in _WORD.findall(phrase))
        if words:
            phrases.append(words)
    rest = _PHRASE.sub(" ", text)
    phrases.extend((w.lower(),) for w in _WORD.findall(rest))
    if not phrases:
        raise QueryProblem(gettext("Search for words or numbers: punctuation alone finds nothing."))
    return Terms(tuple(phrases[:MAX_TERMS]))
