"""HTML from other systems becomes Markdown that our renderer turns back into the same text
and structure, and nothing in a text can turn into markup."""

import html

from hypothesis import given
from hypothesis import strategies as st

from forum.importers.html_text import escape_text, html_to_markdown, wordpress_paragraphs
from forum.web.markdown import article_renderer, comment_renderer, plain_text
from tests.html_safety import assert_harmless

printable = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn")), max_size=200
)


@given(printable)
def test_any_text_survives_the_round_trip_as_text(text):
    markdown = html_to_markdown("<p>" + html.escape(text) + "</p>")
    rendered = comment_renderer.render(markdown)
    assert plain_text(rendered) == " ".join(text.split())
    assert_harmless(rendered)


@given(printable)
def test_escaped_text_never_becomes_markup(text):
    rendered = article_renderer.render(escape_text(" ".join(text.split())))
    assert "<a" not in rendered and "<em" not in rendered and "<img" not in rendered


def test_structure_is_kept():
    source = html_to_markdown(
        "<p>One <b>bold</b>, <i>it</i>, <code>x*y</code>, <a href='https://e.org/a_b'>link</a>"
        "<br>next line</p><blockquote><p>quoted</p></blockquote>"
        "<ul><li>a</li><li>b</li></ul><ol start='3'><li>c</li></ol><pre>if a &lt; b:\n  go()</pre>"
    )
    assert comment_renderer.render(source) == (
        "<p>One <strong>bold</strong>, <em>it</em>, <code>x*y</code>, "
        '<a href="https://e.org/a_b" rel="nofollow ugc noopener">link</a><br>\nnext line</p>\n'
        "<blockquote>\n<p>quoted</p>\n</blockquote>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"
        '<ol start="3">\n<li>c</li>\n</ol>\n<pre><code>if a &lt; b:\n  go()\n</code></pre>'
    )


def test_headings_and_images_only_in_articles():
    fragment = "<h2>Title</h2><p><img src='https://i.example/a.png' alt='pic'></p>"
    assert html_to_markdown(fragment) == "**Title**\n\n[pic](<https://i.example/a.png>)"
    assert html_to_markdown(fragment, article=True) == (
        "## Title\n\n![pic](<https://i.example/a.png>)"
    )


def test_deep_nesting_is_flattened_not_fatal():
    deep = "<blockquote>" * 5000 + "bottom" + "</blockquote>" * 5000
    assert "bottom" in comment_renderer.render(html_to_markdown(deep))


def test_wordpress_line_breaks():
    assert wordpress_paragraphs("one\ntwo\n\nthree") == "<p>one<br>\ntwo</p>\n<p>three</p>"
    assert wordpress_paragraphs("<p>kept</p>\nas is") == "<p>kept</p>\nas is"
