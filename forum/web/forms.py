"""Reading HTML form posts and the ``next`` parameter safely."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from litestar.enums import RequestEncodingType
from litestar.params import Body

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
"""How a handler receives a form post: ``data: FormData``."""

MAX_FIELD = 100_000


def field(data: dict[str, Any], name: str) -> str:
    """A form field as one string ('' when absent; the first value when repeated)."""
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    if not isinstance(value, str):
        value = str(value)
    return value[:MAX_FIELD]


def checked(data: dict[str, Any], name: str) -> bool:
    return field(data, name) in {"on", "1", "true", "yes"}


def safe_next(value: str | None, default: str = "/") -> str:
    """A local path to go to after a form, never another site (no open redirect)."""
    if not value or len(value) > 1000:
        return default
    if any(ord(ch) < 32 or ord(ch) == 127 or ch == "\\" for ch in value):
        return default
    if not value.startswith("/") or value.startswith("//"):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value
