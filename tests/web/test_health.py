"""Liveness and readiness: what a load balancer asks before sending traffic."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from forum.app import create_app
from forum.app import factory as app_module
from forum.settings import Settings
from forum.web import health


@pytest.fixture
def client_with_store_check(settings: Settings, monkeypatch) -> Iterator[TestClient]:
    """An app whose shared store (Redis in production) answers no to the readiness check."""
    make_stores = app_module.make_stores

    async def store_down() -> bool:
        return False

    def stores_with_failing_check(settings: Settings):
        registry, _ = make_stores(settings)
        return registry, store_down

    monkeypatch.setattr(app_module, "make_stores", stores_with_failing_check)
    with TestClient(create_app(settings), base_url=settings.base_url) as client:
        yield client


def test_readiness_fails_when_the_database_cannot_be_reached(client, monkeypatch):
    monkeypatch.setattr(health, "_database_ready", lambda database: False)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["database"] is False


def test_readiness_asks_the_shared_store_when_there_is_one(client_with_store_check):
    response = client_with_store_check.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "store": False}


def test_readiness_checks_the_apps_own_database_and_store(client, app, settings):
    """The probe runs ``SELECT 1`` on the database the app was given (and pings Redis when
    there is one), both provided by dependency injection, not read from app.state."""
    assert "database" not in app.state and "store_check" not in app.state
    expected = {"database": True, **({"store": True} if settings.redis_url else {})}
    assert client.get("/readyz").json() == {"status": "ok", "checks": expected}
