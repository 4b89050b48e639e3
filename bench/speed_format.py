"""Names, thresholds and number formats of the speed report (``speed_report.py``)."""

from __future__ import annotations

from typing import Any

PAGE_SIZES = ("speed-1k", "speed-10k", "speed-100k", "speed-flat-100k")
TREE_NAMES = {
    "speed-100": "100 comments",
    "speed-1k": "1,000 comments",
    "speed-10k": "10,000 comments",
    "speed-100k": "100,000 comments",
    "speed-flat-100k": "100,000 top-level comments",
}
PAGE_BOUND = 250
"""Target 6 says "a set number of comments (a setting, about 200)": met up to 250."""


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "**missed**")


def rate(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else (f"{x:.1f}" if x >= 1 else f"{x:.3f}")


def pct(x: float) -> str:
    return f"{x:.1%}" if x < 0.1 else f"{x:.0%}"


def ceiling(results: dict[str, Any]) -> dict[str, Any]:
    """Each stack's hello world, the better of its runs before and after the forum's (the
    machine is shared: the ceiling is what the stack can do, not a busy moment)."""
    before, after = results.get("hello") or {}, results.get("hello_after") or {}
    if "error" in before or "error" in after:
        return before if "error" not in before else after
    out = {}
    for name, m in before.items():
        again = after.get(name) or {}
        best = m if m.get("rps", 0) >= again.get("rps", 0) else again
        out[name] = {**best, "runs": [m.get("rps", 0), again.get("rps")]}
    return out


def whole_thread_table(forum: dict[str, Any]) -> list[str]:
    """Target 4's table: the one call (a reader's, a cookieless client's), every page and link,
    and the floor."""
    floor, url = forum["floor"], "`GET /api/articles/speed-1k/comments?all=1`"
    pages = "`GET /api/articles/speed-1k/comments`, every page and `more` link"
    rows = [
        (f"{url}, a logged-in reader (built every time)", forum.get("whole_thread")),
        (f"{url}, a client without cookies", forum.get("whole_thread_cookieless")),
        (pages, forum.get("whole_thread_pages")),
    ]
    lines = [
        "| what | p50 ms | requests | comments | JSON bytes |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, got in rows:
        if got:
            lines.append(
                f"| {name}, one client | {got['p50_ms']:.1f} | {got['requests']} "
                f"| {got['comments']:,} | {got.get('json_bytes') or ''} |"
            )
    lines.append(
        f"| floor: one indexed SELECT + nesting + `json.dumps`, in-process "
        f"| {floor['p50_ms']:.1f} | | {floor['rows']:,} | {floor['json_bytes']:,} |"
    )
    return lines


CEILING_TARGETS: tuple[tuple[str, str, float | None], ...] = (
    ("visitor page", "article page, 100 comments, visitor (1)", 0.10),
    ("reader page", "article page, 100 comments, logged-in reader (1)", 0.03),
    (
        "reader page, first load",
        "… the same reader, a page not loaded before (a new address each time)",
        None,
    ),
    ("json 100", "JSON thread, 100 comments (2)", 0.15),
    ("json 100, 304", "JSON thread, 100 comments, `If-None-Match` → 304 (2)", 0.40),
    ("healthz", "`/healthz` (2)", 0.60),
    ("visitor page, 304", "article page, visitor, `If-None-Match` → 304 (7)", None),
)
"""Targets 1 and 2: (rate's name, row label, least share of the hello world or None)."""

PAIRED_NOTE = (
    ": each target's is taken **back to back**, the request's wrk run right after "
    "one of the hello world on a second idle server, in three rounds over all "
    "these requests, and the median round counts (`bench/speed_pairs.py`; the "
    "columns before it divide by the best hello world of the whole run instead). "
    "The logged-in reader's repeated load is answered by the reader cache "
    "(`forum/web/reader_cache.py`: their own page kept for their exact request, "
    "for at most `FORUM_FRONT_CACHE_MS`); the row after it is the same reader "
    "asking for a page they did not load before (a new query string each time): "
    "what a first load costs"
)


def isso_lines(isso: dict[str, Any] | None, rates: dict[str, Any]) -> list[str]:
    """The peer's section: isso's req/s on the same trees against our JSON page 1."""
    lines = ["### The peer: isso on the same trees", ""]
    if not isso:
        return [*lines, "Skipped in this run (`--skip-isso`)."]
    if "error" in isso:
        return [*lines, f"isso could not be run: {isso['error']}"]
    lines += [
        f"isso {isso['version']} (`isso run`, werkzeug, threaded) from `bench/.isso-venv`, "
        "loaded with the same trees (its one level of nesting); `GET /?uri=/thread` "
        "(every comment) against our JSON page 1, c16:",
        "",
        "(† one client: isso took over 400 ms for one request, too slow for c16.)",
        "",
        "| tree | isso req/s | isso p50 ms | ours req/s | ours p50 ms | ours ÷ isso |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for slug, m in isso.items():
        if not isinstance(m, dict):
            continue
        ours = rates.get("json 100" if slug == "speed-100" else f"json 1 {slug}") or {}
        ratio = f"{ours.get('rps', 0) / m['rps']:.1f}×" if m.get("rps") else "—"
        mark = " †" if m.get("single") else ""
        lines.append(
            f"| {TREE_NAMES[slug]} | {rate(m['rps'])}{mark} | {m.get('p50_ms')}{mark} | "
            f"{rate(ours.get('rps', 0))} | {ours.get('p50_ms')} | {ratio} |"
        )
    return [*lines, ""]


def wire_table(wire: dict[str, Any]) -> tuple[list[str], float]:
    """The article page's bytes on the wire in each encoding, and the best compressed share."""
    raw = (wire.get("identity") or {}).get("bytes", 0)
    lines = [
        "| `Accept-Encoding` of the 100-comment article page | Content-Encoding | bytes "
        "on the wire | share |",
        "| --- | --- | ---: | ---: |",
    ]
    best = 1.0
    for enc, m in wire.items():
        share = m["bytes"] / raw if raw else 0
        if enc != "identity":
            best = min(best, share if m.get("content_encoding") else 1.0)
        lines.append(
            f"| {enc} | {m.get('content_encoding') or '—'} | {m['bytes']:,} | {pct(share)} |"
        )
    return lines, best
