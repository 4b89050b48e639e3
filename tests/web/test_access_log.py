"""One JSON line per request, with no personal data, and the request id echoed."""

import io
import json
import logging
import time
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from forum.app import create_app
from forum.web import access_log, log_lines
from forum.web.access_log import LOGGER, AccessLog
from forum.web.log_lines import BatchedStderr, JsonLines


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
    (configured,) = [h for h in logger.handlers if isinstance(h, BatchedStderr)]  # the app's own
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
    assert new is not old and not old.writer.is_alive()  # its writer thread was stopped
    del first


# --- the writer: batches off the event loop --------------------------------------------------


@pytest.fixture
def written(client, monkeypatch):
    """What the app's own writer writes to its stream (stderr), after its next batch."""
    (writer,) = [h for h in logging.getLogger(LOGGER).handlers if isinstance(h, BatchedStderr)]
    writer.flush()  # lines of requests before the test go where they were going
    stream = io.StringIO()
    monkeypatch.setattr(writer, "stream", stream)

    def lines() -> list[dict]:
        writer.flush()  # what its thread does every WRITE_EVERY seconds
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    return lines


def only_the_writer(monkeypatch) -> BatchedStderr:
    """The app's writer as the logger's only handler, as in production (pytest adds capturing
    handlers to each test phase: call this in the test itself)."""
    logger = logging.getLogger(LOGGER)
    (writer,) = [h for h in logger.handlers if isinstance(h, BatchedStderr)]
    monkeypatch.setattr(logger, "handlers", [writer])
    return writer


def test_a_request_hands_its_line_to_the_writer_without_a_log_record(client, written, monkeypatch):
    """With the app's own writer the only handler, a request builds no ``LogRecord`` (the
    event loop's part of a line is a tuple appended); the line written is the same."""

    def no_record(*args, **kwargs):
        raise AssertionError("a LogRecord was built on the request's path")

    only_the_writer(monkeypatch)
    monkeypatch.setattr(access_log, "access_record", no_record)
    first = client.get("/api/articles")
    second = client.get("/no/such/thing")
    lines = written()
    assert [(line["route"], line["status"], line["request_id"]) for line in lines] == [
        ("/api/articles", 200, first.headers["x-request-id"]),
        ("(unmatched)", 404, second.headers["x-request-id"]),
    ]
    assert all(
        set(line) == {"time", "level", "method", "route", "status", "duration_ms", "request_id"}
        for line in lines
    )


def test_a_line_written_directly_reads_as_one_written_from_a_record(client, written, monkeypatch):
    fields = {"method": "GET", "route": "/x", "status": 200, "duration_ms": 1.5, "request_id": "a"}
    writer = only_the_writer(monkeypatch)
    writer.take(dict(fields))
    writer.handle(log_lines.access_record(dict(fields)))
    direct, recorded = written()
    assert direct.pop("time")[:16] == recorded.pop("time")[:16]
    assert direct == recorded == {"level": "INFO", **fields}


def test_another_handler_gets_records_as_before(client, written, access_lines):
    """Someone who adds a handler of their own gets records (and the writer its lines)."""
    assert len(logging.getLogger(LOGGER).handlers) > 1
    client.get("/api/articles")
    assert [line["route"] for line in access_lines.parsed()] == ["/api/articles"]
    assert [line["route"] for line in written()] == ["/api/articles"]


def standalone_writer() -> tuple[BatchedStderr, io.StringIO]:
    """A writer of JSON lines of its own (its thread running), writing into a string."""
    writer = BatchedStderr()
    writer.setFormatter(JsonLines())
    writer.stream = stream = io.StringIO()
    return writer, stream


def test_a_stuck_stderr_costs_a_count_not_memory(monkeypatch):
    monkeypatch.setattr(log_lines, "MAX_PENDING", 2)
    writer, stream = standalone_writer()
    try:
        for n in range(5):
            writer.take({"n": n})
        assert len(writer.pending) == 2
    finally:
        writer.close()
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line.get("n") for line in lines] == [0, 1, None]
    assert lines[-1] == {"level": "WARNING", "dropped_lines": 3}


def test_closing_the_writer_writes_what_is_pending_and_stops_its_thread():
    writer, stream = standalone_writer()
    writer.take({"route": "/last"})
    writer.close()
    assert not writer.writer.is_alive()
    assert json.loads(stream.getvalue())["route"] == "/last"


def test_the_writer_writes_a_batch_on_its_own(client):
    writer, stream = standalone_writer()
    try:
        writer.take({"route": "/soon"})
        deadline = time.monotonic() + 5
        while not stream.getvalue() and time.monotonic() < deadline:
            time.sleep(log_lines.WRITE_EVERY / 2)
        assert json.loads(stream.getvalue())["route"] == "/soon"
    finally:
        writer.close()


json_values = st.one_of(
    st.text(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=3),
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    fields=st.dictionaries(st.text().filter(lambda k: k not in ("time", "level")), json_values),
    created=st.floats(0, 4e9),
)
def test_json_lines_writes_what_json_dumps_would(fields, created):
    """The formatter writes strings and numbers itself: the same text as ``json.dumps``."""
    record = log_lines.access_record(fields, created)
    expected = {
        "time": datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds"),
        "level": "INFO",
        **fields,
    }
    assert JsonLines().format(record) == json.dumps(expected, separators=(",", ":"))
