"""Shared fixtures: a clean database per test on SQLite, and again on PostgreSQL when
``FORUM_TEST_POSTGRES_URL`` is set; the app and a test client over it.

A set ``FORUM_TEST_POSTGRES_URL`` / ``FORUM_TEST_REDIS_URL`` whose server cannot be reached
stops the run with an error: it never skips.
"""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from forum import schema
from forum.articles.models import Article
from forum.articles.service import ArticleInput, save_article
from forum.db import Database, metadata, normalize_url
from forum.settings import Settings
from tests.app_slots import Slot, Slots
from tests.app_slots import provided as provided  # how tests reach an app's collaborators

POSTGRES_URL = os.environ.get("FORUM_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("FORUM_TEST_REDIS_URL", "")
DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def _shared_dir() -> Path:
    """``../shared`` (the corpus and the seed): beside this checkout, else beside the repository
    it was cloned from (a CI clone in a temporary folder), unless ``FORUM_TEST_SHARED_DIR`` says.

    Read from there, never copied into the repository.
    """
    if os.environ.get("FORUM_TEST_SHARED_DIR"):
        return Path(os.environ["FORUM_TEST_SHARED_DIR"])
    checkout = Path(__file__).resolve().parents[1]
    beside = checkout.parent / "shared"
    if beside.is_dir():
        return beside
    origin = subprocess.run(
        ["git", "-C", str(checkout), "config", "--get", "remote.origin.url"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if origin and "://" not in origin and ":" not in origin.split("/")[0]:
        candidate = (checkout / origin).resolve().parent / "shared"
        if candidate.is_dir():
            return candidate
    return beside


SHARED_DIR = _shared_dir()
TEST_SECRET = "test-secret-key-" + "x" * 32


def pytest_sessionstart(session: pytest.Session) -> None:
    """Fail the run at once when a configured test server cannot be reached."""
    if POSTGRES_URL:
        try:
            engine = create_engine(normalize_url(POSTGRES_URL))
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            engine.dispose()
        except Exception as exc:
            pytest.exit(f"FORUM_TEST_POSTGRES_URL is set but unreachable: {exc}", returncode=3)
    if REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
        except Exception as exc:
            pytest.exit(f"FORUM_TEST_REDIS_URL is set but unreachable: {exc}", returncode=3)


FAST_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_cost": 1024, "argon2_parallelism": 1}
"""Cheap hashing for tests; tests of the production parameters set their own."""

LOOSE_RATE_LIMITS = {
    f"limit_{name}_burst": 10_000
    for name in ("comments", "reports", "registrations", "mails", "tokens")
}
"""Every client of a test is ``testclient``: rate limits that no ordinary test reaches (a test of
a limit sets its own through ``settings_overrides``)."""


def make_settings(database_url: str, var_dir: Path, **overrides: Any) -> Settings:
    """Settings for a test: its own var dir, a fixed secret, fast hashing.

    On PostgreSQL the test also uses Redis (when ``FORUM_TEST_REDIS_URL`` is set), with its
    own key prefix: the "at scale" profile; on SQLite the embedded file store.
    """
    values: dict[str, Any] = {**FAST_ARGON2, **LOOSE_RATE_LIMITS}
    if REDIS_URL and database_url.startswith("postgresql"):
        values.update(redis_url=REDIS_URL, redis_prefix=f"forum-test-{uuid.uuid4().hex[:12]}")
    values.update(overrides)
    return Settings(var_dir=var_dir, database_url=database_url, secret_key=TEST_SECRET, **values)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy."""
    directory = tmp_path_factory.mktemp("sqlite-template")
    path = directory / "forum.db"
    schema.upgrade(make_settings(f"sqlite:///{path}", directory))
    return path


def create_postgres_database(prefix: str = "forum_test") -> str:
    """A new, empty PostgreSQL database on the test server; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalize_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(normalize_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL database for this run, migrated once; tests truncate it."""
    url = create_postgres_database()
    schema.upgrade(make_settings(url, tmp_path_factory.mktemp("pg")))
    yield url
    drop_postgres_database(url)


def _truncate_postgres(url: str) -> None:
    engine = create_engine(normalize_url(url))
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def slots(tmp_path_factory: pytest.TempPathFactory) -> Slots:
    """This worker's apps, one per settings shape (``tests/app_slots.py``)."""
    return Slots(tmp_path_factory.mktemp("slots"))


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, slots: Slots) -> str:
    """A clean, migrated database for one test (parametrized: SQLite, PostgreSQL): this
    worker's one, restored from the template (SQLite) or truncated (PostgreSQL)."""
    slots.dispose_all()
    if request.param == "sqlite":
        path = slots.base / "forum.db"
        fresh = path.with_suffix(".fresh")
        shutil.copyfile(request.getfixturevalue("sqlite_template"), fresh)
        for leftover in (path.with_suffix(".db-wal"), path.with_suffix(".db-shm")):
            leftover.unlink(missing_ok=True)
        os.replace(fresh, path)  # a new file: a connection somebody forgot keeps the old one
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_template")
    _truncate_postgres(url)
    return url


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module (or with ``@pytest.mark.parametrize``) to change settings."""
    return {}


@pytest.fixture
def slot(database_url: str, settings_overrides: dict[str, Any], slots: Slots) -> Slot:
    """The slot of this test's settings shape, emptied of the test before."""
    return slots.settings_for(database_url, settings_overrides, make_settings, REDIS_URL)


@pytest.fixture
def settings(slot: Slot) -> Settings:
    return slot.settings


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    database = Database(settings.effective_database_url)
    yield database
    database.dispose()


@pytest.fixture
def db(database: Database) -> Iterator[Session]:
    """A session for arranging and checking data; commit explicitly to make writes visible."""
    session = database.new_session()
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def app(slot: Slot) -> Iterator[Litestar]:
    """The forum, shared with earlier tests of the same settings shape but holding nothing of
    theirs; its database connections are closed afterwards even when a test drives it without
    its lifespan (an ASGI transport of its own)."""
    yield slot.app_for_a_test()
    slot.dispose()


@pytest.fixture
def client(app: Litestar, settings: Settings) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, base_url=settings.base_url) as test_client:
        yield test_client


@pytest.fixture
def make_article(database: Database) -> Callable[..., Article]:
    """Create (and commit) an article; keyword arguments override the defaults."""
    counter = iter(range(1, 1_000_000))

    def factory(**fields: Any) -> Article:
        n = next(counter)
        values: dict[str, Any] = {
            "title": f"Article number {n}",
            "author_name": "Janine",
            "submitted_at": datetime(2003, 4, 15, 9, 12, tzinfo=UTC),
            "body": f"Body of article {n}.",
        }
        values.update(fields)
        with database.session(write=True) as session:
            article, _ = save_article(session, ArticleInput(**values))
        return article

    return factory


def shared_corpus(name: str) -> Path:
    """A file of ``../shared/corpus``. Absent in CI is an error; elsewhere the test skips."""
    path = SHARED_DIR / "corpus" / name
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"corpus file {path} is missing")
        pytest.skip(f"corpus file {name} is not beside the project")
    return path


class SmtpServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 with an ephemeral port, collecting mail.

    ``messages`` holds every message received, parsed; ``wait_for(n)`` waits until n have
    arrived. ``stop()`` and ``start()`` take it down and up again on the same port. With
    ``users`` (name → password) it offers SMTP AUTH and notes each login in ``logins``.
    """

    def __init__(self, *, users: dict[str, str] | None = None, **controller_options: Any) -> None:
        self.host = "127.0.0.1"
        self.port = 0
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        """(MAIL FROM, RCPT TO) of each message."""
        self.logins: list[str] = []
        """The user of each successful AUTH."""
        self.refused: set[str] = set()
        """Recipients to refuse with 550, as a server refuses unknown mailboxes."""
        self._users = users or {}
        if users:
            controller_options.setdefault("authenticator", self._authenticate)
        self._options = controller_options
        self._controller: Controller | None = None
        self._arrived = threading.Condition()

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def start(self) -> None:
        controller = _EphemeralPortController(
            self, hostname=self.host, port=self.port, **self._options
        )
        controller.start()
        self.port = controller.port
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The first ``count`` messages, once they have arrived; fails after ``timeout`` s."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.messages) >= count, timeout):
                pytest.fail(f"expected {count} messages within {timeout} s, got {self.messages}")
            return self.messages[:count]

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        """aiosmtpd's hook: refuse the addresses in ``refused``, accept the rest."""
        if address in self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """aiosmtpd's hook: keep the message."""
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(cast(EmailMessage, message))
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        """aiosmtpd's authenticator: accept ``users``, note each login."""
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode()
        if self._users.get(login) != auth_data.password.decode():
            return AuthResult(success=False, handled=False)
        self.logins.append(login)
        return AuthResult(success=True)


class _EphemeralPortController(Controller):
    """aiosmtpd's Controller, learning the port the OS chose for port 0 before its self-test."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextmanager
def serve_smtp(
    *, users: dict[str, str] | None = None, **controller_options: Any
) -> Iterator[SmtpServer]:
    """Run an ``SmtpServer`` for the block; options go to aiosmtpd's Controller (e.g. TLS)."""
    server = SmtpServer(users=users, **controller_options)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback. To send a test's mail there, override in the module::

    @pytest.fixture
    def settings_overrides(smtp_server):
        return {"smtp_url": smtp_server.url}
    """
    with serve_smtp() as server:
        yield server


# --- accounts -------------------------------------------------------------------------------

DEFAULT_PASSWORD = "a long enough passphrase"


@pytest.fixture
def make_user(database: Database, settings: Settings) -> Callable[..., Any]:
    """Create (and commit) a user; returns it. ``role`` and ``verified`` as keywords."""
    from forum.accounts.models import Role
    from forum.accounts.passwords import Passwords, make_hasher
    from forum.accounts.service import Registration, register

    passwords = Passwords(
        make_hasher(
            settings.argon2_time_cost, settings.argon2_memory_cost, settings.argon2_parallelism
        )
    )

    def factory(
        username: str = "reader",
        *,
        email: str | None = None,
        password: str = DEFAULT_PASSWORD,
        role: Role = Role.READER,
        verified: bool = True,
        display_name: str = "",
    ) -> Any:
        with database.session(write=True) as session:
            user = register(
                session,
                passwords,
                Registration(
                    username=username,
                    email=email or f"{username}@example.org",
                    password=password,
                    display_name=display_name,
                ),
            )
            user.role = role
            if verified:
                user.email_verified_at = datetime.now(UTC)
        return user

    return factory


class AuthActions:
    """What a person does with their browser: fetch a form, post it, log in and out."""

    def __init__(self, client: TestClient[Litestar]) -> None:
        self.client = client

    def csrf_token(self) -> str:
        # Over https the cookie is "__Host-forum_csrf".
        cookies = self.client.cookies
        token = cookies.get("forum_csrf") or cookies.get("__Host-forum_csrf")
        if not token:
            self.client.get("/login")
            token = cookies.get("forum_csrf") or cookies.get("__Host-forum_csrf")
        assert token, "the site sets a CSRF cookie on a GET"
        return token

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """A form post with the page's CSRF token, as a browser sends it."""
        form = {"_csrf_token": self.csrf_token(), **(data or {})}
        return self.client.post(url, data=form, follow_redirects=False, **kwargs)

    def login(
        self, login: str = "reader", password: str = DEFAULT_PASSWORD, *, remember: bool = False
    ) -> Any:
        data = {"login": login, "password": password}
        if remember:
            data["remember"] = "on"
        return self.post("/login", data)

    def logout(self) -> Any:
        return self.post("/logout")

    def api_headers(self) -> dict[str, str]:
        return {"x-csrftoken": self.csrf_token()}


@pytest.fixture
def auth(client: TestClient[Litestar]) -> AuthActions:
    return AuthActions(client)


# --- comments -------------------------------------------------------------------------------


@pytest.fixture
def hooks() -> Any:
    """The comment hooks the ``post`` fixture uses: publish everything, no listeners."""
    from forum.comments.hooks import CommentHooks

    return CommentHooks()


@pytest.fixture
def post(database: Database, hooks: Any) -> Callable[..., Any]:
    """Post a comment as ``user`` (a User row, or None for anonymous) and commit it."""
    from forum.accounts.current import CurrentUser
    from forum.comments import service

    def write(
        article: Any, user: Any, body: str = "A comment.", parent: Any = None, **kwargs: Any
    ) -> Any:
        with database.session(write=True) as session:
            author = CurrentUser.of(user, via="session") if user is not None else None
            return service.post_comment(
                session,
                hooks,
                article=article,
                author=author,
                request=service.PostRequest(
                    body=body, parent_id=parent.id if parent is not None else None, **kwargs
                ),
                anonymous_allowed=True,
                close_after_days=0,
            )

    return write
