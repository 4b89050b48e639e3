"""One structured line per request, with no personal data, and the request id echoed."""

import json
import logging


def access_lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "forum.access"]


def test_each_request_logs_one_line_with_route_status_duration_and_id(client, caplog, make_article):
    make_article(slug="a")
    caplog.set_level(logging.INFO, logger="forum.access")
    response = client.get("/articles/a?secret=query-value")
    (line,) = access_lines(caplog)
    assert line["method"] == "GET" and line["status"] == 200
    assert line["route"] == "/articles/{slug}"
    assert line["duration_ms"] >= 0
    assert line["request_id"] == response.headers["x-request-id"]
    assert "query-value" not in json.dumps(line)


def test_unknown_paths_are_logged_and_carry_an_id_too(client, caplog):
    caplog.set_level(logging.INFO, logger="forum.access")
    response = client.get("/no/such/thing")
    assert response.status_code == 404
    (line,) = access_lines(caplog)
    assert line["status"] == 404 and line["route"] == "(unmatched)"
    assert response.headers["x-request-id"] == line["request_id"]


def test_a_sane_incoming_request_id_is_kept_and_a_hostile_one_replaced(client, caplog):
    caplog.set_level(logging.INFO, logger="forum.access")
    kept = client.get("/healthz", headers={"X-Request-ID": "abcdef123456"})
    assert kept.headers["x-request-id"] == "abcdef123456"
    replaced = client.get("/healthz", headers={"X-Request-ID": "evil\r\nSet-Cookie: x"})
    assert replaced.headers["x-request-id"] != "evil"
    assert len(replaced.headers["x-request-id"]) == 16


def test_logins_log_no_user_names_or_addresses(client, caplog, auth, make_user):
    make_user("janine")
    caplog.set_level(logging.DEBUG)
    auth.login("janine")
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("forum"))
    assert "janine" not in logged and "127.0.0.1" not in logged
