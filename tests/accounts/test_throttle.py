"""Login throttling that holds: counted per resolved account and per address, before the
password is checked, and a mailed login link that lets the owner in meanwhile."""

import threading
import time

import anyio
import httpx
import pytest
from sqlalchemy import select

from forum.accounts import flows
from forum.accounts.models import LoginLink
from forum.accounts.passwords import Passwords
from forum.accounts.tokens import hash_token
from forum.app import create_app
from forum.app import factory as forum_app
from tests.accounts.conftest import link_in
from tests.accounts.test_parallel_logins import csrf_token
from tests.conftest import DEFAULT_PASSWORD
from tests.serving import serving


def is_logged_in(client) -> bool:
    return "Log out" in client.get("/").text


@pytest.fixture
def one_address_per_attempt(monkeypatch):
    """Each request comes from the address in its ``x-test-client`` header, so that a test
    can watch the per-account count alone."""
    monkeypatch.setattr(
        flows, "client_address", lambda request: request.headers.get("x-test-client", "one")
    )


class CountingPasswords(Passwords):
    """The app's hasher, counting the passwords it checks (each takes a moment, so that a
    burst really overlaps)."""

    checked = 0
    lock = threading.Lock()

    def verify(self, stored_hash, password):
        with CountingPasswords.lock:
            CountingPasswords.checked += 1
        time.sleep(0.05)
        return super().verify(stored_hash, password)


def test_a_parallel_burst_of_20_guesses_checks_at_most_5(settings, make_user, monkeypatch):
    make_user("reader")
    CountingPasswords.checked = 0
    monkeypatch.setattr(forum_app, "Passwords", CountingPasswords)
    answers: list[httpx.Response] = []

    async def burst(base: str) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            token = await csrf_token(client)

            async def guess(n: int) -> None:
                data = {"_csrf_token": token, "login": "reader", "password": f"guess {n}"}
                answers.append(await client.post("/login", data=data))

            with anyio.fail_after(60):
                async with anyio.create_task_group() as group:
                    for n in range(20):
                        group.start_soon(guess, n)

    with serving(create_app(settings)) as base:
        anyio.run(burst, base)

    statuses = [r.status_code for r in answers]
    assert len(statuses) == 20
    assert CountingPasswords.checked <= settings.login_attempts, CountingPasswords.checked
    assert statuses.count(400) <= settings.login_attempts
    assert statuses.count(429) >= 20 - settings.login_attempts, statuses


@pytest.mark.usefixtures("one_address_per_attempt")
def test_every_spelling_of_a_name_shares_one_count(make_user, auth):
    make_user("janine")
    spellings = ["janine", "JANINE", "ｊａｎｉｎｅ", "janine@example.org", "JANINE@EXAMPLE.ORG"]
    for n, spelling in enumerate(spellings):
        headers = {"x-test-client": f"device {n}"}
        form = {"login": spelling, "password": "wrong password!"}
        assert auth.post("/login", form, headers=headers).status_code == 400
    # A sixth device, the right password, yet another spelling: the account's count is spent.
    right = auth.post(
        "/login",
        {"login": "Janine", "password": DEFAULT_PASSWORD},
        headers={"x-test-client": "device 6"},
    )
    assert right.status_code == 429


@pytest.mark.usefixtures("one_address_per_attempt")
def test_an_unknown_name_is_throttled_like_a_known_one(auth):
    for n in range(5):
        headers = {"x-test-client": f"device {n}"}
        form = {"login": "Nobody" if n % 2 else "NOBODY", "password": "wrong password!"}
        assert auth.post("/login", form, headers=headers).status_code == 400
    sixth = auth.post(
        "/login", {"login": "nobody", "password": "x"}, headers={"x-test-client": "device 6"}
    )
    assert sixth.status_code == 429


def test_a_fullwidth_spelling_is_the_same_name_and_logs_in(make_user, auth):
    # Usernames are NFKC-folded to ASCII at registration: 'ｊａｎｉｎｅ' *is* 'janine', as a
    # keyboard in full-width mode types it; a look-alike from another script names nobody.
    make_user("janine")
    assert auth.login("ｊａｎｉｎｅ").status_code == 303
    auth.logout()
    assert auth.login("jаnine").status_code == 400  # a Cyrillic 'а'


def lock_out(auth, login="janine"):
    for _ in range(5):
        assert auth.login(login, "wrong password!").status_code == 400
    locked = auth.login(login, DEFAULT_PASSWORD)
    assert locked.status_code == 429
    return locked


def test_the_429_page_offers_a_login_link_that_works_during_the_lockout_once(
    make_user, auth, sent_mail, database
):
    make_user("janine")
    locked = lock_out(auth)
    assert "Email me a login link" in locked.text and "login link" in locked.text
    answer = auth.post("/login/link", {"login": "JANINE@example.org"})
    assert answer.status_code == 200 and "If that account has a confirmed" in answer.text
    (mail,) = [m for m in sent_mail() if "login link" in m["Subject"]]
    assert mail["To"] == "janine@example.org"
    link = link_in(mail, "/login/link/")
    token = link.rsplit("/", 1)[1]
    with database.session() as session:  # stored hashed, like reset links
        assert [r.token_hash for r in session.scalars(select(LoginLink))] == [hash_token(token)]
    page = auth.client.get(link)  # opening it (a mail scanner too) spends nothing
    assert page.status_code == 200 and "Log in as janine" in page.text
    assert auth.post(link).status_code == 303
    assert is_logged_in(auth.client)
    auth.logout()
    again = auth.post(link)
    assert again.status_code == 400 and "invalid, used or expired" in again.text
    assert not is_logged_in(auth.client)


def test_a_newer_login_link_replaces_the_older(make_user, auth, sent_mail):
    make_user("janine")
    auth.post("/login/link", {"login": "janine"})
    auth.post("/login/link", {"login": "janine"})
    first, second = [link_in(m, "/login/link/") for m in sent_mail()]
    assert auth.post(first).status_code == 400
    assert auth.post(second).status_code == 303


def test_no_login_link_for_an_unknown_or_unconfirmed_account_and_the_same_answer(
    make_user, auth, sent_mail
):
    make_user("unconfirmed", verified=False)
    answers = [
        auth.post("/login/link", {"login": name}).text
        for name in ("unconfirmed", "nobody", "nobody@example.org")
    ]
    assert len(set(answers)) == 1
    assert sent_mail() == []


def test_login_link_mails_per_account_are_capped(make_user, auth, sent_mail, settings):
    make_user("janine")
    for _ in range(settings.login_link_mails + 3):
        assert auth.post("/login/link", {"login": "janine"}).status_code == 200
    assert len(sent_mail()) == settings.login_link_mails


def test_the_api_429_problem_says_how_to_get_a_login_link(make_user, auth, sent_mail):
    make_user("janine")
    body = {"login": "janine", "password": "wrong password!"}
    for _ in range(5):
        auth.client.post("/api/session", json=body, headers=auth.api_headers())
    locked = auth.client.post("/api/session", json=body, headers=auth.api_headers())
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    assert locked.headers["content-type"].startswith("application/problem+json")
    assert "/api/session/link" in locked.json()["detail"]
    asked = auth.client.post(
        "/api/session/link", json={"login": "janine"}, headers=auth.api_headers()
    )
    assert asked.status_code == 202
    assert "/login/link/" in link_in(sent_mail()[0], "/login/link/")
