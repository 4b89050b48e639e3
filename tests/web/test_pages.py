"""What every page shares: layout, policies in the footer, stylesheet, headers, errors."""

import re

import pytest
from litestar import get
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

PAGES = ["/", "/privacy", "/terms", "/cookies"]


@pytest.mark.parametrize("path", PAGES)
def test_policy_links_are_in_every_footer(client, path):
    response = client.get(path)
    assert response.status_code == 200
    footer = response.text.split("<footer", 1)[1]
    for href, label in [
        ("/privacy", "Privacy Policy"),
        ("/terms", "Terms &amp; Conditions"),
        ("/cookies", "Cookie settings"),
    ]:
        assert f'href="{href}">{label}</a>' in footer


def test_pages_use_semantic_landmarks(client, make_article):
    make_article(slug="a")
    html = client.get("/articles/a").text
    for tag in ["<header", "<main", "<article", "<footer", "<time datetime="]:
        assert tag in html


def test_stylesheet_is_served_by_the_app(client):
    response = client.get("/static/forum.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "--accent" in response.text


def test_pages_ask_nothing_of_other_hosts(client, make_article):
    make_article(slug="a", body="See <https://example.org/elsewhere>.")
    for path in [*PAGES, "/articles/a"]:
        html = client.get(path).text
        for attr, url in re.findall(r'\b(src|href|action)="([^"]+)"', html):
            if attr == "href" and url.startswith("https://example.org"):
                continue  # a link a reader may follow; nothing loads from it
            assert url.startswith(("/", "#", "?")), f"{path}: {attr}={url}"
    css = client.get("/static/forum.css").text
    assert "url(" not in css and "@import" not in css


def test_security_headers_are_on_every_response(client):
    for path in ["/", "/no-such-page", "/static/forum.css", "/api/articles"]:
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert "permissions-policy" in headers
        assert "strict-transport-security" not in headers


@pytest.mark.parametrize("settings_overrides", [{"base_url": "https://forum.example"}])
def test_hsts_is_sent_when_the_site_is_https(client):
    assert "max-age=" in client.get("/").headers["strict-transport-security"]


def test_unknown_pages_get_a_404_in_the_site_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "<footer" in response.text and "Not Found" in response.text


def _boom() -> None:
    raise RuntimeError("secret internals")


@pytest.mark.parametrize("settings_overrides", [{"debug": False}])
def test_unexpected_errors_show_a_plain_page_without_traceback(app, client):
    @get("/boom", sync_to_thread=False)
    def boom() -> None:
        _boom()

    app.register(boom)
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "Traceback" not in response.text and "secret internals" not in response.text


@pytest.mark.parametrize("settings_overrides", [{"debug": True}])
def test_debug_mode_shows_the_traceback(app, client):
    @get("/boom", sync_to_thread=False)
    def boom() -> None:
        _boom()

    app.register(boom)
    response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" in response.text


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] is True


def test_openapi_schema_is_served(client):
    schema = client.get("/schema/openapi.json").json()
    assert "/api/articles" in schema["paths"]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (DataError("stmt", {}, Exception("NUL")), 400),
        (IntegrityError("stmt", {}, Exception("dup")), 409),
        (OperationalError("stmt", {}, Exception("down")), 503),
    ],
)
def test_database_errors_become_clear_client_or_availability_errors(app, client, error, status):
    @get("/api/db-error", sync_to_thread=False)
    def fails() -> None:
        raise error

    app.register(fails)
    response = client.get("/api/db-error")
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "stmt" not in response.text


def test_no_template_has_inline_script_or_style():
    """The CSP allows scripts and styles from our own files only, so none may be inline."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    for template in root.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b[^>]*>", text):
            data = 'type="application/json"' in match.group(0)  # data for a script, never run
            assert "src=" in match.group(0) or data, f"inline script in {template}"
        assert "<style" not in text, f"inline <style> in {template}"
        assert not re.search(r"\sstyle=", text), f"style attribute in {template}"
        assert not re.search(r"\son[a-z]+=", text), f"event-handler attribute in {template}"
