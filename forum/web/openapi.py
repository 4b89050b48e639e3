"""The API's OpenAPI description: every /api operation documents its problem responses."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(msgspec.Struct):
    message: str
    key: str | None = None
    source: str | None = None


class Problem(msgspec.Struct):
    """An RFC 9457 problem document: what every API error looks like."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | dict[str, str] | None = None
    """Litestar's validation errors (a list), or a domain ``Invalid``'s {field: message}."""


PROBLEMS = {
    400: "The request is malformed or a value is not acceptable.",
    401: "Not logged in, or the access token is not valid.",
    403: "Not allowed (a role, CSRF, or a rule such as a ban).",
    404: "No such thing (or not visible to you).",
    409: "Conflicts with the current state (already handled, already exists).",
    413: "The request body is too large.",
    429: "Too many attempts; see Retry-After.",
    503: "The database is briefly unavailable; see Retry-After.",
}


def document_problems(app: Any, prefix: str = "/api") -> None:
    """Add the problem responses to every operation under ``prefix`` (before the schema is
    generated on first request), so that clients and schemathesis know every answer's shape."""
    specs = {
        status: ResponseSpec(
            data_container=Problem,
            description=description,
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
        )
        for status, description in PROBLEMS.items()
    }
    for route in app.routes:
        if not route.path.startswith(prefix):
            continue
        for handler in getattr(route, "route_handlers", []):
            merged = dict(specs)
            merged.update(handler.responses or {})
            handler.responses = merged
