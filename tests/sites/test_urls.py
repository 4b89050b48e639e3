"""A page has one canonical URL however readers arrive at it, and an origin is an origin."""

from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forum.errors import Invalid
from forum.sites.urls import canonical_url, origin

HOST = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,10}(\.[A-Za-z]{2,5}){1,2}", fullmatch=True)
SEGMENT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")).filter(
        lambda ch: ch not in "/?#\\"
    ),
    max_size=8,
)
PARAM = st.text(alphabet="abcXYZ_-=&+%é", min_size=1, max_size=6)


@st.composite
def page_urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "Https"]))
    port = draw(st.sampled_from(["", ":80", ":443", ":8080"]))
    path = "/".join(draw(st.lists(SEGMENT, max_size=4)))
    pairs = draw(st.lists(st.tuples(PARAM, PARAM), max_size=4))
    query = "&".join(f"{k}={v}" for k, v in pairs)
    fragment = draw(st.sampled_from(["", "#comments", "#"]))
    return f"{scheme}://{draw(HOST)}{port}/{path}{'?' + query if query else ''}{fragment}"


@settings(max_examples=300, deadline=None)
@given(page_urls())
def test_normalising_twice_changes_nothing(url):
    once = canonical_url(url)
    assert canonical_url(once) == once


@settings(max_examples=200, deadline=None)
@given(page_urls())
def test_the_canonical_url_has_no_fragment_no_default_port_and_a_lower_case_host(url):
    parts = urlsplit(canonical_url(url))
    assert parts.scheme in {"http", "https"} and parts.fragment == ""
    assert parts.netloc == parts.netloc.lower()
    assert not parts.netloc.endswith({"http": ":80", "https": ":443"}[parts.scheme])
    assert parts.path == "/" or not parts.path.endswith("/")


@settings(max_examples=200, deadline=None)
@given(page_urls(), st.sampled_from(["utm_source=news", "fbclid=x1", "gclid=y", "UTM_Medium=a"]))
def test_tracking_parameters_never_make_a_second_page(url, tracking):
    base = url.split("#", 1)[0]
    joiner = "&" if "?" in base else "?"
    assert canonical_url(f"{base}{joiner}{tracking}") == canonical_url(base)


@pytest.mark.parametrize(
    ("given_url", "expected"),
    [
        (
            "HTTPS://Blog.Example:443/posts/Hello/?utm_source=x&b=2&a=1&fbclid=z#comments",
            "https://blog.example/posts/Hello?a=1&b=2",
        ),
        ("http://blog.example", "http://blog.example/"),
        ("http://blog.example:8080/a/", "http://blog.example:8080/a"),
        ("https://reader:pw@blog.example/a", "https://blog.example/a"),
        ("https://blog.example/a b?q=x y", "https://blog.example/a%20b?q=x%20y"),
    ],
)
def test_examples_from_the_readme(given_url, expected):
    assert canonical_url(given_url) == expected


@pytest.mark.parametrize(
    "bad", ["", "blog.example/a", "ftp://blog.example/", "https:///a", "https://a b/", "x" * 2001]
)
def test_what_is_not_a_web_address_is_refused(bad):
    with pytest.raises(Invalid) as caught:
        canonical_url(bad)
    assert "url" in caught.value.errors


@pytest.mark.parametrize(
    ("given_origin", "expected"),
    [
        ("https://Blog.Example", "https://blog.example"),
        ("http://blog.example:80/", "http://blog.example"),
        ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),
    ],
)
def test_an_origin_is_kept_in_one_spelling(given_origin, expected):
    assert origin(given_origin) == expected


@pytest.mark.parametrize(
    "bad",
    ["https://blog.example/blog", "https://blog.example?x=1", "https://me@blog.example", "blog"],
)
def test_an_origin_with_more_than_scheme_host_and_port_is_refused(bad):
    with pytest.raises(Invalid) as caught:
        origin(bad)
    assert "scheme://host[:port]" in caught.value.errors["origins"] or "origin" in str(caught.value)
