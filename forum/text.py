"""Checks for text people type: normalization and the characters no field may hold.

NUL bytes, other control characters and bidirectional overrides are refused everywhere: they
break databases (PostgreSQL refuses NUL), logs and the reading order of a page. Characters XML
forbids (C0 controls but tab, newline and CR; lone surrogates; U+FFFE, U+FFFF and the other
noncharacters) are refused in what people type and stripped from what is imported: one of them
in a comment, a name or an article would make the whole Atom feed unreadable. This module is the
one place that knows which characters those are.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from forum.i18n import gettext

# Bidi embeddings/overrides/isolates, which can make text display in a misleading order.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
ALLOWED_CONTROLS_MULTILINE = frozenset("\n\t")


# Characters that render as nothing although Unicode calls them letters or symbols.
BLANK_LOOKALIKES = frozenset("\u115f\u1160\u3164\uffa0\u2800")


class TextProblem(ValueError):
    """Why a piece of text cannot be accepted, worded for the person who typed it."""


@dataclass(frozen=True)
class FieldWords:
    """What to tell a person about one field, as whole sentences (marked with ``N_``).

    Whole sentences rather than a label glued into a template, so that a translator can make
    the words agree ("Le nom est requis", "La note est requise"). ``required`` and
    ``forbidden`` are translated when a problem is raised; ``too_long`` says it for a limit
    (an ``ngettext``: the plural form depends on the number).
    """

    required: str
    too_long: Callable[[int], str]
    forbidden: str


def xml_forbidden(char: str) -> bool:
    """Whether ``char`` cannot stand in an XML document (a feed) or is a noncharacter."""
    code = ord(char)
    if code < 0x20:
        return char not in "\t\n\r"
    if 0xD800 <= code <= 0xDFFF or 0xFDD0 <= code <= 0xFDEF:
        return True
    return code & 0xFFFE == 0xFFFE  # U+FFFE, U+FFFF, U+1FFFE … U+10FFFF


def xml_forbidden_character(text: str) -> str | None:
    """The first character of ``text`` that XML forbids, or None (tab, newline, CR pass)."""
    return next((char for char in text if xml_forbidden(char)), None)


def forbidden_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character ``text`` may not contain, or None."""
    allowed = ALLOWED_CONTROLS_MULTILINE if multiline else frozenset()
    for char in text:
        if char in allowed:
            continue
        if char in BIDI_CONTROLS or xml_forbidden(char):
            return char
        if unicodedata.category(char) in {"Cc", "Cs"}:
            return char
    return None


def strip_forbidden(text: str) -> str:
    """``text`` without the characters no field may hold (for imports, which cannot ask):
    line endings unified, controls but newline and tab, bidi overrides, surrogates and
    noncharacters dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if forbidden_character(ch, multiline=True) is None)


def has_visible_text(text: str) -> bool:
    """Whether ``text`` shows anything: not only spaces, invisible format marks or fillers."""
    for char in text:
        if char.isspace() or char in BLANK_LOOKALIKES:
            continue
        if unicodedata.category(char) in {"Cf", "Mn", "Me", "Zs", "Zl", "Zp", "Cc"}:
            continue
        return True
    return False


def clean_line(text: str, *, field: FieldWords, max_length: int, required: bool = True) -> str:
    """A one-line field: NFKC-normalized, trimmed, inner whitespace folded, checked."""
    value = " ".join(unicodedata.normalize("NFKC", text).split())
    if not has_visible_text(value):
        if required:
            raise TextProblem(gettext(field.required))
        value = ""
    if len(value) > max_length:
        raise TextProblem(field.too_long(max_length))
    if forbidden_character(value) is not None:
        raise TextProblem(gettext(field.forbidden))
    return value


def clean_multiline(text: str, *, field: FieldWords, max_length: int, required: bool = True) -> str:
    """A multi-line field: line endings unified, trailing space trimmed, checked."""
    value = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not has_visible_text(value):
        if required:
            raise TextProblem(gettext(field.required))
        value = ""
    if len(value) > max_length:
        raise TextProblem(field.too_long(max_length))
    if forbidden_character(value, multiline=True) is not None:
        raise TextProblem(gettext(field.forbidden))
    return value
