"""Type aliases every HTTP module shares, defined once."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request
from litestar.params import QueryParameter

from forum.web.pagination import MAX_PAGE

AnyRequest = Request[Any, Any, Any]
"""A request whatever its user, auth and state types (handlers that need no typed user)."""

PageNumber = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description="Page number")]
"""The ``?page=N`` of every paged list and thread."""
