"""How dates and numbers read on our pages and in our mails, in the reader's language.

English keeps the byline our users know ("15 April, 2003 - 9:12"); every other language gets
its own natural long date and short time from Babel (CLDR). The language is ``forum.i18n``'s
current one, so a mail sent with ``use_language`` dates itself in the recipient's language.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_datetime_format

from forum.i18n import SOURCE_LANGUAGE, current_language

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def english_byline_date(moment: datetime, tz: ZoneInfo) -> str:
    """``15 April, 2003 - 9:12``: day without a leading zero, English month, 24-hour clock.

    Written by hand rather than with ``strftime`` so the month never follows the server's locale,
    and rather than with Babel because CLDR's English is not the form our readers know.
    """
    local = moment.astimezone(tz)
    return f"{local.day} {MONTHS[local.month - 1]}, {local.year} - {local.hour}:{local.minute:02d}"


def _long_date(day: date, language: str) -> str:
    """Babel's long date, with the first of the month as French writes it (``1er mai``: CLDR
    has no ordinal there)."""
    written = format_date(day, "long", locale=language)
    if language == "fr" and day.day == 1 and written.startswith("1 "):
        return "1er" + written[1:]
    return written


def localized_date(moment: datetime, tz: ZoneInfo, language: str) -> str:
    """The long date and short time as ``language`` writes them (``15. April 2003, 09:12``)."""
    local = moment.astimezone(tz)
    pattern = get_datetime_format("long", locale=language)
    return (
        str(pattern)
        .replace("'", "")
        .replace("{1}", _long_date(local.date(), language))
        .replace("{0}", format_time(local, "short", tzinfo=tz, locale=language))
    )


def byline_date(moment: datetime, tz: ZoneInfo) -> str:
    """``moment`` in the site's time zone, written as the current language writes a date."""
    language = current_language()
    if language == SOURCE_LANGUAGE:
        return english_byline_date(moment, tz)
    return localized_date(moment, tz, language)


def long_date(day: date) -> str:
    """A day without a time (a policy's effective date): ``5 March 2026`` / ``5. März 2026``.

    English is written by hand like the byline (the server's locale never chooses the month);
    every other language gets Babel's long date.
    """
    language = current_language()
    if language == SOURCE_LANGUAGE:
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return _long_date(day, language)


def iso_datetime(moment: datetime) -> str:
    """The machine-readable value of a ``<time datetime>`` attribute (UTC, seconds precision)."""
    return moment.isoformat(timespec="seconds")
