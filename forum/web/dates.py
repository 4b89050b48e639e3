"""How dates read on our pages: the byline our users know, and ISO values for ``<time>``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

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


def byline_date(moment: datetime, tz: ZoneInfo) -> str:
    """``15 April, 2003 - 9:12``: day without a leading zero, English month, 24-hour clock.

    Written by hand rather than with ``strftime`` so the month never follows the server's locale.
    """
    local = moment.astimezone(tz)
    return f"{local.day} {MONTHS[local.month - 1]}, {local.year} - {local.hour}:{local.minute:02d}"


def iso_datetime(moment: datetime) -> str:
    """The machine-readable value of a ``<time datetime>`` attribute (UTC, seconds precision)."""
    return moment.isoformat(timespec="seconds")
