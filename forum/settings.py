"""Every setting of the forum, read once from ``FORUM_*`` environment variables.

Tests build ``Settings(...)`` directly; the app and the CLI call ``Settings.from_env(os.environ)``.
How each value is parsed and checked lives in ``forum.settings_checks``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forum.i18n import LANGUAGES
from forum.settings_checks import (
    OidcProvider,
    check_smtp_url,
    check_sqlite_folder,
    image_host_problem,
    parse_bool,
    parse_int,
    parse_oidc_providers,
)
from forum.settings_checks import SettingsError as SettingsError  # re-exported for its callers


@dataclass(frozen=True)
class Settings:
    """The forum's configuration. Each attribute maps to ``FORUM_<NAME>`` in upper case."""

    var_dir: Path = Path("var")
    """Where the embedded defaults keep their files: database, secret key, mail, session store."""
    database_url: str = ""
    """SQLAlchemy URL; empty means ``var/forum.db`` (SQLite). ``postgresql://`` works as given."""
    redis_url: str = ""
    """Redis for sessions, rate limits and caches; empty means a local file store under ``var/``."""
    secret_key: str = field(default="", repr=False)
    """Signs tokens and protects CSRF; empty means generated once and kept in ``var/secret_key``."""
    base_url: str = "http://127.0.0.1:8000"
    """The public address, used in mails and feeds; ``https://`` turns on Secure cookies."""
    debug: bool = False
    """Show tracebacks in error pages. Never in production."""
    site_name: str = "forum"
    """The name in the header, titles and mails."""
    timezone: str = "UTC"
    """The IANA time zone in which dates are shown and naive imported dates are read."""
    language: str = "en"
    """The language of pages for a visitor whose browser asks for none the forum speaks, and of
    mails to readers who chose none (``en``, ``de``, ``fr``, ``es`` or ``ar``)."""
    articles_per_page: int = 20
    """Articles on one page of the front page."""
    article_image_hosts: str = ""
    """Hosts (``host[:port]``, comma-separated) that article images may load from over https;
    added to the Content-Security-Policy. Images from other hosts are shown as links."""
    redis_prefix: str = "forum"
    """Prefix of every Redis key, so several sites (or test runs) can share one Redis."""
    redis_timeout_seconds: int = 2
    """How long connecting to Redis or one Redis reply may take; past it, requests that need
    the session store get 503 with Retry-After (pages without a session keep working)."""
    database_connect_timeout_seconds: int = 5
    """PostgreSQL: how long connecting may take before the request gets 503 (libpq: at least 2)."""
    database_statement_timeout_seconds: int = 15
    """PostgreSQL: a statement running longer is cancelled by the server (503); 0: no limit."""
    database_pool_timeout_seconds: int = 10
    """How long a request waits for a free database connection before it gets 503."""
    sqlite_busy_timeout_seconds: int = 5
    """SQLite: how long a write waits for its turn (one process's writers queue, then the
    processes take turns on the file) before it gets 503."""
    argon2_time_cost: int = 3
    """argon2id passes; the default is argon2-cffi's RFC 9106 low-memory profile."""
    argon2_memory_cost: int = 65536
    """argon2id memory in KiB (RFC 9106 low-memory profile: 64 MiB)."""
    argon2_parallelism: int = 4
    """argon2id lanes (RFC 9106 low-memory profile)."""
    session_idle_minutes: int = 120
    """A browser session without 'remember me' ends after this long without a request."""
    remember_days: int = 30
    """How long 'remember me' keeps someone logged in."""
    login_attempts: int = 5
    """Failed logins allowed per account and per client address within the window."""
    login_window_minutes: int = 15
    """The window in which failed logins are counted."""
    verify_link_hours: int = 48
    """How long an email verification link works."""
    reset_link_minutes: int = 60
    """How long a password reset link works (it works once)."""
    login_link_minutes: int = 15
    """How long a mailed login link works (once): the way in while password logins are
    throttled."""
    login_link_mails: int = 3
    """Login-link mails per account within the login window (more are silently not sent)."""
    comments_per_page: int = 50
    """Top-level comments (each with all its replies) on one page of a thread."""
    comments_page_limit: int = 200
    """At most this many comments on one page of a thread; a thread cut short ends in
    "N more replies", a link to its permalink (loaded in place with JavaScript)."""
    comments_all_limit: int = 5000
    """At most this many comments in the whole-thread JSON (``?all=1``); the rest as "more"."""
    live_max_streams: int = 500
    """Open live-thread event streams one process serves at most (more get 503 and retry)."""
    comment_edit_minutes: int = 15
    """How long authors may edit their own comments (moderators: always)."""
    anonymous_comments: bool = False
    """Let visitors without an account comment under a name (held for moderation)."""
    down_votes: bool = False
    """Let readers vote comments down as well as up ('best' weighs both)."""
    comments_close_after_days: int = 0
    """Close comments automatically this many days after an article's date; 0: never."""
    moderation_min_approved: int = 1
    """Hold a user's comments until this many of theirs are published (admins may change it)."""
    moderation_reports_to_hide: int = 3
    """Reports from different readers that hide a comment until a moderator decides."""
    moderation_max_links: int = 3
    """Hold a comment with more links than this."""
    moderation_min_seconds: int = 3
    """Hold a comment whose form was sent sooner than this after the page was served."""
    moderation_duplicate_minutes: int = 10
    """Hold a comment repeating the author's own text from within this many minutes."""
    moderation_reject_percent: int = 30
    """Hold everything from a user whose comments were rejected more often than this (in %)…"""
    moderation_reject_days: int = 7
    """…over this many days…"""
    moderation_reject_min_decisions: int = 3
    """…once at least this many of their comments were decided."""
    moderation_remind_hours: int = 12
    """Mail opted-in moderators about queue items that have waited longer than this."""
    moderation_all_default: bool = False
    """'Moderate all' for articles without their own choice (admins: for new articles only)."""
    notify_max_per_hour: int = 10
    """Notification mails one person gets at most in any hour; the rest wait for the digest."""
    limit_comments_burst: int = 10
    """Comments and replies one user may post in a row (429 after); moderators are exempt.
    Every limit below: a burst, then a steady rate per hour; a burst of 0 turns it off."""
    limit_comments_per_hour: int = 60
    """…then comments per hour, spread evenly (60: one a minute)."""
    limit_reports_burst: int = 10
    """Reports one user may send in a row…"""
    limit_reports_per_hour: int = 30
    """…then reports per hour."""
    limit_votes_burst: int = 60
    """Votes (cast, changed or taken back) one user may give in a row…"""
    limit_votes_per_hour: int = 300
    """…then votes per hour."""
    limit_registrations_burst: int = 5
    """Registrations from one client address in a row…"""
    limit_registrations_per_hour: int = 10
    """…then registrations per hour from that address."""
    limit_mails_burst: int = 3
    """Password-reset and verification mails to one address (or one account) in a row…"""
    limit_mails_per_hour: int = 6
    """…then such mails per hour to that address."""
    limit_tokens_burst: int = 5
    """Personal access tokens one user may create in a row…"""
    limit_tokens_per_hour: int = 10
    """…then tokens per hour."""
    limit_suggestions_burst: int = 60
    """Username look-ups for @mentions one user may make in a row (one per pause in typing)…"""
    limit_suggestions_per_hour: int = 600
    """…then look-ups per hour."""
    limit_address_factor: int = 4
    """One client address (a household, an office) may do this many times what one user or
    one mailed address may: comments, reports, mails and tokens."""
    smtp_url: str = field(default="", repr=False)
    """SMTP server (``smtp://user:pass@host:587``, ``smtps://…``); empty: ``.eml`` in var/mail."""
    mail_from: str = "forum <noreply@localhost>"
    """The From of every mail the forum sends."""
    mail_worker: bool = True
    """Deliver queued mail from a background task in each app process; off: ``forum mail send``."""
    consent_log_retention_days: int = 1825
    """How long records of consent decisions are kept as proof (5 years); older ones may go."""
    erasure_grace_hours: int = 24
    """How long after someone asks for their account to be deleted it happens; logging in and
    confirming cancels it meanwhile. 0: at once."""
    client_address_retention_days: int = 30
    """Client (IP) addresses kept with comments for abuse control are removed after this many
    days by ``forum privacy purge``."""
    mail_retention_days: int = 7
    """Mail the outbox could not deliver is deleted after this many days by
    ``forum privacy purge`` (it holds addresses and text)."""
    front_cache_ms: int = 1000
    """How long (milliseconds) an article page or JSON thread kept for visitors without a cookie
    may be answered before it is made again; a write in this process makes it stale at once,
    a write in another process shows within this bound. 0: no front cache."""
    access_log: bool = True
    """One JSON line per request on stderr (``forum.access``) and an ``X-Request-ID`` header;
    off when a proxy in front logs requests already."""
    oidc_providers: str = field(default="", repr=False)
    """OpenID Connect providers people may sign in with: a JSON list of objects with ``name``
    (a-z, 0-9, -), ``issuer`` (its https URL), ``client_id`` and ``client_secret``, optional
    ``label`` (the button's text) and ``scopes`` (default ``openid email profile``). Empty:
    none. It holds secrets: set it in the environment, never in a file under version control."""
    oidc_timeout_seconds: int = 5
    """How long one request to an OpenID Connect provider may take; past it the sign-in
    answers 503 with Retry-After (the provider is not answering), never an error page."""

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"FORUM_TIMEZONE is not a known time zone: {self.timezone!r}"
            ) from None
        if self.language not in LANGUAGES:
            raise SettingsError(
                f"FORUM_LANGUAGE must be one of {', '.join(LANGUAGES)}: {self.language!r}"
            )
        if self.articles_per_page < 1:
            raise SettingsError("FORUM_ARTICLES_PER_PAGE must be at least 1")
        if self.notify_max_per_hour < 0:
            raise SettingsError("FORUM_NOTIFY_MAX_PER_HOUR must not be negative")
        for name in (f.name for f in fields(self) if f.name.startswith("limit_")):
            if getattr(self, name) < (1 if name == "limit_address_factor" else 0):
                raise SettingsError(f"FORUM_{name.upper()} is too small")
        for name in (
            "erasure_grace_hours",
            "client_address_retention_days",
            "mail_retention_days",
            "consent_log_retention_days",
            "database_statement_timeout_seconds",
            "front_cache_ms",
        ):
            if getattr(self, name) < 0:
                raise SettingsError(f"FORUM_{name.upper()} must not be negative")
        for name in (
            "live_max_streams",
            "redis_timeout_seconds",
            "database_connect_timeout_seconds",
            "database_pool_timeout_seconds",
            "sqlite_busy_timeout_seconds",
            "oidc_timeout_seconds",
        ):
            if getattr(self, name) < 1:
                raise SettingsError(f"FORUM_{name.upper()} must be at least 1")
        if self.smtp_url:
            check_smtp_url(self.smtp_url)
        if "@" not in parseaddr(self.mail_from)[1]:
            raise SettingsError("FORUM_MAIL_FROM must be an e-mail address, optionally with a name")
        for host in self.image_hosts:
            if problem := image_host_problem(host):
                raise SettingsError(f"FORUM_ARTICLE_IMAGE_HOSTS: {host!r} {problem}")
        check_sqlite_folder(self.database_url, self.var_dir)
        parse_oidc_providers(self.oidc_providers)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``FORUM_*`` variables; unknown variables are ignored."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            name = f"FORUM_{f.name.upper()}"
            if name not in env:
                continue
            raw = env[name]
            if f.type in ("bool", bool):
                values[f.name] = parse_bool(name, raw)
            elif f.type in ("int", int):
                values[f.name] = parse_int(name, raw)
            elif f.type in ("Path", Path):
                values[f.name] = Path(raw)
            else:
                values[f.name] = raw
        return cls(**values)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def https(self) -> bool:
        return self.base_url.lower().startswith("https://")

    @property
    def image_hosts(self) -> frozenset[str]:
        """The hosts of ``FORUM_ARTICLE_IMAGE_HOSTS``, lower case, for the CSP and renderer."""
        return frozenset(
            h.strip().lower() for h in self.article_image_hosts.split(",") if h.strip()
        )

    @property
    def article_image_sources(self) -> frozenset[str]:
        """Where article images may load from: the listed hosts and, over https, our own."""
        own = urlsplit(self.base_url).netloc.lower() if self.https else ""
        return self.image_hosts | ({own} if own else set())

    @property
    def oidc(self) -> tuple[OidcProvider, ...]:
        """The OpenID Connect providers, parsed (checked at start-up)."""
        return parse_oidc_providers(self.oidc_providers)

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to the SQLite file under ``var_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.var_dir / 'forum.db'}"

    def effective_secret_key(self) -> str:
        """The secret key, generated once into ``var/secret_key`` (mode 0600) when not set."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key + "\n")
        return key


def setting_docs() -> dict[str, str]:
    """Each setting's attribute docstring, for ``forum settings`` and the README table."""
    import ast
    import inspect
    from itertools import pairwise

    docs: dict[str, str] = {}
    (definition,) = ast.parse(inspect.getsource(Settings)).body
    assert isinstance(definition, ast.ClassDef)
    for node, nxt in pairwise(definition.body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(nxt, ast.Expr)
            and isinstance(nxt.value, ast.Constant)
        ):
            docs[node.target.id] = str(nxt.value.value)
    return docs
