"""A checker for rendered user content: parses the HTML as a browser would and looks at the
real elements and attributes (escaped text that merely looks like markup is harmless)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

COMMENT_TAGS = {"p", "br", "em", "strong", "a", "blockquote", "code", "pre", "ul", "ol", "li"}
SAFE_SCHEMES = ("http://", "https://", "mailto:")
SAME_SITE = re.compile(r"^(/(?![/\\])|#)[!-~]*$")
"""A path on this site or a fragment, printable ASCII only: never ``//host`` nor ``/\\host``
(browsers read both as another host), never a backslash anywhere."""


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    handle_startendtag = handle_starttag


def dangers(html: str, allowed_tags: set[str] = COMMENT_TAGS) -> list[str]:
    """What in ``html`` could run script or load something: empty when harmless."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    found: list[str] = []
    for tag, attrs in collector.elements:
        if tag not in allowed_tags:
            found.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "src", "srcset", "formaction"}:
                found.append(f"attribute {name} on <{tag}>")
            if name == "href":
                url = (value or "").strip().lower()
                relative = SAME_SITE.match(value or "") and "\\" not in (value or "")
                if not url.startswith(SAFE_SCHEMES) and not relative:
                    found.append(f"href {value!r}")
    return found


def assert_harmless(html: str, allowed_tags: set[str] = COMMENT_TAGS) -> None:
    problems = dangers(html, allowed_tags)
    assert not problems, f"{problems} in {html!r}"
