"""One JSON line per request, with no personal data, and the request id echoed."""

import json
import logging
from datetime import datetime

import pytest
from litestar.testing import TestClient

from forum.app import create_app
from forum.web.access_log import LOGGER, AccessLog, JsonLines


class Lines(logging.Handler):
    """Keeps what the app's own ``forum.access`` handler would write, formatted alike."""

    def __init__(self, formatter: logging.Formatter) -> None:
        super().__init__()
        self.setFormatter(formatter)
        self.written: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.written.append(self.format(record))

    def parsed(self) -> list[dict]:
        return [json.loads(line) for line in self.written]


@pytest.fixture
def access_lines(client):
    """The lines the app's logging configuration writes for each request, as dicts."""
    logger = logging.getLogger(LOGGER)
    (configured,) = [h for h in logger.handlers if hasattr(h, "listener")]  # the app's own
    assert logger.propagate is False  # not repeated, unformatted, by handlers further up
    lines = Lines(configured.formatter)
    logger.addHandler(lines)
    yield lines
    logger.removeHandler(lines)


def test_each_request_logs_one_json_line_with_route_status_duration_and_id(
    client, access_lines, make_article
):
    make_article(slug="a")
    response = client.get("/articles/a?secret=query-value")
    (raw,) = access_lines.written
    assert "\n" not in raw and "query-value" not in raw
    line = json.loads(raw)
    assert set(line) == {"time", "level", "method", "route", "status", "duration_ms", "request_id"}
    assert line["method"] == "GET" and line["status"] == 200 and line["level"] == "INFO"
    assert line["route"] == "/articles/{slug}"
    assert line["duration_ms"] >= 0
    assert line["request_id"] == response.headers["x-request-id"]
    assert datetime.fromisoformat(line["time"]).utcoffset().total_seconds() == 0


def test_unknown_paths_are_logged_and_carry_an_id_too(client, access_lines):
    response = client.get("/no/such/thing")
    assert response.status_code == 404
    (line,) = access_lines.parsed()
    assert line["status"] == 404 and line["route"] == "(unmatched)"
    assert response.headers["x-request-id"] == line["request_id"]


def test_errors_and_redirects_are_logged_with_their_status(client, access_lines):
    assert client.post("/logout", follow_redirects=False).status_code == 403  # no CSRF token
    assert client.get("/account", follow_redirects=False).status_code == 303
    statuses = [(line["route"], line["status"]) for line in access_lines.parsed()]
    assert statuses == [("/logout", 403), ("/account", 303)]


def test_a_sane_incoming_request_id_is_kept_and_a_hostile_one_replaced(client, access_lines):
    # (not /healthz: it is answered in front of the app and logs nothing, see test_speed.py)
    kept = client.get("/api/articles", headers={"X-Request-ID": "abcdef123456"})
    assert kept.headers["x-request-id"] == "abcdef123456"
    replaced = client.get("/api/articles", headers={"X-Request-ID": "evil\r\nSet-Cookie: x"})
    assert replaced.headers["x-request-id"] != "evil"
    assert len(replaced.headers["x-request-id"]) == 16
    assert [line["request_id"] for line in access_lines.parsed()] == [
        "abcdef123456",
        replaced.headers["x-request-id"],
    ]


def test_logins_log_no_user_names_or_addresses(client, caplog, access_lines, auth, make_user):
    make_user("janine")
    caplog.set_level(logging.DEBUG)
    auth.login("janine")
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("forum"))
    logged += "\n".join(access_lines.written)
    assert access_lines.written
    assert "janine" not in logged and "127.0.0.1" not in logged


@pytest.mark.parametrize("settings_overrides", [{"access_log": False}])
def test_the_access_log_can_be_turned_off(client, app):
    assert LOGGER not in app.logging_config.loggers
    assert not any(isinstance(plugin, AccessLog) and plugin.enabled for plugin in app.plugins)
    response = client.get("/healthz")
    assert response.status_code == 200 and "x-request-id" not in response.headers


def test_a_record_without_fields_becomes_a_json_line_with_its_message():
    record = logging.LogRecord(LOGGER, logging.WARNING, __file__, 1, "odd %s", ("thing",), None)
    line = json.loads(JsonLines().format(record))
    assert line["level"] == "WARNING" and line["message"] == "odd thing"


def test_a_new_app_replaces_the_handler_of_the_previous_one(settings):
    first = create_app(settings)
    (old,) = logging.getLogger(LOGGER).handlers
    with TestClient(create_app(settings), base_url=settings.base_url) as client:
        client.get("/healthz")
    (new,) = logging.getLogger(LOGGER).handlers
    assert new is not old and old.listener is None  # its writer thread was stopped
    del first
