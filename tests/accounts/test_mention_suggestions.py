"""Suggestions while typing an @mention: for logged-in readers, usernames by prefix, only of
profiles everyone may see, a few at a time, rate-limited."""

from __future__ import annotations

import pytest

from forum.accounts.models import ProfileVisibility, PublicName, User

URL = "/api/users/suggestions"


def suggest(auth, q: str):
    return auth.client.get(URL, params={"q": q})


def set_profile(database, username: str, **choices) -> None:
    with database.session(write=True) as session:
        user = session.query(User).filter_by(username=username).one()
        for name, value in choices.items():
            setattr(user, name, value)


def test_visitors_get_no_suggestions(client, make_user):
    make_user("annabel")
    response = client.get(URL, params={"q": "ann"})
    assert response.status_code == 401
    assert "annabel" not in response.text


def test_usernames_starting_with_the_prefix_in_any_case_alphabetically(auth, make_user):
    for name in ("reader", "Annabel", "anna", "bob", "hannah"):
        make_user(name, display_name=name.title() + " Smith" if name == "anna" else "")
    auth.login("reader")
    response = suggest(auth, "ANN")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == [
        {"username": "anna", "name": "Anna Smith", "profile": "/users/anna"},
        {"username": "Annabel", "name": "Annabel", "profile": "/users/Annabel"},
    ]


def test_only_profiles_everyone_may_see_are_suggested(database, auth, make_user):
    for name in ("reader", "carla", "carlos", "carmen"):
        make_user(name)
    set_profile(database, "carlos", profile_visibility=ProfileVisibility.MEMBERS)
    set_profile(database, "carmen", profile_visibility=ProfileVisibility.NOBODY)
    auth.login("reader")
    assert [s["username"] for s in suggest(auth, "car").json()] == ["carla"]


def test_the_name_shown_is_the_one_the_user_chose(database, auth, make_user):
    make_user("reader")
    make_user("dora", display_name="Dora Private")
    set_profile(database, "dora", public_name=PublicName.USERNAME)
    auth.login("reader")
    assert suggest(auth, "do").json() == [
        {"username": "dora", "name": "dora", "profile": "/users/dora"}
    ]


def test_at_most_eight_names_and_underscore_is_no_wildcard(auth, make_user):
    make_user("reader")
    for n in range(10):
        make_user(f"user{n}")
    make_user("us_x")
    auth.login("reader")
    assert len(suggest(auth, "us").json()) == 8
    assert [s["username"] for s in suggest(auth, "us_").json()] == ["us_x"]


@pytest.mark.parametrize(("q", "status"), [("", 400), ("x" * 31, 400), ("<script>", 200)])
def test_a_prefix_no_username_could_have_finds_nobody_or_is_refused(auth, make_user, q, status):
    make_user("reader")
    auth.login("reader")
    response = suggest(auth, q)
    assert response.status_code == status
    if status == 200:
        assert response.json() == []


@pytest.mark.parametrize(
    "settings_overrides", [{"limit_suggestions_burst": 3, "limit_suggestions_per_hour": 60}]
)
def test_look_ups_are_rate_limited(auth, make_user):
    make_user("reader")
    auth.login("reader")
    assert [suggest(auth, "re").status_code for _ in range(3)] == [200, 200, 200]
    response = suggest(auth, "re")
    assert response.status_code == 429
    assert "looked up many names" in response.json()["detail"]
    assert int(response.headers["retry-after"]) > 0
