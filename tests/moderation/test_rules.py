"""The pure spam rules: links, the block list, repeated text."""

import pytest

from forum.moderation import rules


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("no links here", 0),
        ("see https://example.org", 1),
        ("[x](https://a.example) and <https://b.example> and www.c.example", 3),
        ("http://a http://b ftp://c WWW.d.example", 4),
        ("an email@www.example is not a link", 0),
    ],
)
def test_links_are_counted_as_people_write_them(text, links):
    assert rules.count_links(text) == links


def test_blocked_words_match_whole_words_whatever_the_case():
    words = rules.parse_words("Casino\n  cheap   pills \n\ncasino")
    assert words == ("casino", "cheap pills")
    assert rules.find_blocked_word("Best CASINO online", words) == "casino"
    assert rules.find_blocked_word("buy cheap  pills", words) is None  # phrases keep one space
    assert rules.find_blocked_word("buy cheap pills now", words) == "cheap pills"
    assert rules.find_blocked_word("casinos and occasion", words) is None


def test_blocked_domains_match_the_domain_and_its_subdomains_only():
    domains = rules.parse_domains("https://Spam.example/path\n*.bad.test\nnot a domain\n")
    assert domains == ("spam.example", "bad.test")
    assert rules.find_blocked_domain("go to https://www.spam.example/x", domains) == "spam.example"
    assert rules.find_blocked_domain("visit shop.BAD.test today", domains) == "bad.test"
    assert rules.find_blocked_domain("notspam.example and bad.testing", domains) is None


def test_repeats_ignore_case_and_spacing():
    assert rules.same_text("Hello   World\n", "hello world")
    assert not rules.same_text("hello world", "hello world!")
