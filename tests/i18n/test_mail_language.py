"""Mails go out in the recipient's language: the one their account keeps, else the page's
when they asked for the mail just now, else the site's (FORUM_LANGUAGE)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import update

from forum.accounts.models import User
from forum.db import Database
from forum.i18n import install_catalogue
from forum.i18n.catalogues import read_catalogue
from forum.web.mail_templates import in_language_of, render_mail
from tests.conftest import AuthActions, SmtpServer
from tests.i18n.conftest import made_up_catalogue

RESET_SUBJECT = "Reset your password for %(site_name)s"
TAKEN_SUBJECT = "Someone tried to use your email address at %(site_name)s"
HELLO = "Hello %(name)s,"


@pytest.fixture
def settings_overrides(smtp_server: SmtpServer) -> dict[str, Any]:
    return {"smtp_url": smtp_server.url}


@pytest.fixture
def german_and_french(german: Any) -> None:
    """Mail texts in made-up German and French catalogues (the shipped ones are put back)."""
    install_catalogue(
        "de",
        made_up_catalogue(
            "de",
            {
                RESET_SUBJECT: "Neues Passwort für %(site_name)s",
                TAKEN_SUBJECT: "Jemand wollte deine Adresse bei %(site_name)s nutzen",
                HELLO: "Hallo %(name)s,",
            },
        ),
    )
    install_catalogue(
        "fr",
        made_up_catalogue(
            "fr",
            {RESET_SUBJECT: "Nouveau mot de passe pour %(site_name)s", HELLO: "Bonjour %(name)s,"},
        ),
    )


def _set_language(database: Database, username: str, language: str | None) -> None:
    with database.session(write=True) as session:
        session.execute(update(User).where(User.username == username).values(language=language))


def test_a_reader_gets_mail_in_the_language_their_account_keeps(
    client: TestClient,
    auth: AuthActions,
    make_user: Any,
    database: Database,
    smtp_server: SmtpServer,
    german_and_french: None,
):
    make_user("janine", display_name="Janine")
    _set_language(database, "janine", "de")
    auth.post(
        "/password/forgot", {"email": "janine@example.org"}, headers={"accept-language": "fr"}
    )
    [received] = smtp_server.wait_for(1)
    assert received["Subject"].startswith("Neues Passwort für")
    assert received.get_body(("plain",)).get_content().startswith("Hallo Janine,")


def test_without_a_choice_the_mail_asked_for_speaks_the_page_language(
    client: TestClient,
    auth: AuthActions,
    make_user: Any,
    smtp_server: SmtpServer,
    german_and_french: None,
):
    make_user("janine", display_name="Janine")
    auth.post(
        "/password/forgot", {"email": "janine@example.org"}, headers={"accept-language": "fr"}
    )
    [received] = smtp_server.wait_for(1)
    assert received["Subject"].startswith("Nouveau mot de passe pour")


def _address_taken_subject() -> str:
    return render_mail(
        "accounts/address_taken",
        site_name="forum",
        display_name="Janine",
        username="janine",
        login_link="https://example.org/login",
        forgot_link="https://example.org/password/forgot",
        change=False,
    ).subject


def test_a_mail_nobody_asked_for_speaks_the_site_language_unless_the_account_chose(
    german_and_french: None,
):
    with in_language_of(None, default="de"):
        assert _address_taken_subject().startswith("Jemand wollte deine Adresse")
    with in_language_of("en", default="de"):
        assert _address_taken_subject().startswith("Someone tried")


def test_every_mail_is_composed_in_its_recipients_language():
    """Each ``render_mail`` call in forum/ sits inside ``with in_language_of(...)``: the
    mail's words, dates and labels are all made in the recipient's language."""
    outside: list[str] = []
    for path in (Path(__file__).parents[2] / "forum").rglob("*.py"):
        tree = ast.parse(path.read_text())
        inside: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.With) and any(
                isinstance(item.context_expr, ast.Call)
                and getattr(item.context_expr.func, "id", "") == "in_language_of"
                for item in node.items
            ):
                inside.update(id(n) for n in ast.walk(node))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") == "render_mail"
                and id(node) not in inside
            ):
                outside.append(f"{path}:{node.lineno}")
    assert outside == []


def test_the_shipped_german_catalogue_reaches_a_mail_sent_over_smtp(
    client: TestClient,
    auth: AuthActions,
    make_user: Any,
    database: Database,
    smtp_server: SmtpServer,
    settings: Any,
):
    expected = read_catalogue("de").gettext(RESET_SUBJECT) % {"site_name": settings.site_name}
    assert expected != RESET_SUBJECT % {"site_name": settings.site_name}, "German is translated"
    make_user("janine", display_name="Janine")
    _set_language(database, "janine", "de")
    auth.post("/password/forgot", {"email": "janine@example.org"})
    [received] = smtp_server.wait_for(1)
    assert received["Subject"] == expected
