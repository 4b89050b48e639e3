"""No password is hashed while a transaction is open: a burst of wrong logins (argon2 with the
production parameters) leaves other readers' comment posts alone, and logins beyond the
hashing capacity get 503 with Retry-After instead of queuing without end.

These run the app under uvicorn on loopback, so requests are really concurrent.
"""

import time
from functools import partial

import anyio
import httpx
import pytest

from forum.accounts.passwords import Passwords
from forum.app import create_app
from forum.app import factory as forum_app
from tests.conftest import DEFAULT_PASSWORD
from tests.serving import serving

PRODUCTION_ARGON2 = {"argon2_time_cost": 3, "argon2_memory_cost": 65536, "argon2_parallelism": 4}
"""The defaults of ``Settings``: RFC 9106's low-memory profile."""


@pytest.fixture
def settings_overrides():
    # Many attempts allowed: the burst must reach the hashing, not stop at the throttle.
    return {**PRODUCTION_ARGON2, "mail_worker": False, "login_attempts": 1000}


async def csrf_token(client: httpx.AsyncClient) -> str:
    await client.get("/login")
    token = client.cookies.get("forum_csrf")
    assert token
    return token


async def log_in(client: httpx.AsyncClient, login: str, password: str) -> httpx.Response:
    data = {"_csrf_token": await csrf_token(client), "login": login, "password": password}
    return await client.post("/login", data=data)


def test_wrong_logins_in_parallel_do_not_stop_others_from_posting(
    settings, make_user, make_article
):
    make_user("reader")
    make_user("poster")
    slug = make_article(title="Busy").slug
    logins: list[httpx.Response] = []
    posts: list[httpx.Response] = []
    post_seconds: list[float] = []
    times: dict[str, float] = {}

    async def scenario(base: str) -> None:
        async with (
            httpx.AsyncClient(base_url=base, timeout=60) as guesser,
            httpx.AsyncClient(base_url=base, timeout=60) as poster,
        ):
            assert (await log_in(poster, "poster", DEFAULT_PASSWORD)).status_code == 303
            token = await csrf_token(guesser)

            async def wrong_login(n: int) -> None:
                data = {"_csrf_token": token, "login": "reader", "password": f"wrong guess {n}"}
                logins.append(await guesser.post("/login", data=data))
                times["burst_end"] = time.monotonic()

            async def post_comments() -> None:
                await anyio.sleep(0.3)  # the logins are hashing by now
                times["posts_start"] = time.monotonic()
                form_token = poster.cookies.get("forum_csrf")
                for n in range(5):
                    data = {"_csrf_token": form_token, "body": f"Still here, comment {n}."}
                    started = time.monotonic()
                    posts.append(await poster.post(f"/articles/{slug}/comments", data=data))
                    post_seconds.append(time.monotonic() - started)
                times["posts_end"] = time.monotonic()

            with anyio.fail_after(120):
                async with anyio.create_task_group() as group:
                    for n in range(40):
                        group.start_soon(wrong_login, n)
                    group.start_soon(post_comments)

    with serving(create_app(settings)) as base:
        anyio.run(scenario, base)

    assert [r.status_code for r in posts] == [303] * 5, [r.text[:200] for r in posts]
    assert times["posts_start"] < times["burst_end"], "the posts ran during the burst"
    # Nobody waits behind the hashing: with the write lock held while hashing (or the worker
    # threads all taken by waiting logins), a post waited over 8 s here.
    assert max(post_seconds) < 4, post_seconds
    statuses = [r.status_code for r in logins]
    assert len(statuses) == 40 and set(statuses) <= {400, 503}, statuses
    assert statuses.count(400) >= 2  # wrong passwords were really checked
    assert all(r.headers.get("retry-after") for r in logins if r.status_code == 503)


class SlowPasswords(Passwords):
    """The app's hasher, with a verification that takes 1.5 s."""

    def verify(self, stored_hash: str | None, password: str) -> bool:
        time.sleep(1.5)
        return super().verify(stored_hash, password)


@pytest.mark.parametrize("settings_overrides", [{"mail_worker": False}])
def test_logins_beyond_the_hashing_capacity_get_503_with_retry_after(
    settings, make_user, monkeypatch
):
    make_user("reader")
    monkeypatch.setattr(
        forum_app, "Passwords", partial(SlowPasswords, concurrency=1, wait_seconds=0.3)
    )
    answers: dict[str, httpx.Response] = {}

    async def scenario(base: str) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            token = await csrf_token(client)
            headers = {"x-csrftoken": token}
            body = {"login": "reader", "password": "wrong guess"}

            async def api_login(name: str) -> None:
                answers[name] = await client.post("/api/session", json=body, headers=headers)

            async def form_login() -> None:
                data = {"_csrf_token": token, **body}
                answers["form"] = await client.post("/login", data=data)

            with anyio.fail_after(60):
                async with anyio.create_task_group() as group:
                    group.start_soon(api_login, "first")
                    await anyio.sleep(0.4)  # the first is verifying now
                    group.start_soon(api_login, "second")
                    group.start_soon(form_login)

    with serving(create_app(settings)) as base:
        anyio.run(scenario, base)

    assert answers["first"].status_code == 401
    second, form = answers["second"], answers["form"]
    assert second.status_code == form.status_code == 503
    assert int(second.headers["retry-after"]) >= 1 and int(form.headers["retry-after"]) >= 1
    assert second.headers["content-type"].startswith("application/problem+json")
    assert "try again" in form.text
