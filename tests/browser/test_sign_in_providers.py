"""Signing in with an OpenID Connect provider in Chromium: the login form's redirect to the
provider (another origin) passes our CSP's form-action, the first visit picks a username,
/account lists and unlinks the provider; axe-core finds nothing serious on the new pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import describe, violations
from tests.identity.provider import CLIENT_ID, CLIENT_SECRET, ProviderState, provider_app
from tests.serving import serving


@pytest.fixture(scope="module")
def provider() -> Iterator[ProviderState]:
    state = ProviderState()
    with serving(provider_app(state)) as url:
        state.issuer = url
        yield state


@pytest.fixture
def live_overrides(provider: ProviderState) -> dict[str, Any]:
    provider.reset()
    providers = [
        {
            "name": "test",
            "issuer": provider.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "label": "Test ID",
        }
    ]
    return {"oidc_providers": json.dumps(providers)}


@pytest.mark.parametrize("width", [390, 1280])
def test_a_first_sign_in_with_a_provider_in_the_browser(
    live_server, provider, page, axe_source, width
):
    provider.person.subject = f"browser-{width}"
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/login")
    page.get_by_role("button", name="Sign in with Test ID").click()
    page.wait_for_url(f"{live_server.url}/login/welcome")
    assert page.get_by_label("Username").input_value() == "alice"
    assert not violations(page, axe_source), describe(violations(page, axe_source))
    screenshot(page, f"sign-in-welcome-{width}")
    page.get_by_label("Username").fill(f"alice_{width}")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(live_server.url + "/account")
    section = page.locator("section", has=page.get_by_role("heading", name="Sign in with other"))
    assert "Test ID (alice@example.org)" in section.inner_text()
    assert "your only way in" in section.inner_text()
    assert not violations(page, axe_source), describe(violations(page, axe_source))
    section.scroll_into_view_if_needed()
    screenshot(page, f"sign-in-account-{width}")
