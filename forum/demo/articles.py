"""The demo's articles: the seed article our users know (shipped in this package, so a user's
machine needs no ``shared/`` folder) and a handful written for this project."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from forum.articles.importer import parse_article_file
from forum.articles.service import ArticleInput

UTC = ZoneInfo("UTC")
SEED_FILE = Path(__file__).parent / "what-do-we-mean-by-socialism.md"
"""The old site's article as it was published, without the old site's cookie notice."""
SEED_SLUG = "what-do-we-mean-by-socialism-october-1917"


def seed_article(tz: ZoneInfo) -> ArticleInput:
    """The seed article; its byline's 9:12 is read in ``FORUM_TIMEZONE``, as imports are."""
    return replace(parse_article_file(SEED_FILE, tz), language="en")


OTHER_ARTICLES = [
    ArticleInput(
        language="en",
        title="A reading list for the long winter",
        author_name="Tomasz",
        submitted_at=datetime(2011, 12, 3, 18, 40, tzinfo=UTC),
        body=(
            "Short days are good for long books. Here are five we keep coming back to:\n\n"
            "1. a history of the co-operative movement\n"
            "2. a memoir of a dock strike\n"
            "3. an economics primer without equations\n"
            "4. a novel about a mining village\n"
            "5. a collection of pamphlets from the 1840s\n\n"
            "What would you add? One book each, and *why*."
        ),
    ),
    ArticleInput(
        language="en",
        title="Notes from the allotment committee",
        author_name="Priya",
        submitted_at=datetime(2018, 5, 21, 7, 5, tzinfo=UTC),
        body=(
            "The committee met on Thursday. Water butts are to be shared between plots 4 to 9, "
            "the tool shed gets a new lock, and the autumn seed swap moves to the first "
            "Saturday of October.\n\n"
            "Minutes are pinned to the shed door as usual. Comments and objections below, please."
        ),
    ),
    ArticleInput(
        language="en",
        title="Housing: what a tenants' union can and cannot do",
        author_name="Marcus",
        submitted_at=datetime(2021, 9, 2, 21, 30, tzinfo=UTC),
        body=(
            "A tenants' union cannot change the law on its own. It can make a landlord answer "
            "letters, get repairs done, and stop one tenant from being picked off at a time.\n\n"
            "We collected what worked in three buildings last year: a shared repair log, "
            "a phone tree, and a standing rule that nobody meets the agent alone.\n\n"
            "Read the full notes at <https://example.org/tenants> and add your own experience."
        ),
    ),
    ArticleInput(
        language="en",
        title="Open thread: introduce yourself",
        author_name="Janine",
        submitted_at=datetime(2024, 1, 8, 12, 0, tzinfo=UTC),
        body=(
            "New here? Say hello. Tell us where you are, what you read, and what you hope to "
            "find in these threads.\n\n"
            "Please keep it kind: replies are threaded, so answer the person, not the room."
        ),
    ),
    ArticleInput(
        language="en",
        title="Why this site asks before it sets a cookie",
        author_name="The editors",
        submitted_at=datetime(2026, 11, 1, 8, 15, tzinfo=UTC),
        body=(
            "This site sets only the cookies it needs to work until you say otherwise. "
            "Preferences and first-party page counts are off until you switch them on, "
            "and you can change your mind at any time on the cookie settings page.\n\n"
            "We load nothing from other sites: no fonts, no scripts, no trackers."
        ),
    ),
]
