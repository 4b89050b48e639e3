"""Parsing and checking ``FORUM_*`` values: a value the forum cannot use stops it at start-up
with a message naming the variable and the problem (never repeating a secret).

``forum.settings.Settings`` is the one settings object and calls these; they live apart so
that the settings module stays the list of settings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit


class SettingsError(ValueError):
    """A FORUM_* variable holds a value the forum cannot use."""


def parse_bool(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def parse_int(name: str, raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None


_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
IMAGE_HOST_PATTERN = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*(?::[0-9]{{1,5}})?$")


def image_host_problem(host: str) -> str | None:
    """Why ``host`` cannot stand in the CSP's img-src (a scheme, path, wildcard…), or None."""
    if not IMAGE_HOST_PATTERN.match(host):
        return "must be a host name, optionally with :port (no scheme, path or wildcard)"
    return None


SMTP_SCHEMES = frozenset({"smtp", "smtps"})
STARTTLS_MODES = frozenset({"auto", "required"})


def check_smtp_url(url: str) -> None:
    """Refuse an SMTP URL we cannot use; the message never repeats the URL (it holds a password)."""
    name = "FORUM_SMTP_URL"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        raise SettingsError(f"{name} is not a valid URL") from None
    if parts.scheme not in SMTP_SCHEMES:
        raise SettingsError(f"{name} must start with smtp:// or smtps://")
    if not parts.hostname:
        raise SettingsError(f"{name} must name a host")
    starttls = parse_qs(parts.query).get("starttls", ["auto"])
    if len(starttls) != 1 or starttls[0] not in STARTTLS_MODES:
        raise SettingsError(f"{name}: starttls must be auto or required")
    if parts.scheme == "smtps" and starttls[0] == "required":
        raise SettingsError(f"{name}: smtps:// is TLS already; starttls applies to smtp://")


def check_sqlite_folder(url: str, var_dir: Path) -> None:
    """Refuse a SQLite file in a folder that does not exist: a typo in the path would otherwise
    start an empty site beside the real one. Only ``var_dir`` is created on demand."""
    if not url.lower().startswith("sqlite"):
        return
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        database = make_url(url).database
    except ArgumentError:
        raise SettingsError("FORUM_DATABASE_URL is not a database URL") from None
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    folder = Path(database).parent
    if folder.resolve() != var_dir.resolve() and not folder.is_dir():
        raise SettingsError(
            f"FORUM_DATABASE_URL: the folder {folder} does not exist; create it first "
            f"(only {var_dir} is created for you)"
        )


PROVIDER_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class OidcProvider:
    """One OpenID Connect provider of ``FORUM_OIDC_PROVIDERS``."""

    name: str
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    label: str
    scopes: str


def _oidc_provider(index: int, item: Any) -> OidcProvider:
    where = f"FORUM_OIDC_PROVIDERS[{index}]"
    if not isinstance(item, dict):
        raise SettingsError(f"{where} must be an object")
    values = {key: item.get(key, "") for key in ("name", "issuer", "client_id", "client_secret")}
    for key, value in values.items():
        if not isinstance(value, str) or not value.strip():
            raise SettingsError(f"{where}: {key} is missing (a non-empty string)")
    unknown = set(item) - {*values, "label", "scopes"}
    if unknown:
        raise SettingsError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    if not PROVIDER_NAME.match(values["name"]):
        raise SettingsError(f"{where}: name must be 1-32 of a-z, 0-9 and -")
    issuer = urlsplit(values["issuer"])
    local = issuer.scheme == "http" and issuer.hostname in LOOPBACK_HOSTS
    if not (issuer.scheme == "https" or local) or not issuer.hostname or issuer.query:
        raise SettingsError(f"{where}: issuer must be an https:// URL without a query")
    label, scopes = item.get("label") or values["name"], item.get("scopes") or ""
    if not isinstance(label, str) or not isinstance(scopes, str):
        raise SettingsError(f"{where}: label and scopes must be strings")
    words = scopes.split() or ["openid", "email", "profile"]
    if "openid" not in words:
        raise SettingsError(f"{where}: scopes must include openid")
    return OidcProvider(
        name=values["name"],
        issuer=values["issuer"].rstrip("/"),
        client_id=values["client_id"],
        client_secret=values["client_secret"],
        label=label.strip()[:60],
        scopes=" ".join(words),
    )


def parse_oidc_providers(raw: str) -> tuple[OidcProvider, ...]:
    """The providers of ``FORUM_OIDC_PROVIDERS`` (JSON), or ``SettingsError`` saying what is
    wrong (never repeating a secret)."""
    if not raw.strip():
        return ()
    try:
        items = json.loads(raw)
    except ValueError:
        raise SettingsError("FORUM_OIDC_PROVIDERS is not valid JSON (a list of objects)") from None
    if not isinstance(items, list):
        raise SettingsError("FORUM_OIDC_PROVIDERS must be a JSON list of objects")
    providers = tuple(_oidc_provider(i, item) for i, item in enumerate(items))
    names = [p.name for p in providers]
    if len(set(names)) != len(names):
        raise SettingsError("FORUM_OIDC_PROVIDERS: each provider needs its own name")
    return providers
