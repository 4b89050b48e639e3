"""The frame's sign-in popup where the site signs its own readers in (``data-signin-url``):
the popup offers the site's login beside ours, the site's hand-off comes back through our pages
with the popup's opener kept, and the reader gets the frame's ticket. An address on another
origin is never offered as the site's login."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from tests.sites.test_frame_signin import NONCE, PAGE, popup, ticket_of
from tests.sites.test_handoff import signed, welcome

SITE_LOGIN = "https://blog.example/forum-signin"
COOP = "cross-origin-opener-policy"


def framed(client: Any, site: Any, signin: str) -> str:
    query = f"url={quote(PAGE)}&signin={quote(signin, safe='')}"
    return str(client.get(f"/embed/{site.id}/thread?{query}").text)


def test_the_popup_offers_the_sites_login_and_its_hand_off_leads_to_the_ticket(
    auth: Any, client: Any, make_site: Any
) -> None:
    site = make_site()
    assert f'data-signin="{SITE_LOGIN}"' in framed(client, site, SITE_LOGIN)
    here = f"/embed/{site.id}/signin?nonce={NONCE}"
    choice = client.get(f"{here}&signin={quote(SITE_LOGIN, safe='')}")
    assert choice.status_code == 200 and choice.headers[COOP] == "unsafe-none"
    site_link = f"{SITE_LOGIN}?next={quote(here, safe='')}"
    assert f'href="{site_link.replace("&", "&amp;")}"' in choice.text
    assert f'href="/login?next={quote(here, safe="/")}"' in choice.text
    # The site's endpoint, behind its own login, signs a hand-off and sends the reader back.
    query = urlencode({**signed(site), "next": here})
    handed = client.get(f"/login/site/{site.id}?{query}", follow_redirects=False)
    assert handed.headers["location"] == "/login/welcome"
    assert handed.headers[COOP] == "unsafe-none"
    done = welcome(auth, "janine_b")
    assert done.headers["location"] == here
    assert ticket_of(client.get(here))


def test_a_login_address_on_another_origin_is_never_offered(client: Any, make_site: Any) -> None:
    site = make_site()
    elsewhere = "https://elsewhere.example/login"
    assert "data-signin" not in framed(client, site, elsewhere).split("data-frame-signin")[0]
    answer = popup(client, site.id)
    assert answer.status_code == 303
    offered = client.get(
        f"/embed/{site.id}/signin?nonce={NONCE}&signin={quote(elsewhere, safe='')}",
        follow_redirects=False,
    )
    assert offered.status_code == 303 and offered.headers["location"].startswith("/login?next=")
