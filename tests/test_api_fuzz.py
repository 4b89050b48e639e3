"""Schemathesis over the whole OpenAPI schema, as a visitor and as a logged-in user: no 5xx,
and every response matches the schema. Examples are bounded so CI stays fast."""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from forum.accounts.models import User
from forum.accounts.service import create_access_token

EXAMPLES = 12
CHECKS: list[Any] = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def api_schema(app, make_article, make_user, post):
    """The app's schema, over a database with an article, a thread and a user."""
    article = make_article(slug="a", title="Fuzzing")
    ann = make_user("ann")
    root = post(article, ann, "a root comment")
    post(article, ann, "a reply", parent=root)
    return schemathesis.openapi.from_asgi("/schema/openapi.json", app)


@pytest.fixture
def bearer(database, make_user) -> dict[str, str]:
    user = make_user("fuzzer")
    with database.session(write=True) as session:
        _, secret = create_access_token(session, session.get(User, user.id), "fuzz")
    return {"Authorization": f"Bearer {secret}"}


def fuzz(api_schema: Any, headers: dict[str, str]) -> list[str]:
    """Run every operation; return a line per operation that failed a check."""
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10, "the schema describes the API"
    for operation in operations:

        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,
        )
        @given(operation.as_strategy())
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as error:
            failures.append(f"{operation.method.upper()} {operation.path}: {str(error)[:600]}")
    return failures


def test_the_api_holds_for_a_visitor(api_schema):
    assert fuzz(api_schema, {}) == []


def test_the_api_holds_for_a_logged_in_user(api_schema, bearer):
    assert fuzz(api_schema, bearer) == []
