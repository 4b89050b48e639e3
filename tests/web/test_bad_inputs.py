"""Awkward and hostile input from the public corpus: a clear 4xx or a harmless success,
never a 5xx or a traceback, and the server keeps serving."""

import base64
import json
from urllib.parse import quote_from_bytes, unquote_to_bytes

import pytest

from tests.conftest import shared_corpus

FORM_TARGETS = {"form", "json", "raw_body", "query", "path"}


def corpus_values() -> list[tuple[str, bytes]]:
    """(id, value as UTF-8 or raw bytes) for every text-like corpus entry, capped at 64 KiB."""
    values = []
    for line in shared_corpus("bad_inputs.jsonl").read_text().splitlines():
        item = json.loads(line)
        kind = item["kind"]
        if kind == "text":
            raw = item["value"].encode("utf-8", "surrogatepass")
        elif kind == "bytes":
            raw = base64.b64decode(item["b64"])
        elif kind == "repeat":
            text = item.get("prefix", "") + item["unit"] * item["count"] + item.get("suffix", "")
            raw = text.encode("utf-8", "surrogatepass")
        else:
            continue
        values.append((item["id"], raw[: 64 * 1024]))
    return values


def form_body(fields: dict[str, bytes]) -> bytes:
    return b"&".join(
        name.encode() + b"=" + quote_from_bytes(value, safe=b"").encode()
        for name, value in fields.items()
    )


def assert_handled(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"
    assert "Traceback" not in response.text, what


def test_registration_and_login_forms_handle_every_awkward_input(auth):
    token = auth.csrf_token().encode()
    for item_id, value in corpus_values():
        for field in ["username", "email", "display_name", "password"]:
            fields = {
                "_csrf_token": token,
                "username": b"fine-name",
                "email": b"fine@example.org",
                "password": b"a long enough passphrase",
                field: value,
            }
            response = auth.client.post(
                "/register",
                content=form_body(fields),
                headers={"content-type": "application/x-www-form-urlencoded"},
                follow_redirects=False,
            )
            assert_handled(response, f"{item_id} as {field}")
            if response.status_code == 303:
                auth.client.cookies.delete("forum_session")
        login = auth.client.post(
            "/login",
            content=form_body({"_csrf_token": token, "login": value, "password": value}),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert_handled(login, f"{item_id} as login")
    assert auth.client.get("/healthz").status_code == 200


@pytest.mark.parametrize(
    "path", ["/", "/articles/{v}", "/users/{v}", "/verify/{v}", "/password/reset/{v}"]
)
def test_query_and_path_values_are_handled(client, path):
    for item_id, value in corpus_values()[:200]:
        quoted = quote_from_bytes(value[:2000], safe=b"")
        url = path.replace("{v}", quoted or "x") + f"?page={quoted}&next={quoted}"
        assert_handled(client.get(url), f"{item_id} in {path}")


def test_an_oversized_body_is_refused_with_413(auth):
    token = auth.csrf_token()
    response = auth.client.post(
        "/login",
        content=b"_csrf_token=" + token.encode() + b"&login=" + b"A" * (2 * 1024 * 1024),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def test_malformed_json_gets_a_clear_400(auth):
    headers = {**auth.api_headers(), "content-type": "application/json"}
    for body in [b"{", b'{"login": "\\ud800", "password": 1}', b"[]", b'{"login": null}', b"\xff"]:
        response = auth.client.post("/api/session", content=body, headers=headers)
        assert response.status_code == 400, body


DEEP = 10_000


def json_write_routes(client) -> list[tuple[str, str]]:
    """(method, path template) of every route the OpenAPI schema says takes a JSON body."""
    schema = client.get("/schema/openapi.json").json()
    return [
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"[" * DEEP + b"]" * DEEP,
        b'{"a":' * DEEP + b"1" + b"}" * DEEP,
        b'{"body": ' + b"[" * DEEP + b"]" * DEEP + b"}",
    ],
    ids=["arrays", "objects", "inside-a-field"],
)
def test_a_deeply_nested_json_body_gets_a_400_problem_on_every_json_route(
    auth, make_user, make_article, post, body
):
    from forum.accounts.models import Role

    admin = make_user("boss", role=Role.ADMIN)
    article = make_article(slug="deep")
    comment = post(article, admin)
    auth.login("boss")
    routes = json_write_routes(auth.client)
    assert len(routes) >= 9 and ("POST", "/api/session") in routes, routes
    values = {"slug": "deep", "comment_id": str(comment.id), "appeal_id": "1", "username": "boss"}
    headers = {**auth.api_headers(), "content-type": "application/json"}
    for method, template in routes:
        path = template.format(**values)
        response = auth.client.request(method, path, content=body, headers=headers)
        assert response.status_code == 400, (method, template, response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "nested" in response.json()["detail"]
    assert auth.client.get("/healthz").status_code == 200


def static_names() -> list[tuple[str, str]]:
    """(label, percent-encoded name) under /static/: the corpus and generated awkward names."""
    names = [
        (item_id, quote_from_bytes(value[:9000], safe=b"")) for item_id, value in corpus_values()
    ]
    generated = {
        "256 bytes": "a" * 256,
        "255 two-byte letters": "é" * 255,
        "long folder": "a" * 300 + "/forum.css",
        "NUL": "forum.css\x00",
        "NUL inside": "for\x00um.css",
        "NUL folder": "\x00/forum.css",
        "4096 bytes": "b" * 4096,
        "deep path": "a/" * 2100 + "x",
    }
    for label, name in generated.items():
        names.append((label, quote_from_bytes(name.encode(), safe=b"/")))
    return [(label, name) for label, name in names if name]


def impossible_file_name(quoted: str) -> bool:
    """A NUL byte, or a path component the operating system refuses as too long."""
    raw = unquote_to_bytes(quoted)
    return b"\x00" in raw or any(len(part) > 255 for part in raw.split(b"/"))


def test_awkward_static_file_names_are_404_never_500(client):
    impossible = 0
    for label, name in static_names():
        response = client.get(f"/static/{name}")
        assert_handled(response, f"{label} under /static/")
        if impossible_file_name(name):
            impossible += 1
            assert response.status_code == 404, (label, response.status_code)
    assert impossible >= 30
    assert client.get("/static/forum.css").status_code == 200


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_non_ascii_unsubscribe_token_is_refused_with_400(client, method):
    for token in [
        "é",
        "é.é",
        "abc.dé",
        "%C3%A9.%FF",
        "%ED%A0%80.x",
        "x." + "ü" * 43,
        "\u2603" * 300,
    ]:
        response = getattr(client, method)(f"/notifications/unsubscribe/{token}")
        assert response.status_code == 400, (token, response.status_code)
