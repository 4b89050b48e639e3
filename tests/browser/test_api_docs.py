"""The API documentation page at /schema works in a real browser under our own CSP."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import screenshot


@pytest.mark.parametrize("width", [390, 1280])
def test_the_api_documentation_lists_the_operations_from_our_own_files(live_server, page, width):
    problems: list[str] = []
    origins: set[str] = set()
    page.on("console", lambda msg: msg.type in ("error", "warning") and problems.append(msg.text))
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("request", lambda request: origins.add(urlsplit(request.url).netloc))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    page.set_viewport_size({"width": width, "height": 900})

    response = page.goto(f"{live_server.url}/schema")
    assert response.status == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "http" not in csp

    page.locator(".opblock").first.wait_for()
    summaries = page.locator(".opblock-summary-path").all_inner_texts()
    assert any(path.startswith("/api/articles/") for path in summaries)
    assert "/schema" not in summaries
    page.wait_for_load_state("networkidle")
    screenshot(page, f"api-docs-{width}")

    assert origins == {urlsplit(live_server.url).netloc}
    assert [text for text in problems if "Content Security Policy" in text] == []
    assert problems == []
