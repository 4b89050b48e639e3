"""Pure text rules of spam screening: links, the block list, repeated text.

No database and no settings here, so each rule can be tested on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

LINK = re.compile(r"(?i)(?<![\w.@-])(?:(?:https?|ftp)://|www\.)")
"""The start of a link as people write them; a Markdown link holds one, an autolink one."""

ENTRY_MAX = 100
ENTRIES_MAX = 2000


def count_links(text: str) -> int:
    return len(LINK.findall(text))


def same_text(a: str, b: str) -> bool:
    """Equal once case and whitespace are ignored (a repeat, not a new comment)."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def find_blocked_word(text: str, words: Iterable[str]) -> str | None:
    """The first block-list word or phrase found in ``text`` as whole words, whatever the case."""
    for word in words:
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE):
            return word
    return None


def find_blocked_domain(text: str, domains: Iterable[str]) -> str | None:
    """The first blocked domain mentioned in ``text``, itself or a subdomain, in a link or not."""
    for domain in domains:
        pattern = rf"(?<![\w.-])(?:[\w-]+\.)*{re.escape(domain)}(?![\w-])"
        if re.search(pattern, text, re.IGNORECASE):
            return domain
    return None


def parse_words(raw: str) -> tuple[str, ...]:
    """One entry per line, trimmed, lower-cased, without blanks or repeats."""
    seen: dict[str, None] = {}
    for line in raw.splitlines():
        entry = " ".join(line.split()).casefold()[:ENTRY_MAX]
        if entry:
            seen.setdefault(entry, None)
    return tuple(seen)[:ENTRIES_MAX]


def parse_domains(raw: str) -> tuple[str, ...]:
    """Domains one per line; a pasted URL or ``*.example.org`` counts as its domain."""
    seen: dict[str, None] = {}
    for entry in parse_words(raw):
        host = entry
        if "://" in host:
            host = urlsplit(host).hostname or ""
        host = host.split("/")[0].removeprefix("*.").removeprefix("www.").strip(".")
        if host and "." in host and " " not in host:
            seen.setdefault(host, None)
    return tuple(seen)
