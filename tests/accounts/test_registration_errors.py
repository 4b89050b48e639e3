"""Registration tells every problem of the form in one answer, each tied to its field."""

import re


def described_by(page, name):
    field = re.search(rf'<input id="{name}"[^>]*>', page)
    assert field, name
    return field.group(0)


def test_a_taken_username_is_told_with_the_other_errors(auth, make_user):
    make_user("taken")
    response = auth.post(
        "/register", {"username": "taken", "email": "not an address", "password": "short"}
    )
    assert response.status_code == 400
    page = response.text
    assert "That username is already taken." in page
    assert "valid email address" in page
    assert "at least" in page.lower()
    for name in ("username", "email", "password"):
        field = described_by(page, name)
        assert f'aria-describedby="{name}-error' in field and 'aria-invalid="true"' in field
        assert f'id="{name}-error"' in page
    summary = page[page.index("error-summary") : page.index("</div>", page.index("error-summary"))]
    assert "Please correct these 3 fields:" in summary
    for name in ("username", "email", "password"):
        assert f'href="#{name}"' in summary


def test_every_format_problem_comes_at_once(auth):
    response = auth.post("/register", {"username": "x", "email": "", "password": ""})
    assert response.status_code == 400
    for name in ("username", "email", "password"):
        assert 'aria-invalid="true"' in described_by(response.text, name)


def test_a_single_problem_reads_in_the_singular(auth):
    response = auth.post(
        "/register",
        {"username": "fine_name", "email": "fine@example.org", "password": "short"},
    )
    assert response.status_code == 400
    assert "Please correct this field:" in response.text


def test_a_refused_name_comes_with_the_other_problems(auth, make_user, app, database):
    from forum.accounts.models import Role
    from tests.moderation.test_ban_evasion import ban, erase

    make_user("modo", role=Role.MODERATOR)
    carl = make_user("carl")
    ban(auth)
    erase(app, database, carl)
    response = auth.post(
        "/register", {"username": "carl", "email": "fresh@example.org", "password": "short"}
    )
    assert response.status_code == 400
    assert "That username is already taken." in response.text
    assert 'aria-invalid="true"' in described_by(response.text, "password")
