"""In-process and single-client measurements of the speed benchmark (issue 13): the floor of a
whole thread, fetching a whole thread as JSON, what a page carries, its headers, logins."""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')
COMMENT_ID = re.compile(r'id="comment-(\d+)"')
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')
HASHED = re.compile(r"[.-][0-9a-f]{8,}\.|[?&]v=[0-9a-zA-Z]{6,}")
FLOOR_SQL = """
SELECT c.id, c.parent_id, c.depth, c.status, c.body_html, c.created_at, c.edited_at,
       c.author_name, u.username, u.display_name
FROM comments c LEFT JOIN users u ON u.id = c.author_id
WHERE c.article_id = ? ORDER BY c.root_seq, c.path
"""


def p50(values: list[float]) -> float:
    return round(statistics.median(values), 3) if values else float("nan")


def floor_ms(db_file: Path, slug: str, repeat: int = 40) -> dict[str, Any]:
    """One indexed SELECT of a thread's rows + nesting + JSON encoding, in plain Python."""
    con = sqlite3.connect(db_file)
    article_id = con.execute("SELECT id FROM articles WHERE slug = ?", (slug,)).fetchone()[0]
    plan = " ".join(
        str(r[-1]) for r in con.execute("EXPLAIN QUERY PLAN " + FLOOR_SQL, (article_id,))
    )
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        nodes: dict[int, dict[str, Any]] = {}
        top: list[dict[str, Any]] = []
        for row in con.execute(FLOOR_SQL, (article_id,)):
            cid, parent, _depth, status, html, created, edited, name, username, display = row
            deleted = status != "published"
            node = {
                "id": cid,
                "parent_id": parent,
                "author": None if deleted else (display or name),
                "author_username": None if deleted else username,
                "html": "" if deleted else html,
                "status": status,
                "created_at": created,
                "edited_at": edited,
                "replies": [],
            }
            nodes[cid] = node
            (nodes[parent]["replies"] if parent in nodes else top).append(node)
        size = len(json.dumps({"comments": top}).encode())
        times.append((time.perf_counter() - started) * 1000)
    con.close()
    return {"p50_ms": p50(times), "rows": len(nodes), "json_bytes": size, "plan": plan}


def _walk(value: Any, ids: set[int], links: list[str]) -> None:
    """Comment ids and links to more of the thread, wherever the JSON puts them."""
    if isinstance(value, dict):
        if isinstance(value.get("id"), int) and ("body_html" in value or "replies" in value):
            ids.add(value["id"])
        for key, item in value.items():
            if (
                isinstance(item, str)
                and item.startswith(("/api/", "http"))
                and any(word in key for word in ("more", "next", "rest", "url", "href"))
                and "/comments" in item
            ):
                links.append(item)
            else:
                _walk(item, ids, links)
    elif isinstance(value, list):
        for item in value:
            _walk(item, ids, links)


def count_comments(payload: Any) -> int:
    ids: set[int] = set()
    _walk(payload, ids, [])
    return len(ids)


def fetch_thread(client: httpx.Client, slug: str) -> dict[str, Any]:
    """Every comment of a thread through the JSON API: page 1, then ``?page=N`` up to
    ``pages``, then any link to more of it that the answers carry (``Link: rel=next`` too)."""
    ids: set[int] = set()
    queue = [f"/api/articles/{slug}/comments"]
    seen: set[str] = set()
    requests = 0
    while queue and requests < 500:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        requests += 1
        response.raise_for_status()
        payload = response.json()
        links: list[str] = []
        _walk(payload, ids, links)
        if (
            "page=" not in url
            and isinstance(payload, dict)
            and isinstance(payload.get("pages"), int)
        ):
            links += [f"{url}?page={n}" for n in range(2, payload["pages"] + 1)]
        if nxt := response.links.get("next", {}).get("url"):
            links.append(nxt)
        queue += links
    return {"comments": len(ids), "requests": requests}


def sequential_ms(base: str, path: str) -> dict[str, Any]:
    """p50 of one client's requests: 5 after a warm-up, or 2 in all when one takes over 2 s
    (1 when it takes over 10 s)."""
    times: list[float] = []
    with httpx.Client(base_url=base, timeout=300) as client:
        for n in range(6):
            started = time.perf_counter()
            client.get(path).raise_for_status()
            elapsed = (time.perf_counter() - started) * 1000
            if n or elapsed > 2000:
                times.append(elapsed)
            if times and times[-1] > 2000 and (len(times) >= 2 or times[-1] > 10_000):
                break
    return {"p50_ms": p50(times), "requests": len(times)}


def interleaved_ms(base: str, paths: list[str], rounds: int = 15) -> dict[str, dict[str, Any]]:
    """p50 of one client's requests to each of ``paths``, taken in rounds (one request to
    every path in turn, after a warm-up round), so that a busy moment of a shared machine
    falls on every path alike: what a ratio between them needs. A path slower than 2 s in
    the warm-up is timed alone (``sequential_ms``) and left out of the rounds."""
    times: dict[str, list[float]] = {path: [] for path in paths}
    slow: dict[str, dict[str, Any]] = {}
    with httpx.Client(base_url=base, timeout=300) as client:
        for path in paths:
            started = time.perf_counter()
            client.get(path).raise_for_status()
            if time.perf_counter() - started > 2:
                slow[path] = sequential_ms(base, path)
        for _ in range(rounds):
            for path in paths:
                if path in slow:
                    continue
                started = time.perf_counter()
                client.get(path).raise_for_status()
                times[path].append((time.perf_counter() - started) * 1000)
    return {
        path: slow.get(path) or {"p50_ms": p50(times[path]), "requests": len(times[path])}
        for path in paths
    }


