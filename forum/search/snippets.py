"""Search snippets as plain text: the engine's fragment of Markdown source, without its marks.

Both engines cut their snippets from the stored Markdown (``body_source``), so a fragment can
carry ``**``, ``[text](url)``, ``> `` or an HTML tag, cut anywhere. Readers see words, so the
marks go (the words stay), then the text is escaped and only our own ``<mark>`` tags are added.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

MARK_START, MARK_END = "\x02", "\x03"
"""What the engines put around a matched term (characters no stored text may hold)."""

_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]*)>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<!--.*?-->", re.DOTALL)
_CUT_TAG = re.compile(r"^(…?)(?:[A-Za-z][\w-]*|[^<>]*?[\"']\s*/?)>|</?[A-Za-z][^<>]*$")
"""A tag the fragment cut in two: its end at the start, its start at the end."""
_LINK = re.compile(r"!?\[([^\[\]]*)\](?:\([^()\s]*(?:\s+\"[^\"]*\")?\)|\[[^\[\]]*\])")
_CUT_LINK_END = re.compile(r"\]\([^()\s]*\)?")
_CUT_LINK_START = re.compile(r"!?\[([^\[\]]*)$")
_BLOCK_MARK = re.compile(
    r"^[ \t]*(?:(?:>[ \t]?)+|#{1,6}[ \t]+|[-*+][ \t]+|\d{1,9}[.)][ \t]+)+", re.MULTILINE
)
_RULE = re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$|^[ \t]*(?:=+|-+)[ \t]*$", re.MULTILINE)
_FENCE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})[^\n]*$", re.MULTILINE)
_EMPHASIS = re.compile(
    r"(?<![\w\\\x02\x03])(?:[*_]+|~~)(?=\S)|(?<=[^\s\\])(?:[*_]+|~~)(?![\w\x02\x03])"
)
"""Emphasis delimiters (not ``_`` inside a word, even one the engine marked, nor a lone ``*``)."""
_CODE = re.compile(r"`+")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_SPACE = re.compile(r"\s+")


def plain_text(fragment: str) -> str:
    """The words of a Markdown fragment, with the engine's match markers kept."""
    text = _FENCE.sub(" ", fragment)
    text = _AUTOLINK.sub(r"\1", text)
    text = _TAG.sub(" ", text)
    text = _CUT_TAG.sub(r"\1 ", text)
    text = _LINK.sub(r"\1", text)
    text = _CUT_LINK_END.sub("", text)
    text = _CUT_LINK_START.sub(r"\1", text)
    text = _RULE.sub(" ", text)
    text = _BLOCK_MARK.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = _CODE.sub("", text)
    text = _ESCAPE.sub(r"\1", text)
    text = html.unescape(text)
    return _SPACE.sub(" ", text).strip()


def highlight(fragment: str) -> Markup:
    """A snippet as safe HTML: plain text, escaped, each matched term in one ``<mark>``."""
    text = plain_text(fragment)
    parts: list[str] = []
    open_mark = False
    for piece in re.split(f"([{MARK_START}{MARK_END}])", text):
        if piece == MARK_START and not open_mark:
            parts.append("<mark>")
            open_mark = True
        elif piece == MARK_END and open_mark:
            parts.append("</mark>")
            open_mark = False
        elif piece not in (MARK_START, MARK_END):
            parts.append(html.escape(piece, quote=False))
    if open_mark:
        parts.append("</mark>")
    return Markup("".join(parts).replace("<mark></mark>", ""))  # noqa: S704 - escaped above
