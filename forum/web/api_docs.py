"""The API documentation page at ``/schema``: Swagger UI from our own ``/static/``, under our CSP.

Litestar's render plugins load their UI from a CDN and start it with an inline script, both of
which our Content-Security-Policy blocks. The Swagger UI files come from the pinned
``swagger-ui-py`` package (only its files, never its code), are served with our static files,
and ``api-docs.js`` (ours) starts the UI from ``data-`` attributes, so the page needs no inline
script or style. Its one exception to the site's CSP is ``data:`` images (Swagger UI's icons).
"""

from __future__ import annotations

import html
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from litestar import Request, Router
from litestar.datastructures import ResponseHeader
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin

from forum.web.headers import CONTENT_SECURITY_POLICY

SWAGGER_UI_PACKAGE = "swagger_ui"
SWAGGER_UI_FILES = {
    "swagger-ui-bundle.js": "swagger-ui-bundle.js",
    "swagger-ui.css": "swagger-ui.css",
}
"""Our name under ``/static/`` → the file in the package's ``static`` folder."""

PAGE_CSP = CONTENT_SECURITY_POLICY.replace("img-src 'self'", "img-src 'self' data:", 1)


def _package_dir(name: str) -> Path:
    """Where an installed package's files are, without importing (running) it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the package {name!r} is not installed (see constraints.txt)")
    return Path(next(iter(spec.submodule_search_locations)))


def api_docs_files() -> dict[str, Path]:
    """The vendored Swagger UI files, by the name they have under ``/static/``."""
    folder = _package_dir(SWAGGER_UI_PACKAGE) / "static"
    return {ours: folder / theirs for ours, theirs in SWAGGER_UI_FILES.items()}


class SwaggerPage(SwaggerRenderPlugin):
    """Swagger UI whose page has only our own files and no inline script or style."""

    def __init__(self, static_url: Callable[[str], str]) -> None:
        super().__init__(
            js_url=static_url("swagger-ui-bundle.js"),
            css_url=static_url("swagger-ui.css"),
            path="/",
            favicon=(
                f'<link rel="icon" href="{static_url("favicon.svg")}" type="image/svg+xml">'
                f'<link rel="icon" href="{static_url("favicon.ico")}" sizes="32x32">'
            ),
            style="",
        )
        self.start_url = static_url("api-docs.js")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        """The page; the UI reads the schema from ``/schema/openapi.json``."""
        csrf = request.app.csrf_config
        attributes = {
            "data-spec-url": self.get_openapi_json_route(request),
            "data-csrf-cookie": csrf.cookie_name if csrf else "",
            "data-csrf-header": csrf.header_name if csrf else "",
        }
        data = " ".join(f'{key}="{html.escape(value)}"' for key, value in attributes.items())
        title = html.escape(str(openapi_schema["info"]["title"]))
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title>{self.favicon}"
            f'<link rel="stylesheet" href="{html.escape(self.css_url)}">'
            f'<script src="{html.escape(self.js_url)}" defer></script>'
            f'<script src="{html.escape(self.start_url)}" defer></script>'
            f'</head><body><main id="swagger-ui" {data}></main></body></html>'
        ).encode()

    def receive_router(self, router: Router) -> None:
        """No OAuth2 redirect page: the API's tokens are made on the account page."""


def openapi_config(title: str, static_url: Callable[[str], str]) -> OpenAPIConfig:
    """``/schema``: Swagger UI (under the page's CSP) and ``/schema/openapi.json``."""
    router = Router(
        "/schema",
        route_handlers=[],
        include_in_schema=False,
        response_headers=[ResponseHeader(name="content-security-policy", value=PAGE_CSP)],
    )
    return OpenAPIConfig(
        title=title, version="1", render_plugins=[SwaggerPage(static_url)], openapi_router=router
    )
