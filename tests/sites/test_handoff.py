"""A site with its own accounts signs its readers in here by a signed hand-off (HMAC-SHA256
with the site's secret); stale, replayed or tampered hand-offs are refused."""

import hashlib
import hmac
import secrets
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from forum.accounts.models import User
from forum.identity.models import LinkedIdentity
from forum.sites import service
from forum.sites.handoff import FRESH_SECONDS


def signed(site, *, user="42", name="janine", email="janine@blog.example", ts=None, nonce=None):
    """What the README's Python example computes (written out here, not imported)."""
    values = {
        "user": user,
        "name": name,
        "email": email,
        "ts": str(int(time.time()) if ts is None else ts),
        "nonce": nonce or secrets.token_urlsafe(16),
    }
    message = "\n".join(values[k] for k in ("user", "name", "email", "ts", "nonce"))
    values["sig"] = hmac.new(site.secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return values


def hand_off(client, site, values, next_path="/cookies"):
    query = urlencode({**values, "next": next_path})
    return client.get(f"/login/site/{site.id}?{query}", follow_redirects=False)


def whoami(client) -> str | None:
    page = client.get("/account", follow_redirects=False)
    if page.status_code != 200:
        return None
    return page.text.split("Logged in as <strong>", 1)[1].split("</strong>", 1)[0]


def welcome(auth, username):
    form = auth.client.get("/login/welcome")
    email = form.text.split('name="email"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    return auth.post("/login/welcome", {"username": username, "email": email})


def test_a_new_reader_picks_a_username_and_is_signed_in_later_by_the_site(
    auth, client, make_site, database
):
    site = make_site()
    first = hand_off(client, site, signed(site))
    assert first.status_code == 303 and first.headers["location"] == "/login/welcome"
    assert 'value="janine"' in client.get("/login/welcome").text
    done = welcome(auth, "janine_b")
    assert done.status_code == 303 and done.headers["location"] == "/cookies"
    assert whoami(client) == "janine_b"
    with database.session() as s:
        (identity,) = s.scalars(select(LinkedIdentity))
        (user,) = s.scalars(select(User))
    assert (identity.issuer, identity.subject) == (f"site:{site.id}", "42")
    assert user.email == "janine@blog.example" and user.email_verified
    auth.logout()
    again = hand_off(client, site, signed(site))
    assert again.status_code == 303 and again.headers["location"] == "/cookies"
    assert whoami(client) == "janine_b"


def test_an_address_the_site_did_not_vouch_for_is_not_confirmed(auth, client, make_site, database):
    site = make_site()
    hand_off(client, site, signed(site, email=""))
    done = auth.post("/login/welcome", {"username": "reader_b", "email": "r@blog.example"})
    assert done.status_code == 303
    with database.session() as s:
        (user,) = s.scalars(select(User))
    assert user.email == "r@blog.example" and not user.email_verified


@pytest.mark.parametrize(
    "tamper",
    [
        lambda v: {**v, "user": "43"},
        lambda v: {**v, "email": "boss@blog.example"},
        lambda v: {**v, "sig": "0" * 64},
        lambda v: {**v, "nonce": "short"},
    ],
    ids=["user", "email", "signature", "nonce"],
)
def test_a_tampered_hand_off_is_refused(client, make_site, database, tamper):
    site = make_site()
    refused = hand_off(client, site, tamper(signed(site)))
    assert refused.status_code == 400 and "could not sign you in" in refused.text
    assert whoami(client) is None


@pytest.mark.parametrize("age", [FRESH_SECONDS + 60, -(FRESH_SECONDS + 60)])
def test_a_stale_hand_off_is_refused(client, make_site, age):
    # a minute past the window either way: one second past it was within it again when the
    # request came a second after signing (seen on a loaded CI machine)
    site = make_site()
    refused = hand_off(client, site, signed(site, ts=int(time.time()) - age))
    assert refused.status_code == 400


def test_a_replayed_hand_off_is_refused(client, make_site):
    site = make_site()
    values = signed(site)
    assert hand_off(client, site, values).status_code == 303
    client.cookies.clear()  # another browser, or the same one later
    assert hand_off(client, site, values).status_code == 400


def test_a_rotated_secret_refuses_the_old_one(client, make_site, database):
    site = make_site()
    values = signed(site)
    with database.session(write=True) as s:
        service.rotate_secret(s, site.id)
    assert hand_off(client, site, values).status_code == 400


def test_the_next_page_stays_on_the_forum(auth, client, make_site):
    site = make_site()
    hand_off(client, site, signed(site))
    welcome(auth, "janine_b")
    auth.logout()
    away = hand_off(client, site, signed(site), next_path="https://evil.example/")
    assert away.headers["location"] == "/"


def test_an_unknown_site_is_not_found(client):
    assert client.get("/login/site/999?user=1").status_code == 404


def test_the_readmes_python_example_signs_a_reader_in(client, make_site):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    code = readme.split("In Python:\n\n```python\n", 1)[1].split("```", 1)[0]
    site = make_site()
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - the example as a site owner copies it
    namespace.update(FORUM="", SITE_ID=site.id, SECRET=site.secret)
    url = namespace["forum_login_url"]("7", "reader_seven", "seven@blog.example", "/cookies")
    assert client.get(url, follow_redirects=False).headers["location"] == "/login/welcome"
