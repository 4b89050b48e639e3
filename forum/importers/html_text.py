"""HTML from other comment systems, turned into Markdown that our one renderer turns back into
the same paragraphs, emphasis, links, quotes, lists and code.

The HTML is first cut down by the nh3 allowlist (scripts, styles, event handlers and unsafe
URLs are gone before we look at it); then each element becomes its Markdown construct and all
text is escaped, so nothing in a text can turn into markup. The result is stored as the
comment's source and rendered by ``forum.web.markdown`` like any comment, so imported comments
are exactly as safe as ours and can be edited like them.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

from forum.web.markdown import LINK_SCHEMES

BLOCK_TAGS = frozenset(
    {"p", "div", "blockquote", "ul", "ol", "li", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
)
KEPT_TAGS = BLOCK_TAGS | {"br", "em", "i", "strong", "b", "a", "code", "img", "span"}
VOID_TAGS = frozenset({"br", "hr", "img"})
MAX_DEPTH = 12
"""Deeper nesting is flattened: no real comment needs it, recursion stays bounded, and the
renderer (markdown-it nests at most 20 levels) must not drop the text below."""

_SPACE = re.compile(r"\s+")
_ALWAYS_ESCAPED = re.compile(r"([\\`*_\[\]<>&])")
_LINE_START = re.compile(r"^(\d*)([#>+=\-|~.)])")
_BLOCKS = r"(?:div|blockquote|ul|ol|li|h[1-6]|hr)"
_BLOCK_OPEN = re.compile(rf"(<{_BLOCKS}\b[^>]*>)", re.IGNORECASE)
_BLOCK_CLOSE = re.compile(rf"(</{_BLOCKS}>|<hr\b[^>]*>)", re.IGNORECASE)
_BLOCK_START = re.compile(rf"^</?{_BLOCKS}\b", re.IGNORECASE)


def escape_text(text: str) -> str:
    """Plain text as Markdown that renders as exactly that text."""
    return _ALWAYS_ESCAPED.sub(r"\\\1", text)


def _escape_line_starts(markdown: str) -> str:
    return "\n".join(_LINE_START.sub(r"\1\\\2", line) for line in markdown.split("\n"))


class _Node:
    __slots__ = ("attrs", "children", "tag")

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[_Node | str] = []


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root", {})
        self.stack = [self.root]
        self.flattened = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k: v or "" for k, v in attrs})
        if tag in VOID_TAGS:
            self.stack[-1].children.append(node)
        elif len(self.stack) > MAX_DEPTH:
            self.flattened += 1
        else:
            self.stack[-1].children.append(node)
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS:
            return
        if self.flattened:
            self.flattened -= 1
        elif len(self.stack) > 1 and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _code_span(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _destination(url: str) -> str:
    return "<" + url.replace("<", "%3C").replace(">", "%3E").replace("\n", "") + ">"


def _raw_text(node: _Node) -> str:
    return "".join(c if isinstance(c, str) else _raw_text(c) for c in node.children)


class _Converter:
    def __init__(self, *, article: bool) -> None:
        self.article = article

    def inline(self, nodes: list[_Node | str]) -> str:
        out: list[str] = []
        for node in nodes:
            if isinstance(node, str):
                out.append(escape_text(_SPACE.sub(" ", node)))
                continue
            tag = node.tag
            if tag == "br":
                out.append("\n")
            elif tag in {"em", "i", "strong", "b"}:
                out.append(self._emphasis(node, "**" if tag in {"strong", "b"} else "*"))
            elif tag == "code":
                text = _SPACE.sub(" ", _raw_text(node))
                out.append(_code_span(text) if text else "")
            elif tag == "a":
                out.append(self._link(node))
            elif tag == "img":
                out.append(self._image(node))
            else:
                out.append(self.inline(node.children))
        return "".join(out)

    def _emphasis(self, node: _Node, marker: str) -> str:
        inner = self.inline(node.children)
        core = inner.strip()
        if not core:
            return inner
        lead = inner[: len(inner) - len(inner.lstrip())]
        trail = inner[len(inner.rstrip()) :]
        return f"{lead}{marker}{core}{marker}{trail}"

    def _link(self, node: _Node) -> str:
        href = node.attrs.get("href", "")
        text = self.inline(node.children).strip()
        if not href:
            return text
        return f"[{text or escape_text(href)}]({_destination(href)})"

    def _image(self, node: _Node) -> str:
        src = node.attrs.get("src", "")
        alt = escape_text(_SPACE.sub(" ", node.attrs.get("alt", "")).strip())
        if not src:
            return alt
        if self.article:
            return f"![{alt}]({_destination(src)})"
        return f"[{alt or escape_text(src)}]({_destination(src)})"

    def paragraph(self, nodes: list[_Node | str]) -> str:
        text = self.inline(nodes)
        lines = [line.strip() for line in text.split("\n")]
        return _escape_line_starts("\n".join(line for line in lines if line))

    def blocks(self, node: _Node) -> str:
        """The children of ``node`` as Markdown blocks separated by blank lines."""
        out: list[str] = []
        pending: list[_Node | str] = []

        def flush() -> None:
            if pending:
                text = self.paragraph(pending)
                if text:
                    out.append(text)
                pending.clear()

        for child in node.children:
            if isinstance(child, str) or child.tag not in BLOCK_TAGS:
                pending.append(child)
                continue
            flush()
            block = self.block(child)
            if block:
                out.append(block)
        flush()
        return "\n\n".join(out)

    def block(self, node: _Node) -> str:
        tag = node.tag
        if tag in {"p", "div", "li"}:
            return self.blocks(node)
        if tag == "blockquote":
            inner = self.blocks(node)
            return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
        if tag in {"ul", "ol"}:
            return self._list(node)
        if tag == "pre":
            text = _raw_text(node).strip("\n")
            longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=0)
            fence = "`" * max(3, longest + 1)
            return f"{fence}\n{text}\n{fence}" if text.strip() else ""
        if tag == "hr":
            return "***" if self.article else ""
        # headings
        text = self.paragraph(node.children).replace("\n", " ")
        if not text:
            return ""
        return f"{'#' * int(tag[1])} {text}" if self.article else f"**{text}**"

    def _list(self, node: _Node) -> str:
        ordered = node.tag == "ol"
        start = node.attrs.get("start", "1")
        number = int(start) if ordered and start.isdigit() and len(start) < 9 else 1
        items: list[str] = []
        for child in node.children:
            if isinstance(child, str):
                if child.strip():
                    items.append(f"- {escape_text(child.strip())}")
                continue
            content = self.blocks(child) if child.tag == "li" else self.block(child)
            marker = f"{number}. " if ordered else "- "
            number += 1
            indent = " " * len(marker)
            lines = content.split("\n") if content else [""]
            body = [marker + lines[0]] + [indent + line if line else "" for line in lines[1:]]
            items.append("\n".join(body))
        return "\n".join(items)


def _sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(KEPT_TAGS),
        attributes={"a": {"href"}, "img": {"src", "alt"}, "ol": {"start"}},
        url_schemes=set(LINK_SCHEMES),
        url_relative="deny",
        link_rel=None,
        strip_comments=True,
    )


def wordpress_paragraphs(text: str) -> str:
    """WordPress's display rule (``wpautop``), in short: blank lines make paragraphs and line
    breaks ``<br>``, around block elements such as headings and lists. Text that already has
    paragraphs, or preformatted parts, is taken as it is."""
    if re.search(r"<\s*(p|pre)\b", text, re.IGNORECASE):
        return text
    normalized = text.replace("\r\n", "\n").replace("\r", "\n")
    normalized = _BLOCK_OPEN.sub(r"\n\n\1", normalized)
    normalized = _BLOCK_CLOSE.sub(r"\1\n\n", normalized)
    out: list[str] = []
    for chunk in re.split(r"\n\s*\n", normalized.strip()):
        chunk = chunk.strip()
        if not chunk:
            continue
        if _BLOCK_START.match(chunk):
            out.append(chunk)
        else:
            out.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    return "\n".join(out)


def html_to_markdown(html: str, *, article: bool = False) -> str:
    """Markdown for an HTML fragment from another system, sanitized first.

    ``article`` keeps headings, rules and images (the article profile); for comments they
    become bold text, nothing and links.
    """
    builder = _TreeBuilder()
    builder.feed(_sanitize(html))
    builder.close()
    return _Converter(article=article).blocks(builder.root).strip()
