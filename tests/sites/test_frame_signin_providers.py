"""The frame's sign-in popup with an OpenID Connect provider (the real one on loopback from
tests/identity): every answer of ours on the way keeps the popup's opener, and the reader comes
back to the ticket for the frame."""

from __future__ import annotations

from typing import Any

from tests.identity import conftest as identity
from tests.sites.test_frame_signin import NONCE, popup, ticket_of

provider_server = identity.provider_server
provider = identity.provider
settings_overrides = identity.settings_overrides
sign_in = identity.sign_in

COOP = "cross-origin-opener-policy"


def test_a_new_reader_signs_in_with_a_provider_in_the_popup_and_gets_the_ticket(
    auth: Any, sign_in: Any, make_site: Any
) -> None:
    site = make_site()
    back_here = f"/embed/{site.id}/signin?nonce={NONCE}"
    first = popup(auth.client, site.id)
    assert first.status_code == 303 and first.headers[COOP] == "unsafe-none"
    started = auth.post("/login/oidc/test", {"next": back_here})
    assert started.status_code == 303 and started.headers[COOP] == "unsafe-none"
    returned = auth.client.get(
        sign_in.callback_url(started.headers["location"]), follow_redirects=False
    )
    assert returned.headers["location"] == "/login/welcome"
    assert returned.headers[COOP] == "unsafe-none"
    assert auth.client.get("/login/welcome").headers[COOP] == "unsafe-none"
    welcomed = sign_in.welcome("janine")
    assert welcomed.headers["location"] == back_here
    assert welcomed.headers[COOP] == "unsafe-none"
    assert ticket_of(auth.client.get(back_here))
    assert auth.client.get("/account").headers[COOP] == "same-origin"
