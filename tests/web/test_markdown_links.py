"""Links that work: bare URLs become links, same-site paths keep their href, external links are
marked nofollow, and none of it opens a way for script (the public XSS corpus, and random
mixtures of it with links and mentions)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.web.markdown import article_renderer, comment_renderer
from tests.conftest import shared_corpus
from tests.html_safety import assert_harmless
from tests.web.test_markdown import corpus_payloads

EXTERNAL_REL = "nofollow ugc noopener"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs))


def links(html: str) -> list[dict[str, str | None]]:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.links


def assert_links_marked(html: str) -> None:
    """Every link that leaves the site is nofollow; every same-site one is not."""
    for link in links(html):
        href = link.get("href") or ""
        if href.startswith(("/", "#")):
            assert "nofollow" not in (link.get("rel") or ""), html
        elif href:
            assert link.get("rel") == EXTERNAL_REL, html


def test_a_bare_url_becomes_an_external_link():
    html = comment_renderer.render("Read https://example.org/a?b=1&c=2 first.")
    assert links(html) == [{"href": "https://example.org/a?b=1&c=2", "rel": EXTERNAL_REL}]
    assert ">https://example.org/a?b=1&amp;c=2</a> first." in html


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("www.example.org/page", "http://www.example.org/page"),
        ("<https://example.org/x>", "https://example.org/x"),
        ("write to ann@example.org", "mailto:ann@example.org"),
    ],
)
def test_addresses_that_say_they_are_links_are_linked(source, href):
    (link,) = links(comment_renderer.render(source))
    assert link["href"] == href and link["rel"] == EXTERNAL_REL


@pytest.mark.parametrize("source", ["I changed settings.py", "example.com", "ftp://example.org/f"])
def test_words_with_dots_and_other_schemes_stay_text(source):
    html = comment_renderer.render(source)
    assert links(html) == [] and source.split()[-1] in html


def test_a_long_url_is_shortened_in_the_text_but_not_in_the_href():
    url = "https://example.org/" + "/".join(f"section-{n}" for n in range(12)) + "/the-end.html"
    html = comment_renderer.render(f"See {url}")
    (link,) = links(html)
    assert link["href"] == url
    shown = re.search(r">([^<]*)</a>", html).group(1)
    assert len(shown) <= 60 and "…" in shown
    assert shown.startswith("https://example.org/section-0") and shown.endswith("the-end.html")


def test_an_explicit_link_keeps_the_text_its_author_wrote():
    url = "https://example.org/" + "x" * 100
    html = comment_renderer.render(f"[the report]({url})")
    assert f'<a href="{url}" rel="{EXTERNAL_REL}">the report</a>' in html


@pytest.mark.parametrize("href", ["/terms", "/articles/socialism#comment-3", "#comment-3"])
def test_same_site_links_keep_their_href_and_are_followed(href):
    (link,) = links(comment_renderer.render(f"[here]({href})"))
    assert link == {"href": href}


def test_policies_and_articles_keep_same_site_links_too():
    html = article_renderer.render("Read the [Terms](/terms) and https://example.org.")
    assert '<a href="/terms">Terms</a>' in html
    assert '<a href="https://example.org" rel="noopener">' in html


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        "///evil.example",
        "relative/path",
        "file:///etc/passwd",
    ],
)
def test_links_to_scripts_other_hosts_and_page_relative_paths_lose_the_link(href):
    html = comment_renderer.render(f"[click me]({href}) and <{href}>")
    assert all(
        not (link.get("href") or "").startswith(("java", "data", "vb", "//", "rel", "file"))
        for link in links(html)
    ), html
    assert "click me" in html
    assert_harmless(html)


def test_a_backslash_path_cannot_become_another_host():
    (link,) = links(comment_renderer.render("[x](/\\evil.example)"))
    assert link["href"] == "/%5Cevil.example"


LINKISH = st.sampled_from(
    [
        "https://example.org/a",
        "www.example.org",
        "[t](/terms)",
        "[t](//evil.example)",
        "[t](javascript:alert(1))",
        "<javascript:alert(1)>",
        "@bob",
        "@ann_",
        "ann@example.org",
        "`code @bob`",
        "[**@bob**](#x)",
        " ",
        "\n",
        "*",
        "_",
        "<",
        '"',
        "'",
        ")",
        "]",
    ]
)


def corpus_strategy() -> st.SearchStrategy[str]:
    payloads = corpus_payloads()
    for line in shared_corpus("bad_inputs.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry.get("kind") == "text":
            payloads.append(entry["value"])
    pieces = st.one_of(st.sampled_from(payloads), LINKISH, st.text(max_size=20))
    return st.lists(pieces, min_size=1, max_size=6).map("".join)


MENTIONABLE = {"bob": "/users/bob", "ann_": "/users/ann_"}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus_strategy())
def test_corpus_mixed_with_links_and_mentions_renders_harmless(source):
    for html in (
        comment_renderer.render(source),
        comment_renderer.render(source, mentions=MENTIONABLE),
    ):
        assert_harmless(html)
        assert_links_marked(html)
    assert_harmless(
        article_renderer.render(source),
        allowed_tags={"p", "br", "em", "strong", "a", "blockquote", "code", "pre", "ul", "ol"}
        | {"li", "h1", "h2", "h3", "h4", "h5", "h6", "hr"},
    )


def test_every_corpus_payload_keeps_its_links_marked():
    for payload in corpus_payloads():
        html = comment_renderer.render(payload, mentions=MENTIONABLE)
        assert_harmless(html)
        assert_links_marked(html)


# --- @mentions (which users may be linked is the caller's word: ``mentions``) -----------------


def test_a_mention_the_caller_allows_links_the_profile_without_nofollow():
    html = comment_renderer.render("Thanks @Bob, and @carol.", mentions={"bob": "/users/bob"})
    assert '<a href="/users/bob" class="mention">@Bob</a>, and @carol.' in html


def test_mentions_in_code_links_and_addresses_are_not_mentions():
    source = "`@bob` [ask @bob](/x) bob@example.org"
    assert comment_renderer.mentioned_names(source) == []
    html = comment_renderer.render(source, mentions={"bob": "/users/bob"})
    assert 'class="mention"' not in html


def test_mentioned_names_lists_each_name_once_in_order():
    source = "@carol and @bob_2, then @Carol again; **@dan-x** too"
    assert comment_renderer.mentioned_names(source) == ["carol", "bob_2", "dan-x"]


def test_articles_have_no_mentions():
    assert article_renderer.mentioned_names("@bob") == []
    assert "mention" not in article_renderer.render("@bob", mentions={"bob": "/users/bob"})
