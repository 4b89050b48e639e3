"""Awkward and hostile input from the public corpus: a clear 4xx or a harmless success,
never a 5xx or a traceback, and the server keeps serving."""

import base64
import json
from urllib.parse import quote_from_bytes

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
