"""axe-core (from the npm registry) finds no serious or critical violation on the pages
people use most."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from forum.accounts.models import Role
from forum.accounts.passwords import Passwords, make_hasher
from forum.accounts.service import Registration, register
from tests.browser.test_journeys import PASSWORD, add_article

SERIOUS = {"serious", "critical"}


def violations(page, axe_source: str) -> list[dict]:
    page.evaluate(axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in SERIOUS]


def describe(found: list[dict]) -> str:
    return json.dumps(
        [
            {"id": v["id"], "help": v["help"], "nodes": [n["html"][:200] for n in v["nodes"][:3]]}
            for v in found
        ],
        indent=1,
    )


def make_account(
    live_server, username: str, role: Role = Role.READER, *, verified: bool = False
) -> None:
    """An account with ``PASSWORD``; ``verified``: its address confirmed (it may comment)."""
    with live_server.database.session(write=True) as session:
        user = register(
            session,
            Passwords(make_hasher(1, 1024, 1)),
            Registration(username, f"{username}@example.org", PASSWORD),
        )
        user.role = role
        if verified:
            user.email_verified_at = datetime.now(UTC)


def log_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/login")
    page.get_by_label("Username or email address").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("path", ["/", "/articles/socialism", "/login", "/register", "/cookies"])
def test_public_pages_have_no_serious_accessibility_violations(live_server, page, axe_source, path):
    add_article(live_server)
    page.goto(live_server.url + path)
    found = violations(page, axe_source)
    assert not found, describe(found)


def test_an_article_with_a_thread_has_no_serious_violations_for_a_reader(
    live_server, page, axe_source
):
    add_article(live_server)
    make_account(live_server, "reader")
    log_in(page, live_server, "reader")
    page.goto(live_server.url + "/articles/socialism")
    page.get_by_label("Your comment").fill("A comment so that there is a thread.")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_load_state()
    page.goto(live_server.url + "/articles/socialism")
    found = violations(page, axe_source)
    assert not found, describe(found)
