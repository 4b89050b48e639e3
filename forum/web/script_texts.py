"""The words our scripts say, in the reader's language, handed to them by the page.

Our JavaScript has no catalogue of its own: ``base.html`` renders these texts into one
``<script type="application/json" id="forum-texts">`` block (data, never run, so the CSP is
content) and each script reads what it needs, falling back to its English when the block is
missing. A count's text is given once per CLDR plural category of the language (``one``,
``few``, ``other``…), with ``{num}`` left for the script, which picks the category with
``Intl.PluralRules`` and writes the number with ``Intl.NumberFormat``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from babel import Locale, UnknownLocaleError

from forum.i18n import current_language, gettext, ngettext

NUM = "{num}"
"""What a script replaces with the number in a count's text."""

_SAMPLES = (*range(1, 200), 0, 1_000_000)
"""Numbers tried for one of each plural category: 1 before 0 (French says both "one"), and
``many`` in French is a million."""


@cache
def _plural_samples(language: str) -> tuple[tuple[str, int], ...]:
    """One number of each CLDR plural category of ``language``: ``(("one", 1), ("other", 0))``."""
    try:
        rule = Locale.parse(language).plural_form
    except (UnknownLocaleError, ValueError):
        rule = Locale.parse("en").plural_form
    found: dict[str, int] = {}
    for n in _SAMPLES:
        found.setdefault(rule(n), n)
    return tuple(found.items())


def _forms(text: Callable[[int], str]) -> dict[str, str]:
    """``text(n)`` for a number of each plural category of the current language."""
    return {category: text(n) for category, n in _plural_samples(current_language())}


def script_texts() -> dict[str, str | dict[str, str]]:
    """Every text our scripts show, translated now (a key per text; see each script)."""
    return {
        # thread.js: the reply form opened in place under a comment
        "reply_label": gettext("Your reply"),
        # Translators: verb, the button that sends a reply
        "reply_button": gettext("Post reply"),
        "cancel": gettext("Cancel"),
        "just_now": gettext("just now"),
        "fold_rail_plain": gettext("Fold the thread of %(name)s", name="{name}"),
        "fold_rail": _forms(
            # Translators: the fold line beside a thread of replies, read by screen readers
            lambda n: ngettext(
                "Fold the thread of %(name)s (%(num)s comment)",
                "Fold the thread of %(name)s (%(num)s comments)",
                n,
                num=NUM,
                name="{name}",
            )
        ),
        "fold_rail_at_least": _forms(
            lambda n: ngettext(
                "Fold the thread of %(name)s (at least %(num)s comment)",
                "Fold the thread of %(name)s (at least %(num)s comments)",
                n,
                num=NUM,
                name="{name}",
            )
        ),
        # live.js: comments others posted while the page was open
        "live_news": _forms(
            lambda n: ngettext(
                "%(num)s new comment — show", "%(num)s new comments — show", n, num=NUM
            )
        ),
        # compose.js: comment forms sent in place
        "dismiss": gettext("Dismiss"),
        "try_again": gettext("That did not work. Your text is still here: please try again."),
        "preview_ready": gettext("The preview is below your text. Nothing is posted yet."),
        # mentions.js: @name suggestions
        "mention_list": gettext("People to mention"),
        "mention_added": gettext("%(name)s added.", name="{name}"),
        "mention_found": _forms(
            lambda n: ngettext(
                "%(num)s person to mention: Up and Down to pick, Enter to choose.",
                "%(num)s people to mention: Up and Down to pick, Enter to choose.",
                n,
                num=NUM,
            )
        ),
        # consent.js: the cookie banner's forms sent in the background
        "consent_retry": gettext("That did not work. Trying again without JavaScript…"),
    }