def whole_thread_ms(base: str, slug: str, repeat: int = 15) -> dict[str, Any]:
    with httpx.Client(base_url=base, timeout=120) as client:
        fetch_thread(client, slug)
        times, last = [], {}
        for _ in range(repeat):
            started = time.perf_counter()
            last = fetch_thread(client, slug)
            times.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": p50(times), **last}


def whole_call_ms(
    base: str, slug: str, cookie: str | None = None, repeat: int = 15
) -> dict[str, Any]:
    """The whole thread in one call (``?all=1``), one client on one kept-alive connection: p50
    of the request with its body read, not decoded (the floor encodes and does not decode), in
    identity encoding (the floor does not compress); comments counted once, outside the timing.
    ``cookie``: the Cookie header sent (a browser's, or a logged-in reader's); without one,
    every answer is the first a cookieless client gets."""
    host, port = base.removeprefix("http://").split(":")
    path = f"/api/articles/{slug}/comments?all=1"
    headers = {"Accept-Encoding": "identity", **({"Cookie": cookie} if cookie else {})}
    connection = http.client.HTTPConnection(host, int(port), timeout=120)
    times: list[float] = []
    body, etag = b"", ""
    try:
        for n in range(repeat + 1):
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            if n:
                times.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status}")
            etag = response.getheader("ETag") or ""
        connection.request("GET", path, headers={**headers, "If-None-Match": etag})
        revalidated = connection.getresponse()
        revalidated.read()
    finally:
        connection.close()
    return {
        "p50_ms": p50(times),
        "requests": 1,
        "comments": count_comments(json.loads(body)),
        "json_bytes": len(body),
        "revalidation_status": revalidated.status,
    }


def logged_in_cookie(base: str, username: str, password: str) -> str:
    """The Cookie header of a reader logged in through the real form."""
    with httpx.Client(base_url=base, timeout=60) as client:
        token = CSRF_FIELD.search(client.get("/login").text)
        if not token:
            raise RuntimeError("the login form has no CSRF token")
        response = client.post(
            "/login",
            data={"login": username, "password": password, "_csrf_token": token.group(1)},
            headers={"X-Forwarded-For": "192.0.2.50"},
        )
        if response.status_code not in (302, 303):
            raise RuntimeError(f"login failed: {response.status_code} {response.text[:200]}")
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


async def _one_login(client: httpx.AsyncClient, n: int, username: str, password: str, token: str):
    started = time.perf_counter()
    response = await client.post(
        "/login",
        data={"login": username, "password": password, "_csrf_token": token},
        headers={"X-Forwarded-For": f"198.51.100.{n + 1}"},
    )
    return response.status_code, time.perf_counter() - started


async def _logins(base: str, users: list[str], password: str) -> list[tuple[int, float]]:
    clients = [httpx.AsyncClient(base_url=base, timeout=120) for _ in users]
    try:
        tokens = []
        for client in clients:
            page = await client.get("/login")
            match = CSRF_FIELD.search(page.text)
            tokens.append(match.group(1) if match else "")
        return await asyncio.gather(
            *(
                _one_login(client, n, user, password, token)
                for n, (client, user, token) in enumerate(zip(clients, users, tokens, strict=True))
            )
        )
    finally:
        for client in clients:
            await client.aclose()


def simultaneous_logins(base: str, users: list[str], password: str) -> dict[str, Any]:
    started = time.perf_counter()
    answers = asyncio.run(_logins(base, users, password))
    seconds = sorted(s for _, s in answers)
    statuses: dict[str, int] = {}
    for status, _ in answers:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "logins": len(answers),
        "statuses": statuses,
        "ok": sum(1 for status, _ in answers if status in (302, 303)),
        "p50_s": round(statistics.median(seconds), 2),
        "max_s": round(seconds[-1], 2),
        "wall_s": round(time.perf_counter() - started, 2),
    }


def headers_of(
    base: str, path: str, cookie: str | None = None, *, revalidate: bool = True
) -> dict[str, Any]:
    """Status, validators and caching of one answer, and its 304 with ``If-None-Match``."""
    extra = {"Cookie": cookie} if cookie else {}
    with httpx.Client(base_url=base, timeout=60) as client:
        started = time.perf_counter()
        response = client.get(path, headers=extra)
        out: dict[str, Any] = {
            "ms": round((time.perf_counter() - started) * 1000, 1),
            "status": response.status_code,
            "bytes": len(response.content),
            "etag": response.headers.get("etag", ""),
            "cache_control": response.headers.get("cache-control", ""),
            "vary": response.headers.get("vary", ""),
        }
        if out["etag"] and revalidate:
            again = client.get(path, headers={**extra, "If-None-Match": out["etag"]})
            out["revalidation_status"] = again.status_code
        if "json" in response.headers.get("content-type", ""):
            out["comments"] = count_comments(response.json())
        else:
            out["comments"] = len(set(COMMENT_ID.findall(response.text)))
        out["assets"] = sorted(set(ASSET.findall(response.text)))[:10]
    return out


def static_assets(base: str, assets: list[str]) -> list[dict[str, Any]]:
    out = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for path in assets:
            response = client.get(path)
            out.append(
                {
                    "path": path,
                    "status": response.status_code,
                    "cache_control": response.headers.get("cache-control", ""),
                    "hashed_name": bool(HASHED.search(path)),
                }
            )
    return out
