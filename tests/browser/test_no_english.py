"""Issue 16's "Done when": in German, French, Spanish and Arabic the pages a reader and a
moderator use show no English (the front page, an article with its thread, login, registration,
the account, its privacy page, cookie settings and the moderation queue), and Arabic has no
serious axe finding.

The rule, so that it finds English and nothing else: every msgid of ``forum/locale/messages.pot``
is cut at its placeholders and tags (``%(name)s``, ``{{ url }}``, ``<a …>``); each piece of two
words or more is an English phrase of ours. A phrase found (whole words, case as written) in the
visible text of a page — text nodes, plus ``aria-label``, ``title``, ``placeholder``, ``alt`` and
the document's title — is English left on the page, unless some translation of that language
contains the same phrase (the translator kept it: a name, a loan word). People's writing is not
ours to translate and is not scanned: article and comment bodies, titles in lists, names
(``USER_CONTENT``), and any element whose ``lang`` differs from the page's (content tagged with
its own language).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pytest

from forum.i18n import LANGUAGES as FORUM_LANGUAGES
from forum.i18n.catalogues import LOCALE_DIR, catalogue_path
from tests.browser.test_accessibility import describe, violations
from tests.browser.test_journeys import PASSWORD
from tests.browser.test_thread_reading import seed

LANGUAGES = FORUM_LANGUAGES[1:]
"""Every language but English (German, French, Spanish and Arabic)."""
USER_CONTENT = ", ".join(
    [
        "[data-user-content]",  # the marker for anything new that shows what people wrote
        ".article-body",
        ".comment-body",
        ".author",
        ".folded-author",
        ".mention-handle",
        ".site-name",
        ".teaser h2",
        "article.article > h1",
        ".search-results h2",
        "mark",
    ]
)
VISITOR_PAGES = ["/", "/articles/socialism", "/login", "/register", "/cookies"]
MODERATOR_PAGES = ["/", "/articles/socialism", "/account", "/account/privacy", "/moderation"]
_CUT = re.compile(r"%\([A-Za-z_]+\)[sd]|%%|\{\{.*?\}\}|\{%.*?%\}|<[^>]*>|&[a-z]+;|[\n\t]")
_WORD = re.compile(r"[A-Za-z]{2,}")

_VISIBLE_TEXT = """(skip) => {
  const pageLang = document.documentElement.lang;
  const found = [document.title];
  const { FILTER_ACCEPT, FILTER_REJECT, FILTER_SKIP, SHOW_ELEMENT, SHOW_TEXT } = NodeFilter;
  const walker = document.createTreeWalker(document.body, SHOW_ELEMENT | SHOW_TEXT, {
    acceptNode(node) {
      if (node.nodeType === Node.TEXT_NODE) { return FILTER_ACCEPT; }
      if (["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT"].includes(node.tagName)) {
        return FILTER_REJECT;
      }
      if (node.matches(skip)) { return FILTER_REJECT; }
      const lang = node.getAttribute("lang");
      if (lang !== null && lang !== pageLang) { return FILTER_REJECT; }
      const listed = node.tagName === "OPTION" || node.closest("select");
      if (!listed && !node.checkVisibility()) { return FILTER_REJECT; }
      for (const name of ["aria-label", "title", "placeholder", "alt"]) {
        if (node.hasAttribute(name)) { found.push(node.getAttribute(name)); }
      }
      return FILTER_SKIP;
    }
  });
  while (walker.nextNode()) { found.push(walker.currentNode.nodeValue); }
  return found.join("\\n");
}"""


def phrases(msgid: str) -> list[str]:
    """The English pieces of two words or more between a msgid's placeholders and tags."""
    pieces = []
    for part in _CUT.split(msgid):
        piece = " ".join(part.split()).strip(" .,:;!?()[]·—–-“”\"'…/")
        if len(_WORD.findall(piece)) >= 2:
            pieces.append(piece)
    return pieces


@cache
def english_phrases() -> frozenset[str]:
    from babel.messages.pofile import read_po

    with (LOCALE_DIR / "messages.pot").open("rb") as handle:
        catalogue = read_po(handle)
    found: set[str] = set()
    for message in catalogue:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            if msgid:
                found.update(phrases(msgid))
    return frozenset(found)


