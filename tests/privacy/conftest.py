"""Privacy tests: helpers to read cookies off responses and to act as a second device."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from forum.accounts.models import Role
from forum.accounts.user_data import UserDataRegistry
from forum.app import user_data_registry
from forum.privacy import policies
from forum.privacy.consent import CONSENT_COOKIE, ConsentCodec, Decision
from forum.privacy.models import ConsentRecord, PolicyKind
from tests.conftest import TEST_SECRET, AuthActions

codec = ConsentCodec(TEST_SECRET)


def set_cookies(response: Any) -> dict[str, str]:
    """The cookies a response sets (or deletes), by name: the whole Set-Cookie header."""
    return {
        header.split("=", 1)[0].strip(): header
        for header in response.headers.get_list("set-cookie")
    }


def consent_of(client: TestClient[Any]) -> Decision | None:
    """The decision the browser's consent cookie holds."""
    return codec.decode(client.cookies.get(CONSENT_COOKIE))


def age_consent_cookie(client: TestClient[Any], by: timedelta) -> None:
    """Make the browser's decision look ``by`` older, as if made earlier."""
    decision = consent_of(client)
    assert decision is not None
    client.cookies.set(
        CONSENT_COOKIE,
        codec.encode(replace(decision, decided_at=decision.decided_at - by)),
        domain="127.0.0.1",
    )


def has_banner(html: str) -> bool:
    return 'aria-label="Cookie consent"' in html


def consent_log(database: Any) -> list[ConsentRecord]:
    with database.session() as session:
        return list(session.scalars(select(ConsentRecord).order_by(ConsentRecord.id)))


@pytest.fixture
def choose(auth: AuthActions) -> Callable[..., Any]:
    """Post a choice to /cookies as a form without JavaScript does."""

    def post(choice: str, source: str = "banner", **fields: str) -> Any:
        return auth.post("/cookies", {"choice": choice, "source": source, **fields})

    return post


@pytest.fixture
def second_device(client: TestClient[Any]) -> Iterator[Callable[[], AuthActions]]:
    """Another browser on the same site: its own cookie jar, sharing the running app (and
    its lifespan) with ``client``."""
    clients: list[TestClient[Any]] = []

    def open_device() -> AuthActions:
        device = TestClient(client.app, base_url=str(client.base_url))
        device.blocking_portal = client.blocking_portal
        clients.append(device)
        return AuthActions(device)

    yield open_device
    for device in clients:
        del device.blocking_portal


@pytest.fixture
def publish(database: Any) -> Callable[..., int]:
    """Publish a new version of a policy that applies today; returns its number."""

    def factory(kind: PolicyKind, source: str = "A new version.") -> int:
        with database.session(write=True) as session:
            row = policies.publish_policy(
                session, kind, source=source, effective_on=policies.today_utc(), by_user_id=None
            )
            return row.version

    return factory


@pytest.fixture
def user_data(settings: Any, hooks: Any) -> UserDataRegistry:
    """The user-data registry as ``create_app`` and ``forum privacy purge`` build it, with the
    ``post`` fixture's comment hooks."""
    return user_data_registry(settings, hooks)


@pytest.fixture
def admin(make_user: Callable[..., Any]) -> Any:
    return make_user("boss", role=Role.ADMIN)
