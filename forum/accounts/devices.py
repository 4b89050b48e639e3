"""Which device a login came from, stored in one language and said in the reader's.

``logins.client`` keeps the English form made at login ("Firefox on Linux", "A browser"), as it
always has (no migration, and the data export stays as it was). The account page reads it back
into its parts and says it through the catalogue: names of products stay as they are, the words
around them are translated.
"""

from __future__ import annotations

from forum.i18n import gettext

BROWSERS = [
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
]
SYSTEMS = [
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iOS"),
    ("Windows", "Windows"),
    ("Mac OS", "macOS"),
    ("Linux", "Linux"),
]
UNKNOWN_BROWSER = "A browser"
"""The stored form for a browser we do not recognise (also the msgid that says it)."""
_KNOWN_BROWSERS = frozenset(name for _, name in BROWSERS)
_KNOWN_SYSTEMS = frozenset(name for _, name in SYSTEMS)


def describe_client(user_agent: str) -> str:
    """The stored, English name of the device: 'Firefox on Linux', 'A browser on Windows'."""
    browser = next((name for key, name in BROWSERS if key in user_agent), UNKNOWN_BROWSER)
    system = next((name for key, name in SYSTEMS if key in user_agent), "")
    return f"{browser} on {system}" if system else browser


def device_name(stored: str | None) -> str:
    """The stored name said in the current language; a form we did not make is shown as is."""
    if not stored or stored == UNKNOWN_BROWSER:
        # Translators: a login whose browser is unknown, in the list of where one is logged in
        return gettext("A browser")
    browser, on, system = stored.rpartition(" on ")
    if not on or system not in _KNOWN_SYSTEMS:
        return stored
    if browser == UNKNOWN_BROWSER:
        # Translators: an unknown browser on a known system ("Linux", "iOS")
        return gettext("A browser on %(system)s", system=system)
    if browser in _KNOWN_BROWSERS:
        # Translators: a browser on a system, both product names ("Firefox on Linux")
        return gettext("%(browser)s on %(system)s", browser=browser, system=system)
    return stored
