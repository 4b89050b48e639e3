"""Canonical page URLs and origins: one spelling per page, so one page gets one thread.

A page URL is normalised (README, "Comments on your own site"): scheme and host in lower case,
the default port (80 for http, 443 for https) and any user name dropped, an empty path becomes
``/`` and a trailing slash is dropped elsewhere, tracking parameters (``utm_*``, ``fbclid``,
``gclid`` …) dropped, the remaining query parameters sorted, the fragment dropped. Normalising
twice changes nothing.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from forum.errors import Invalid
from forum.i18n import format_number, gettext

URL_MAX = 2000
DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
    }
)
"""Query parameters that say how a reader arrived, never which page it is (``utm_*`` too)."""
PATH_SAFE = "/%:@!$&'()*+,;=-._~"
ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
BAD_ESCAPE = re.compile(r"%(?![0-9a-fA-F]{2})")


def _tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in TRACKING


def _host(scheme: str, hostname: str | None, port: int | None) -> str:
    if not hostname or any(ch.isspace() for ch in hostname):
        raise ValueError("no host")
    host = f"[{hostname}]" if ":" in hostname else hostname
    if port is not None and port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    return host


def _parts(value: str, field: str) -> tuple[str, str, str, str, str]:
    """The URL split, with scheme and host checked and normalised, or ``Invalid``."""
    text = value.strip()
    if not text or len(text) > URL_MAX or any(ord(ch) < 32 or ch == "\\" for ch in text):
        raise Invalid({field: _not_a_url(value, field)})
    try:
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS:
            raise ValueError("scheme")
        host = _host(scheme, parts.hostname, parts.port)
    except ValueError:
        raise Invalid({field: _not_a_url(value, field)}) from None
    return scheme, host, parts.path, parts.query, parts.fragment


def _not_a_url(value: str, field: str) -> str:
    shown = repr(value[:80])
    if field == "origins":
        return gettext("%(value)s is not an origin (http:// or https://)", value=shown)
    return gettext("%(value)s is not a web address (http:// or https://)", value=shown)


def _path(path: str) -> str:
    path = BAD_ESCAPE.sub("%25", path)
    path = quote(path, safe=PATH_SAFE)
    path = ESCAPE.sub(lambda m: m.group(0).upper(), path)
    path = path.rstrip("/")
    return path or "/"


def _query(query: str) -> str:
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not _tracking(k)]
    return urlencode(sorted(pairs), quote_via=quote)


def canonical_url(value: str, field: str = "url") -> str:
    """The page's canonical URL (see the module's docstring), or ``Invalid`` for ``field``."""
    scheme, host, path, query, _fragment = _parts(value, field)
    url = urlunsplit((scheme, host, _path(path), _query(query), ""))
    if len(url) > URL_MAX:
        raise Invalid(
            {field: gettext("is longer than %(max)s characters", max=format_number(URL_MAX))}
        )
    return url


def origin(value: str) -> str:
    """``scheme://host[:port]`` in lower case without a default port, or ``Invalid``: an
    origin has no path, query, fragment or user name (a trailing ``/`` alone is forgiven)."""
    scheme, host, path, query, fragment = _parts(value, "origins")
    userinfo = "@" in value.split("//", 1)[-1].split("/", 1)[0]
    if path not in {"", "/"} or query or fragment or userinfo or value.strip().endswith(("?", "#")):
        raise Invalid(
            {
                "origins": gettext(
                    "%(value)s must be scheme://host[:port] only, no path",
                    value=repr(value.strip()[:80]),
                )
            }
        )
    return f"{scheme}://{host}"


def origin_of(url: str) -> str:
    """The origin of a canonical URL (or of any http(s) URL)."""
    scheme, host, _path, _query, _fragment = _parts(url, "url")
    return f"{scheme}://{host}"
