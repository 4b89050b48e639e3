"""forum.text: the one place that knows which characters no field may hold."""

import xml.etree.ElementTree as ET
from html import escape

import pytest

from forum.text import (
    FieldWords,
    TextProblem,
    clean_line,
    clean_multiline,
    strip_forbidden,
    xml_forbidden,
    xml_forbidden_character,
)

NONCHARACTERS = ["\ufdd0", "\ufdef", "\ufffe", "\uffff", "\U0001fffe", "\U0001ffff", "\U0010ffff"]
WORDS = FieldWords(
    required="Note is required.",
    too_long=lambda limit: f"Note must be at most {limit:,} characters.",
    forbidden="Note contains a character that is not allowed.",
)


def xml_accepts(char: str) -> bool:
    try:
        ET.fromstring(f"<a>{escape(char)}</a>".encode("utf-8", "surrogatepass"))
    except ET.ParseError:
        return False
    return True


def test_every_character_an_xml_parser_refuses_is_forbidden():
    for code in [*range(0x100), *range(0xD7F0, 0xE010), *range(0xFDC0, 0x10000)]:
        char = chr(code)
        if not xml_accepts(char):
            assert xml_forbidden(char), hex(code)


def test_noncharacters_are_forbidden_although_xml_allows_some():
    for char in NONCHARACTERS:
        assert xml_forbidden(char), hex(ord(char))
    for fine in ["\t", "\n", "\r", "a", "é", "\ufffd", "\U0001f600", "\u00a0"]:
        assert not xml_forbidden(fine), repr(fine)


@pytest.mark.parametrize("char", [*NONCHARACTERS, "\x01", "\x1b", "\ud800"])
def test_typed_text_holding_them_is_refused(char):
    with pytest.raises(TextProblem, match="not allowed"):
        clean_multiline(f"before {char} after", field=WORDS, max_length=100)
    with pytest.raises(TextProblem, match="not allowed"):
        clean_line(f"Ann {char} Lee", field=WORDS, max_length=100)


def test_each_problem_is_told_in_the_fields_own_sentence():
    with pytest.raises(TextProblem, match=r"^Note is required\.$"):
        clean_line("   ", field=WORDS, max_length=10)
    with pytest.raises(TextProblem, match=r"^Note must be at most 2,000 characters\.$"):
        clean_multiline("x" * 2001, field=WORDS, max_length=2000)


def test_imported_text_loses_them_and_keeps_the_rest():
    text = "a\x01b\ufffe\r\nc\u202ed\ud800e\U0010ffff\tf\ufdd0g"
    cleaned = strip_forbidden(text)
    assert cleaned == "ab\ncde\tfg"
    assert xml_forbidden_character(cleaned) is None
    assert xml_accepts(cleaned)