@cache
def kept_by_translators(language: str) -> str:
    """Every translation of ``language``, in one text (phrases found here are allowed)."""
    from babel.messages.pofile import read_po

    with catalogue_path(language, ".po").open("rb") as handle:
        catalogue = read_po(handle)
    texts = []
    for message in catalogue:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        texts.extend(s for s in strings if s)
    return "\n".join(texts)


def english_in(text: str, language: str) -> list[str]:
    """The English phrases of our catalogue in ``text`` that no translation keeps."""
    flat = " ".join(text.split())
    kept = kept_by_translators(language) if language != "en" else ""
    return sorted(
        phrase
        for phrase in english_phrases()
        if re.search(rf"(?<![A-Za-z]){re.escape(phrase)}(?![A-Za-z])", flat) and phrase not in kept
    )


@dataclass
class Scan:
    found: dict[str, list[str]]
    serious: dict[str, str]


def visible_text(page) -> str:
    return page.evaluate(_VISIBLE_TEXT, USER_CONTENT)


def moderation_queue_has_work(live_server, ids: dict[str, int]) -> None:
    from forum.accounts.models import User
    from forum.moderation.models import Report, Violation

    with live_server.database.session(write=True) as session:
        reader = session.query(User).filter_by(username="cleo").one()
        session.add(Report(comment_id=ids["c2"], reporter_id=reader.id, reason=Violation.SPAM))


def scan(chromium, live_server, language: str, axe_source: str | None) -> Scan:
    """Visit every page of the "Done when" as a visitor, then as the moderator Moss."""
    context = chromium.new_context(locale=language)
    page = context.new_page()
    page.set_default_timeout(10_000)
    result = Scan(found={}, serious={})

    def look(label: str, path: str) -> None:
        page.goto(live_server.url + path)
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == language, f"{path} is not {language}"
        english = english_in(visible_text(page), language)
        if english:
            result.found[label] = english
        if axe_source is not None:
            serious = violations(page, axe_source)
            if serious:
                result.serious[label] = describe(serious)

    try:
        for path in VISITOR_PAGES:
            look(f"visitor {path}", path)
        page.goto(live_server.url + "/login")
        page.locator("#login").fill("moss")
        page.locator("#password").fill(PASSWORD)
        page.locator("form[action='/login'] button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("form[action='/logout']").count() == 1, "the moderator is logged in"
        for path in MODERATOR_PAGES:
            look(f"moderator {path}", path)
    finally:
        context.close()
    return result


def report(result: Scan) -> str:
    lines = [f"{where}: {', '.join(map(repr, p[:12]))}" for where, p in result.found.items()]
    lines += [f"{where}: axe {found}" for where, found in result.serious.items()]
    return "\n".join(lines)


def test_the_rule_finds_our_english_on_an_english_page(live_server, chromium):
    """The scan is not vacuous: on the English pages it finds the catalogue's phrases."""
    ids = seed(live_server)
    moderation_queue_has_work(live_server, ids)
    result = scan(chromium, live_server, "en", None)
    assert set(result.found) == {
        *(f"visitor {p}" for p in VISITOR_PAGES),
        *(f"moderator {p}" for p in MODERATOR_PAGES),
    }
    assert "Cookie settings" in result.found["visitor /"]
    assert all(len(found) >= 3 for found in result.found.values()), report(result)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_is_left_on_the_pages_in_each_language(
    live_server, chromium, axe_source, language
):
    ids = seed(live_server)
    moderation_queue_has_work(live_server, ids)
    result = scan(chromium, live_server, language, axe_source if language == "ar" else None)
    assert not result.found and not result.serious, report(result)


def test_phrases_are_cut_at_placeholders_and_tags():
    assert phrases("Reply to %(name)s") == ["Reply to"]
    assert phrases('Read the <a href="{{ url }}">privacy policy</a> first.') == [
        "Read the",
        "privacy policy",
    ]
    assert phrases("%(num)s comment") == []
    assert phrases("Submitted by %(name)s on %(date)s") == ["Submitted by"]


def test_catalogue_is_there():
    assert (LOCALE_DIR / "messages.pot").exists()
    assert len(english_phrases()) > 100
