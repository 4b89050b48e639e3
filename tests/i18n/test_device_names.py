"""Where one is logged in is said in the reader's language: the stored English device name
("Firefox on Linux") is read back into its parts, product names kept, the words translated."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from forum.accounts.devices import describe_client, device_name
from forum.i18n import use_language
from tests.i18n.conftest import speaking

FIREFOX_ON_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def german_devices() -> Iterator[None]:
    with speaking(
        "de",
        {
            "A browser": "Ein Browser",
            "A browser on %(system)s": "Ein Browser unter %(system)s",
            "%(browser)s on %(system)s": "%(browser)s unter %(system)s",
        },
    ):
        yield


@pytest.mark.parametrize(
    ("agent", "english", "german"),
    [
        (FIREFOX_ON_LINUX, "Firefox on Linux", "Firefox unter Linux"),
        ("SomeBot/1.0 (Windows NT 10.0)", "A browser on Windows", "Ein Browser unter Windows"),
        ("SomeBot/1.0", "A browser", "Ein Browser"),
        ("curl/8.5.0", "curl", "curl"),
    ],
)
def test_a_device_is_stored_in_english_and_said_in_the_readers_language(
    agent, english, german, german_devices
):
    stored = describe_client(agent)
    assert stored == english
    assert device_name(stored) == english
    with use_language("de"):
        assert device_name(stored) == german


def test_a_name_we_did_not_make_is_shown_as_it_is(german_devices):
    with use_language("de"):
        assert device_name("Netscape on BeOS") == "Netscape on BeOS"
        assert device_name(None) == "Ein Browser"


def test_the_account_page_names_the_device_in_german(
    client: Any, auth: Any, make_user: Any, german_devices: None
):
    make_user("janine")
    client.headers["user-agent"] = FIREFOX_ON_LINUX
    auth.login("janine")
    page = client.get("/account", headers={"accept-language": "de"})
    assert page.status_code == 200
    assert "Firefox unter Linux" in page.text
    assert "Firefox on Linux" not in page.text
