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
