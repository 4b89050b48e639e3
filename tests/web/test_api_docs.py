"""/schema: the API documentation page loads only our own files and runs no inline script."""

from __future__ import annotations

import re


def test_the_api_documentation_page_loads_only_our_own_files(client):
    response = client.get("/schema")
    assert response.status_code == 200
    page = response.text
    sources = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert sources, page
    assert all(source.startswith("/static/") for source in sources), sources
    assert "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "an inline script"
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
        assert "immutable" in asset.headers["cache-control"]


def test_the_api_documentation_page_allows_no_other_origin(client):
    csp = client.get("/schema").headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "style-src 'self';" in csp
    assert "unsafe" not in csp
    assert "http" not in csp
    # The rest of the site keeps its stricter policy (no data: images).
    assert "data:" not in client.get("/").headers["content-security-policy"]


def test_the_api_documentation_reads_the_schema_from_the_site(client):
    page = client.get("/schema").text
    assert 'data-spec-url="/schema/openapi.json"' in page
    assert "/api/articles" in client.get("/schema/openapi.json").json()["paths"]
