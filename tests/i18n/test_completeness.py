"""Every shipped language is complete: each message the code and templates say (extracted
afresh, as ``make messages`` does) is in each catalogue, translated (no empty, no fuzzy), with
the language's number of plural forms, and with the msgid's placeholders and HTML tags, so
that no page shows English or breaks. And the committed ``messages.pot`` is the code's: a text
marked without ``make messages`` fails here.

These fail until the translators have finished a language (and after any new text, until it
is translated): that is their purpose.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from forum.i18n import LANGUAGES, SOURCE_LANGUAGE
from forum.i18n.catalogues import LOCALE_DIR, catalogue_path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {"var", "bench", "docs", "tests", "migrations", "node_modules", "build"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")
TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*")
JINJA = re.compile(r"\{\{.*?\}\}")
TRANSLATED = [language for language in LANGUAGES if language != SOURCE_LANGUAGE]

MsgId = str | tuple[str, str]


def _walk_here(path: str) -> bool:
    name = Path(path).name
    return not name.startswith((".", "_")) and name not in SKIPPED_DIRS


@cache
def extracted() -> frozenset[MsgId]:
    """Every message of forum/ and templates/ now, as ``make messages`` extracts them."""
    with (LOCALE_DIR / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: set[MsgId] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=DEFAULT_KEYWORDS, directory_filter=_walk_here
    ):
        if isinstance(message, tuple):
            found.add((message[0], message[1]))
        elif message:
            found.add(message)
    return frozenset(found)


def _read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=language)


def _key(message: Message) -> MsgId:
    return (message.id[0], message.id[1]) if message.pluralizable else message.id  # type: ignore[return-value]


def test_the_committed_template_has_every_message_of_the_code():
    committed = {_key(m) for m in _read(LOCALE_DIR / "messages.pot") if m.id}
    missing = sorted(map(str, extracted() - committed))
    stale = sorted(map(str, committed - extracted()))
    assert (missing, stale) == ([], []), "run `make messages` and commit forum/locale"


def _problems(message: Message, plural_forms: int) -> list[str]:
    """What is wrong with one message of a catalogue (nothing: [])."""
    if message.fuzzy:
        return ["fuzzy (check it, then remove the fuzzy flag)"]
    ids = list(message.id) if message.pluralizable else [message.id]
    forms = list(message.string) if message.pluralizable else [message.string]
    if message.pluralizable and len(forms) != plural_forms:
        return [f"{len(forms)} plural forms, the language has {plural_forms}"]
    if not all(forms):
        return ["not translated"]
    named = {name for msgid in ids for name in PLACEHOLDER.findall(msgid)}
    required = named - {"num"} if message.pluralizable else named
    problems = []
    for form in forms:
        said = set(PLACEHOLDER.findall(form))
        if not required <= said or not said <= named:
            problems.append(f"placeholders {sorted(said)} instead of {sorted(named)}: {form!r}")
        try:
            form % dict.fromkeys(named, 1)
        except (KeyError, ValueError, TypeError) as error:
            problems.append(f"cannot be filled in ({error!r}; a literal % is %%): {form!r}")
        if Counter(TAG.findall(form)) != Counter(TAG.findall(ids[-1])):
            problems.append(f"HTML tags differ from the msgid's: {form!r}")
        if Counter(JINJA.findall(form)) != Counter(JINJA.findall(ids[-1])):
            problems.append(f"{{{{ }}}} differ from the msgid's: {form!r}")
    return problems


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_with_its_placeholders(language: str):
    catalogue = _read(catalogue_path(language), language)
    plural_forms = Catalog(locale=language).num_plurals
    assert catalogue.num_plurals == plural_forms, "the Plural-Forms header is the language's"
    by_key = {_key(m): m for m in catalogue if m.id}
    problems: list[str] = []
    for msgid in sorted(extracted(), key=str):
        message = by_key.get(msgid)
        if message is None:
            problems.append(f"{msgid!r}: missing (run `make messages`)")
            continue
        problems += [f"{msgid!r}: {problem}" for problem in _problems(message, plural_forms)]
    shown = "\n".join(problems[:40])
    assert not problems, f"{language}: {len(problems)} problems, the first ones:\n{shown}"


@pytest.mark.parametrize(
    ("msgid", "string", "wrong"),
    [
        ("Reply to %(name)s", "Antworten an %(nom)s", "placeholders"),
        ("Reply to %(name)s", "Antworten an %(name)s 100 %", "cannot be filled in"),
        ('Read the <a href="%(url)s">policy</a> first.', "Lies die Richtlinie.", "placeholders"),
        ('Read the <a href="%(url)s">policy</a>.', "Lies <b>%(url)s</b>.", "HTML tags"),
        ("Log in", "", "not translated"),
    ],
)
def test_the_check_finds_what_would_break_a_page(msgid: str, string: str, wrong: str):
    message = Message(msgid, string)
    assert any(problem.startswith(wrong) for problem in _problems(message, 2))


def test_the_check_knows_plural_forms_and_the_optional_number():
    arabic = Catalog(locale="ar").num_plurals
    ids = ("%(num)s comment", "%(num)s comments")
    complete = Message(ids, ("لا تعليقات", "تعليق واحد", "تعليقان", *["%(num)s تعليقات"] * 3))
    assert _problems(complete, arabic) == [], "a form may say the number in words"
    assert _problems(Message(ids, ("%(num)s Kommentar", "%(num)s Kommentare")), arabic)
    fuzzy = Message(ids, ("%(num)s Kommentar", "%(num)s Kommentare"), flags=["fuzzy"])
    assert _problems(fuzzy, 2) == ["fuzzy (check it, then remove the fuzzy flag)"]
