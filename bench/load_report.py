"""What a fault scenario's requests add up to (phases, ratios, recovery), and the "Load and
faults (issue 12)" section of docs/performance.md built from bench/results/fault-*.json.
Standard library only."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DOCS = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- faults:begin -->", "<!-- faults:end -->"
TRAFFIC = {"page", "thread", "post", "me"}
RECOVERY = 5.0  # seconds after the fault ends that are counted on their own


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}×" if a is not None and b else "–"


def failed(status: int) -> bool:
    return status == 0 or status == 429 or status >= 500


def counts(events: list[list]) -> dict[str, object]:
    statuses = [e[3] for e in events]
    times = [e[2] - e[1] for e in events if e[3]]
    return {
        "requests": len(events),
        "ok": sum(1 for s in statuses if 0 < s < 400),
        "5xx_not_503": sum(1 for s in statuses if s >= 500 and s != 503),
        "503": statuses.count(503),
        "429": statuses.count(429),
        "no_answer": statuses.count(0),
        "other_4xx": sum(1 for s in statuses if 400 <= s < 500 and s != 429),
        "p50": pct(times, 0.5),
        "p95": pct(times, 0.95),
    }


def fault_summary(raw: dict) -> dict[str, object]:
    """Requests by when they were sent: before, during, 0-5 s after the fault, later."""
    start, end = raw["marks"]["fault_start"], raw["marks"]["fault_end"]
    traffic = [e for e in raw["events"] if e[0] in TRAFFIC]
    windows = {
        f"0–{RECOVERY:.0f} s after it ended": (end, end + RECOVERY),
        f"later than {RECOVERY:.0f} s": (end + RECOVERY, float("inf")),
    }
    phases = {
        "before the fault (answered before it)": counts(
            [e for e in traffic if e[1] < start and e[2] <= start]
        ),
        "in flight when it began": counts([e for e in traffic if e[1] < start < e[2]]),
        "during the fault": counts([e for e in traffic if start <= e[1] < end]),
    }
    phases |= {
        name: counts([e for e in traffic if lo <= e[1] < hi]) for name, (lo, hi) in windows.items()
    }
    answered_in_window = [e for e in traffic if end <= e[2] < end + RECOVERY and failed(e[3])]
    late = [e[2] - end for e in traffic if e[2] >= end and failed(e[3])]
    first_ok = {
        kind: min(
            (round(e[2] - end, 2) for e in traffic if e[0] == kind and e[1] >= end and e[3] < 400),
            default=None,
        )
        for kind in sorted(TRAFFIC)
    }
    readyz = [e for e in raw["events"] if e[0] == "readyz" and e[1] < end and e[2] > start]
    return {
        "fault_seconds": round(end - start, 1),
        "phases": phases,
        "failures_answered_0_5s_after": len(answered_in_window),
        "last_failure_after_end_s": round(max(late), 2) if late else None,
        "first_success_after_end_s": first_ok,
        "readyz_during_fault": {
            "probes": len(readyz),
            "statuses": sorted({e[3] for e in readyz}),
            "slowest_s": round(max((e[2] - e[1] for e in readyz), default=0), 2),
        },
    }


def split_summary(raw: dict, kind: str, lo_mark: str, hi_mark: str) -> dict[str, object]:
    """Requests of one kind sent inside [lo_mark, hi_mark) against the ones sent outside."""
    lo, hi = raw["marks"][lo_mark], raw["marks"].get(hi_mark, float("inf"))
    events = [e for e in raw["events"] if e[0] == kind]
    inside = counts([e for e in events if lo <= e[1] < hi])
    outside = counts([e for e in events if not lo <= e[1] < hi])
    return {
        "inside": inside,
        "outside": outside,
        "p50_ratio": ratio(inside["p50"], outside["p50"]),
        "p95_ratio": ratio(inside["p95"], outside["p95"]),
    }


def summarize(name: str, raw: dict) -> dict[str, object]:
    if name in {"redis-paused", "pg-frozen"}:
        return fault_summary(raw)
    if name == "login-burst":
        summary = split_summary(raw, "post", "burst_start", "burst_end")
        logins = [e for e in raw["events"] if e[0] == "login"]
        summary["logins"] = counts(logins)
        summary["login_statuses"] = sorted({e[3] for e in logins})
        summary["burst_seconds"] = round(raw["marks"]["burst_end"] - raw["marks"]["burst_start"], 1)
        summary["owner_login"] = [e[3] for e in raw["events"] if e[0] == "owner-login"]
        return summary
    summary = split_summary(raw, "post", "load_start", "load_end")
    seconds = raw["marks"]["load_end"] - raw["marks"]["load_start"]
    summary["posts_per_second"] = round(summary["inside"]["requests"] / seconds, 1)
    alone = summary["outside"]["requests"] / raw["marks"]["load_start"]
    summary["posts_per_second_alone"] = round(alone, 1)
    return summary


COLUMNS = "| requests | answered < 400 | 5xx (not 503) | 503 | 429 | no answer | other 4xx |"


def row(label: str, c: dict, extra: str) -> str:
    return (
        f"| {label} | {c['requests']} | {c['ok']} | {c['5xx_not_503']} | {c['503']} | "
        f"{c['429']} | {c['no_answer']} | {c['other_4xx']} | {extra} |"
    )


def comment_lines(raw: dict) -> list[str]:
    c, log = raw["comments"], raw["server_log"]
    return [
        f"- comments: {c['posts']} posted, {c['acknowledged']} acknowledged (201), "
        f"**{c['lost']} lost** (acknowledged but not stored), **{c['duplicated']} duplicated** "
        f"(extra rows of one post), {c['stored_without_acknowledgement']} stored without an "
        f"acknowledgement; {c['retries']} retries (same Idempotency-Key)",
        f"- server log: lines besides the access log {log['log_lines_besides_access_log']} "
        f"(the start-up line included), tracebacks {log['log_lines_traceback']}, lines naming "
        f"'database is locked' {log['log_lines_database_is_locked']}; "
        f"answers saying 'database is locked': {raw['database_is_locked_answers']}",
    ]


def fault_table(raw: dict) -> list[str]:
    s = raw["summary"]
    before = next(iter(s["phases"].values()))["p95"]
    lines = [
        f"| sent | {COLUMNS[2:]} p95 vs before |",
        "| --- | " + " | ".join(["---:"] * 8) + " |",
    ]
    lines += [row(name, c, ratio(c["p95"], before)) for name, c in s["phases"].items()]
    r = s["readyz_during_fault"]
    firsts = ", ".join(f"{k} {v} s" for k, v in s["first_success_after_end_s"].items())
    return [
        *lines,
        "",
        f"- failures answered 0–5 s after the fault ended (whenever sent): "
        f"**{s['failures_answered_0_5s_after']}**; "
        + (
            f"the last failure was answered {last} s after it ended"
            if (last := s["last_failure_after_end_s"]) is not None
            else "no failure was answered after it ended"
        ),
        f"- first success sent after the fault ended: {firsts}",
        f"- `/readyz` during the fault: {r['probes']} probes, statuses {r['statuses']}, "
        f"slowest answer {r['slowest_s']} s (target: within 2 s)",
        *comment_lines(raw),
    ]


def split_table(raw: dict, inside: str, outside: str) -> list[str]:
    s = raw["summary"]
    lines = [
        f"| posts sent | {COLUMNS[2:]} p50 / p95 |",
        "| --- | " + " | ".join(["---:"] * 8) + " |",
        row(outside, s["outside"], "1× / 1× (baseline)"),
        row(inside, s["inside"], f"{s['p50_ratio']} / {s['p95_ratio']}"),
        "",
    ]
    if raw["scenario"] == "login-burst":
        logins = s["logins"]
        lines.append(
            f"- the burst: {logins['requests']} logins in {s['burst_seconds']} s, statuses "
            f"{s['login_statuses']} ({logins['429']} × 429, {logins['5xx_not_503']} × 5xx, "
            f"{logins['no_answer']} unanswered); then the owner's own login from another "
            f"address: {s['owner_login']}"
        )
    else:
        lines.append(
            f"- posts per second: {s['posts_per_second_alone']} with one writer, "
            f"{s['posts_per_second']} with {raw['settings']['writers']} "
            f"({ratio(s['posts_per_second'], s['posts_per_second_alone'])}): the writes take "
            "turns, so each waits longer and the total stays about the same"
        )
    return lines + comment_lines(raw)


TITLES = {
    "login-burst": "Login burst while others post (SQLite)",
    "sqlite-writers": "Concurrent writers (SQLite)",
    "redis-paused": "Redis frozen (PostgreSQL + Redis)",
    "pg-frozen": "PostgreSQL frozen (PostgreSQL + Redis)",
}
INTRO = """\
`bench/load.py --scenario NAME` starts `forum serve --workers 2` on 127.0.0.1 over a fresh
database (an article, 20 moderators with access tokens, so no post waits for pre-moderation),
with rate limits raised far above the bench's traffic (login throttling keeps its defaults),
sends bounded traffic and injects one fault. PostgreSQL runs use a scratch database on the
machine's server and a **private** `redis-server` (frozen with SIGSTOP, thawed with SIGCONT;
the machine's Redis is shared and left alone); `pg-frozen` puts a small TCP proxy
(`bench/tcp_proxy.py`) between the app and PostgreSQL and freezes it the same way: connections
stay open and no byte moves, as with a hung database. Traffic in the fault scenarios: 8 clients,
40 % article pages and 30 % JSON threads (anonymous), 15 % API comment posts, 15 % `GET
/api/me` with a session cookie (needs the session store), and `/readyz` once a second. A client
gives up after 10 s ("no answer"). Each comment carries a unique marker and an
`Idempotency-Key`; on no answer, 429 or 5xx it is retried up to twice with the same key
(waiting `Retry-After`, at most 3 s); afterwards the database is searched for every marker:
**lost** = acknowledged with 201 but not stored, **duplicated** = more than one row for one post.
Requests are counted by when they were sent (before, in flight when it began, during, 0–5 s
after, later than 5 s after the fault), and failures *answered* 0–5 s after the fault ended
are counted on their own, so the recovery window is not hidden. The machine is shared and
noisy: latencies are given as ratios against a baseline measured in the same run, not as bare
milliseconds."""


def docs_section(results: list[dict]) -> str:
    lines = [BEGIN, "## Load and faults (issue 12)", "", INTRO, ""]
    for raw in results:
        name = raw["scenario"]
        raw["summary"] = summarize(name, raw)  # from the raw events: the report may have changed
        lines += [f"### {TITLES[name]}", "", f"`.venv/bin/python {raw['command']}` — {raw['date']}"]
        lines += [f"({raw['seconds']} s), code under test: {raw['code']}; {raw['machine']}.", ""]
        if name in {"redis-paused", "pg-frozen"}:
            lines += fault_table(raw)
        elif name == "login-burst":
            lines += split_table(raw, "sent while the burst ran", "sent before or after it")
        else:
            writers = raw["settings"]["writers"]
            lines += split_table(raw, f"{writers} writers at once", "one writer alone")
        lines.append("")
    lines += [
        "Rebuild this section from bench/results/fault-*.json with "
        "`.venv/bin/python bench/load.py --write-docs-only`.",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_docs() -> None:
    order = {name: n for n, name in enumerate(TITLES)}
    results = sorted(
        (json.loads(p.read_text()) for p in RESULTS.glob("fault-*.json")),
        key=lambda raw: order[raw["scenario"]],
    )
    text = DOCS.read_text()
    section = docs_section(results)
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END) + 1 :]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOCS.write_text(text)
