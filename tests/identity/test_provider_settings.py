"""FORUM_OIDC_PROVIDERS is checked at start-up, with messages that say what is wrong."""

from __future__ import annotations

import json

import pytest

from forum.settings import Settings, SettingsError

GOOD = {
    "name": "example",
    "issuer": "https://id.example.org/",
    "client_id": "forum",
    "client_secret": "very-secret-value",
}


def settings_with(*providers: object) -> Settings:
    return Settings.from_env({"FORUM_OIDC_PROVIDERS": json.dumps(list(providers))})


def test_a_provider_is_read_with_its_defaults():
    (provider,) = settings_with(GOOD).oidc
    assert provider.issuer == "https://id.example.org" and provider.label == "example"
    assert provider.scopes == "openid email profile"
    assert "very-secret-value" not in repr(settings_with(GOOD))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"client_secret": ""}, "client_secret is missing"),
        ({"issuer": "http://id.example.org"}, "issuer must be an https:// URL"),
        ({"name": "Not OK"}, "name must be"),
        ({"scopes": "email profile"}, "scopes must include openid"),
        ({"colour": "blue"}, "unknown keys colour"),
    ],
)
def test_a_wrong_provider_stops_the_start_with_a_clear_message(change, message):
    with pytest.raises(SettingsError, match=message) as refused:
        settings_with({**GOOD, **change})
    assert "very-secret-value" not in str(refused.value)


def test_two_providers_need_two_names_and_the_value_must_be_json():
    with pytest.raises(SettingsError, match="its own name"):
        settings_with(GOOD, GOOD)
    with pytest.raises(SettingsError, match="not valid JSON"):
        Settings.from_env({"FORUM_OIDC_PROVIDERS": "{oops"})
