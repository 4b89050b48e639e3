"""User text becomes harmless HTML: public XSS payloads and random input alike."""

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forum.web.markdown import article_renderer, comment_renderer, teaser
from tests.conftest import shared_corpus
from tests.html_safety import assert_harmless


def corpus_payloads() -> list[str]:
    lines = shared_corpus("xss_payloads.txt").read_text(encoding="utf-8").splitlines()
    payloads = [line for line in lines if line and not line.startswith("#")]
    for line in shared_corpus("xss_payloads_multiline.jsonl").read_text().splitlines():
        payloads.append(json.loads(line)["value"])
    return payloads


def test_every_public_xss_payload_renders_harmless():
    payloads = corpus_payloads()
    assert len(payloads) > 400
    for payload in payloads:
        assert_harmless(comment_renderer.render(payload))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>\"'=/:&;#[]()!*_`\n abcjsvript")), max_size=80))
def test_random_markup_soup_renders_harmless(source):
    assert_harmless(comment_renderer.render(source))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_renders_without_error_and_keeps_its_words(source):
    html = comment_renderer.render(source)
    assert_harmless(html)
    for word in re.findall(r"[A-Za-z]{4,}", source)[:5]:
        assert word in html


def test_supported_markdown_subset():
    html = comment_renderer.render(
        "**bold** _em_ `code`\n\n> quote\n\n- one\n- two\n\n1. first\n\n```\nblock\n```\n\n"
        "[link](https://example.org) line\nbreak"
    )
    for fragment in [
        "<strong>bold</strong>",
        "<em>em</em>",
        "<code>code</code>",
        "<blockquote>",
        "<ul>",
        "<ol>",
        "<pre><code>block",
        '<a href="https://example.org" rel="nofollow ugc noopener">link</a>',
        "line<br>",
    ]:
        assert fragment in html


def test_raw_html_and_images_are_not_passed_through():
    html = comment_renderer.render('<b>bold</b> ![x](https://example.org/x.png) <a href="x">a</a>')
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert "<img" not in html


@pytest.mark.parametrize(
    "scheme", ["javascript:alert(1)", "vbscript:x", "data:text/html,x", "ftp://x"]
)
def test_only_web_and_mail_links_survive(scheme):
    html = comment_renderer.render(f"[click]({scheme})")
    assert "href=" not in html or 'href="ftp' not in html
    assert_harmless(html)


def test_articles_may_use_headings():
    assert "<h2>Part two</h2>" in article_renderer.render("## Part two")


def test_teaser_cuts_long_text_at_a_word():
    text = teaser("<p>" + "word " * 200 + "</p>", limit=50)
    assert text.endswith("…") and len(text) <= 51
