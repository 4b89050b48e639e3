"""Identity tests sign in through a real OpenID Connect provider on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.identity.provider import CLIENT_ID, CLIENT_SECRET, ProviderState, provider_app
from tests.serving import serving


@pytest.fixture(scope="module")
def provider_server() -> Iterator[ProviderState]:
    state = ProviderState()
    with serving(provider_app(state)) as url:
        state.issuer = url
        yield state


@pytest.fixture
def provider(provider_server: ProviderState) -> ProviderState:
    provider_server.reset()
    return provider_server


@pytest.fixture
def settings_overrides(provider: ProviderState) -> dict[str, Any]:
    providers = [
        {
            "name": "test",
            "issuer": provider.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "label": "Test ID",
        },
        {
            "name": "down",
            "issuer": "http://127.0.0.1:9",
            "client_id": "x",
            "client_secret": "y",
            "label": "Down ID",
        },
    ]
    return {"mail_worker": False, "oidc_providers": json.dumps(providers)}


class SignIn:
    """The browser's trip: our start button, the provider's page, back to our callback."""

    def __init__(self, auth: Any) -> None:
        self.auth = auth

    def to_provider(self, path: str = "/login/oidc/test", next_path: str = "/") -> str:
        started = self.auth.post(path, {"next": next_path})
        assert started.status_code == 303, started.text
        return started.headers["location"]

    def callback_url(self, provider_url: str) -> str:
        answer = httpx.get(provider_url, follow_redirects=False)
        assert answer.status_code == 302, answer.text
        back = urlsplit(answer.headers["location"])
        return f"{back.path}?{back.query}"

    def __call__(self, path: str = "/login/oidc/test", next_path: str = "/") -> Any:
        callback = self.callback_url(self.to_provider(path, next_path))
        return self.auth.client.get(callback, follow_redirects=False)

    def welcome(self, username: str, email: str | None = None) -> Any:
        form = self.auth.client.get("/login/welcome")
        assert form.status_code == 200, form.text
        data = {"username": username}
        if email is not None:
            data["email"] = email
        else:
            data["email"] = _value_of(form.text, "email")
        return self.auth.post("/login/welcome", data)


def _value_of(page: str, name: str) -> str:
    marker = f'name="{name}"'
    start = page.index(marker)
    tag = page[page.rindex("<", 0, start) : page.index(">", start)]
    _, _, rest = tag.partition('value="')
    return rest.partition('"')[0]


@pytest.fixture
def sign_in(auth: Any) -> SignIn:
    return SignIn(auth)
