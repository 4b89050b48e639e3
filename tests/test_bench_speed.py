"""The speed benchmark's arithmetic (bench/speed*.py, issue 13): wrk's output read right, each
target judged met or missed against its ratio, the docs section replaced in place."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"

WRK_OUT = """Running 5s test @ http://127.0.0.1:8000/
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.42ms  540.12us   9.87ms   85.00%
    Req/Sec    11.23k     1.02k   12.50k    80.00%
  Latency Distribution
     50%  850.00us
     75%    1.60ms
     90%    1.98ms
     99%    1.50s
  55900 requests in 5.00s, 7.25MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:  11174.52
Transfer/sec:      1.45MB
"""


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCH))
    for name in ("speed", "speed_report", "speed_tools"):
        sys.modules.pop(name, None)


def rate(rps: float, p50: float = 10.0) -> dict[str, float]:
    return {"rps": rps, "p50_ms": p50, "p99_ms": p50 * 2, "requests": 100}


def results(visitor_rps: float, page_10k_p50: float) -> dict[str, Any]:
    sizes = ("speed-1k", "speed-10k", "speed-100k", "speed-flat-100k")
    single = {f"{k} 1 {s}": {"p50_ms": 10.0} for k in ("page", "json") for s in sizes}
    single["page 1 speed-10k"] = {"p50_ms": page_10k_p50}
    headers = {
        f"{k} 1 {s}": {"comments": 180, "bytes": 1000} for k in ("page", "json") for s in sizes
    }
    headers["visitor page"] = {"status": 200, "etag": '"a"', "cache_control": "private, no-cache"}
    headers["visitor page"]["revalidation_status"] = 304
    headers["reader page"] = {"status": 200, "etag": "", "cache_control": "no-store"}
    rates = {f"{k} 1 {s}": rate(100) for k in ("page", "json") for s in sizes}
    rates |= {"visitor page": rate(visitor_rps), "reader page": rate(100)}
    rates |= {"json 100": rate(2000), "json 100, 304": rate(5000), "healthz": rate(7000)}
    return {
        "machine": {"cores": "2", "cpu": "x", "python": "3.11", "wrk": "wrk", "load_before": "0"},
        "date": "today",
        "code": "HEAD",
        "command": "bench/speed.py",
        "seconds_per_run": 5,
        "stack": "stock (asyncio + h11)",
        "hello": {"stock (asyncio + h11)": rate(10_000)},
        "forum": {
            "rates": rates,
            "headers": headers,
            "single": single,
            "whole_thread": {"p50_ms": 30.0, "requests": 7, "comments": 1000},
            "floor": {"p50_ms": 10.0, "rows": 1000, "json_bytes": 1},
            "wire": {
                "identity": {"bytes": 1000},
                "gzip": {"bytes": 200, "content_encoding": "gzip"},
            },
            "static": [],
        },
        "memory": {
            "idle": {"rss_mib": 60},
            "peak": {"hwm_mib": 140},
            "10k visitor page": rate(100),
            "10k json": rate(100),
            "10k reader page": rate(100),
            "soak": {"seconds": 120, "rss_mib": [100, 105], "growth": 0.05, "paths": ["/"]},
            "logins": {"logins": 32, "ok": 32, "max_s": 6.0, "p50_s": 3.0, "statuses": {}},
        },
    }


def verdicts(section: str) -> dict[str, str]:
    """The summary table: target -> result."""
    lines = section.splitlines()
    start = lines.index("| target | measured | wanted | result |") + 2
    rows = [line.split(" | ") for line in lines[start : lines.index("", start)]]
    return {row[0].lstrip("| "): row[-1].rstrip(" |") for row in rows}


def test_wrk_output_is_read_in_milliseconds(bench: None) -> None:
    import speed_tools

    result = speed_tools.parse_wrk(WRK_OUT)

    assert result["rps"] == 11174.52
    assert result["requests"] == 55900
    assert result["p50_ms"] == 0.85
    assert result["p99_ms"] == 1500.0
    assert result["non_2xx_3xx"] == 3
    assert result["socket_errors"] == 3


def test_each_target_is_judged_by_its_ratio(bench: None) -> None:
    import speed_report

    met = verdicts(speed_report.section(results(visitor_rps=1000, page_10k_p50=14.0)))
    missed = verdicts(speed_report.section(results(visitor_rps=999, page_10k_p50=16.0)))

    name = "article page, 100 comments, visitor (1)"
    assert (met[name], missed[name]) == ("**met**", "**missed**")  # 10 % of 10,000 req/s
    name = "page 1 of 10,000 comments vs 1,000 (3)"
    assert (met[name], missed[name]) == ("**met**", "**missed**")  # 1.4× and 1.6× the p50
    assert met["whole 1,000-comment thread as JSON vs floor (4)"] == "**missed**"  # 3× the floor
    assert met["article page compressed (5)"] == "**met**"  # 20 %
    assert met["visitor page ETag + no-cache, 304; personal no-store (7)"] == "**met**"
    assert met["peak RSS, page 1 of 10,000 at c16 (8)"] == "**met**"
    assert met["32 simultaneous logins, slowest (9)"] == "**missed**"  # 6 s


def test_the_docs_section_is_replaced_and_the_others_kept(
    bench: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import speed

    docs = tmp_path / "performance.md"
    docs.write_text("# P\n\n## A\n\na\n\n## Speed targets (issue 13)\n\nold\n\n## B\n\nb\n")
    monkeypatch.setattr(speed, "DOCS", docs)

    speed.write_docs("## Speed targets (issue 13)\n\nnew\n", "## Speed targets (issue 13)")

    text = docs.read_text()
    assert "new" in text and "old" not in text
    assert text.index("## A") < text.index("new") < text.index("## B")
    assert text.count("## Speed targets") == 1


def test_the_whole_thread_is_judged_by_the_one_call_built_every_time(bench: None) -> None:
    import speed_report

    data = results(visitor_rps=1000, page_10k_p50=14.0)
    data["forum"]["whole_thread"] = {"p50_ms": 19.0, "requests": 1, "comments": 997}
    data["forum"]["whole_thread_cookieless"] = {"p50_ms": 0.7, "requests": 1, "comments": 997}
    data["memory"]["soak"] = {"seconds": 600, "rss_mib": [141, 142], "growth": 0.007, "paths": []}
    text = speed_report.section(data)

    assert verdicts(text)["whole 1,000-comment thread as JSON vs floor (4)"] == "**met**"  # 1.9×
    assert "a logged-in reader (built every time), one client | 19.0 | 1 | 997" in text
    assert "a client without cookies, one client | 0.7" in text
    assert "**600 s** (the issue's 10 minutes)" in text


def test_a_share_taken_back_to_back_is_judged_by_its_own_pair(bench: None) -> None:
    import speed_pairs
    import speed_report

    hello_runs = iter([20_000, 10_000, 30_000])
    forum_runs = iter([4_000, 3_500, 6_600])  # 20 %, 35 %, 22 % of the hello world just before

    def measure(server: str, path: str, seconds: float, **options: Any) -> dict[str, float]:
        return rate(next(hello_runs) if server == "hello" else next(forum_runs))

    runs = {"json 100, 304": ("/api/x", {})}
    paired = speed_pairs.paired(measure, "hello", "forum", runs, 5, rounds=3)["json 100, 304"]
    assert paired["share"] == 0.22 and paired["rps"] == 6_600 and paired["hello_rps"] == 30_000
    assert paired["shares"] == [0.2, 0.35, 0.22]

    data = results(visitor_rps=1000, page_10k_p50=14.0)
    data["forum"]["rates"]["json 100, 304"] = {**rate(5000), "share": 0.41, "shares": [0.41]}
    name = "JSON thread, 100 comments, `If-None-Match` → 304 (2)"
    assert verdicts(speed_report.section(data))[name] == "**met**"  # 41 %, not 5,000 / 10,000
    data["forum"]["rates"]["json 100, 304"]["share"] = 0.39
    assert verdicts(speed_report.section(data))[name] == "**missed**"


def test_the_whole_thread_ratio_is_the_median_round(bench: None) -> None:
    import speed_pairs

    calls = iter([{"p50_ms": x, "comments": 997} for x in (12.0, 9.0, 30.0)])
    floors = iter([{"p50_ms": x, "rows": 1000} for x in (4.0, 6.0, 10.0)])
    out = speed_pairs.whole_against_floor(lambda: next(calls), lambda: next(floors))
    assert out["whole_ratios"] == [3.0, 1.5, 3.0]
    assert out["whole_ratio"] == 3.0 and out["floor"]["p50_ms"] in (4.0, 10.0)
