"""The "Speed targets (issue 13)" section of docs/performance.md from ``bench/speed.py``'s raw
results: each target met or missed, with the ratio measured in the same run."""

from __future__ import annotations

import re
from typing import Any

from speed_format import (
    CEILING_TARGETS,
    PAGE_BOUND,
    PAGE_SIZES,
    PAIRED_NOTE,
    TREE_NAMES,
    ceiling,
    isso_lines,
    pct,
    rate,
    verdict,
    whole_thread_table,
    wire_table,
)

HEADING = "## Speed targets (issue 13)"


class Report:
    def __init__(self, results: dict[str, Any]) -> None:
        self.r = results
        self.lines: list[str] = []
        self.summary: list[tuple[str, str, str, bool | None]] = []
        forum = results.get("forum") or {}
        self.rates = forum.get("rates") or {}
        self.headers = forum.get("headers") or {}
        self.hello = ceiling(results)
        hello = self.hello
        stack = results.get("stack", "")
        self.ceiling_name = stack if stack in hello else next(iter(hello), "")
        self.ceiling = (hello.get(self.ceiling_name) or {}).get("rps", 0.0)

    def w(self, line: str = "") -> None:
        self.lines.append(line)

    def target(self, name: str, measured: str, wanted: str, ok: bool | None) -> None:
        self.summary.append((name, measured, wanted, ok))

    def share(self, name: str) -> float:
        """The share of the hello world: taken back to back when the run did (``speed_pairs``),
        else against the ceiling measured before and after."""
        m = self.rates.get(name) or {}
        if "share" in m:
            return float(m["share"])
        return m.get("rps", 0.0) / self.ceiling if self.ceiling else 0.0

    # --- targets ---------------------------------------------------------------------------

    def ceiling_targets(self) -> None:
        hello = self.hello
        self.w("### Against the hello-world ceiling (targets 1 and 2)")
        self.w()
        if "error" in hello or not self.ceiling:
            self.w(f"The ceiling could not be measured: {hello.get('error')}")
            return
        names = [n for n in hello if n != "error"]
        head = " | ".join(f"share of {n}" for n in names)
        paired = any("share" in (m or {}) for m in self.rates.values())
        pairs_head = " hello world just before | back-to-back share (rounds) |" if paired else ""
        self.w(f"| request | req/s | p50 ms | p99 ms | {head} |{pairs_head} target | result |")
        self.w(
            "| --- | ---: | ---: | ---: | "
            + "---: | " * (len(names) + (2 if paired else 0))
            + "---: | --- |"
        )
        for name in names:
            h = hello[name]
            cells = " | ".join("100 %" if n == name else "" for n in names)
            runs = " / ".join(f"{x:,.0f}" for x in h.get("runs", []) if x)
            self.w(
                f"| hello world, {name} (before / after: {runs}) | {h['rps']:,.0f} | "
                f"{h.get('p50_ms', '')} | "
                f"{h.get('p99_ms', '')} | {cells} |{' | |' if paired else ''} | |"
            )
        for name, label, goal in CEILING_TARGETS:
            if name in self.rates:
                self.ceiling_row(name, label, goal, names, paired)
        self.w()
        self.w(
            f"Shares are req/s against the hello world on the stack `forum serve` runs on "
            f"(**{self.ceiling_name}**: uvicorn's `auto` picks uvloop and httptools when they "
            "are installed)"
            + (PAIRED_NOTE if paired else "")
            + ". Statuses checked before timing: "
            + ", ".join(
                f"{k} {v.get('status')}"
                + (f" → {v['revalidation_status']} on `If-None-Match`" if v.get("etag") else "")
                for k, v in self.headers.items()
                if k in ("visitor page", "reader page", "json 100")
            )
            + "."
        )
        self.w()

    def ceiling_row(
        self, name: str, label: str, goal: float | None, names: list[str], paired: bool
    ) -> None:
        """One request's row: its shares of each hello world (and of the one just before it,
        when the run ``paired``), judged against ``goal`` when it has one."""
        hello = self.hello
        m = self.rates.get(name) or {}
        shares = " | ".join(
            pct(m.get("rps", 0) / hello[n]["rps"]) if hello[n].get("rps") else "" for n in names
        )
        ok = None if goal is None else self.share(name) >= goal
        wanted = "" if goal is None else f"≥ {goal:.0%}"
        bad = m.get("non_2xx_3xx", 0) + m.get("socket_errors", 0)
        note = f" ({bad:,} errors/non-2xx)" if bad else ""
        pair = ""
        if paired:
            rounds = ", ".join(pct(x) for x in m.get("shares", []))
            before = f"{m['hello_rps']:,.0f}" if m.get("hello_rps") else ""
            pair = f" {before} | **{pct(self.share(name))}** ({rounds}) |"
        self.w(
            f"| {label}{note} | {m.get('rps', 0):,.0f} | {m.get('p50_ms', '')} | "
            f"{m.get('p99_ms', '')} | {shares} |{pair} {wanted} | "
            f"{verdict(ok) if wanted else '(no target)'} |"
        )
        if goal is not None:
            self.target(label, pct(self.share(name)), wanted, ok)

    def size_targets(self) -> None:
        self.w("### Page 1 whatever the thread's size (target 3) and bounded pages (target 6)")
        self.w()
        single = (self.r.get("forum") or {}).get("single") or {}

        def rps(name: str) -> str:
            m = self.rates.get(name) or {}
            return rate(m.get("rps", 0)) + (" †" if m.get("single") else "")

        self.w(
            "| thread | HTML p50 ms, one client | HTML req/s, c16 | JSON p50 ms, one client "
            "| JSON req/s, c16 | comments on page 1 (HTML / JSON) | HTML bytes |"
        )
        self.w("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for slug in PAGE_SIZES:
            hp = self.headers.get(f"page 1 {slug}") or {}
            hj = self.headers.get(f"json 1 {slug}") or {}
            sp = single.get(f"page 1 {slug}") or {}
            sj = single.get(f"json 1 {slug}") or {}
            self.w(
                f"| {TREE_NAMES[slug]} | {sp.get('p50_ms')} | {rps(f'page 1 {slug}')} | "
                f"{sj.get('p50_ms')} | {rps(f'json 1 {slug}')} | "
                f"{hp.get('comments', 0):,} / {hj.get('comments', 0):,} | {hp.get('bytes', 0):,} |"
            )
        self.w()
        self.w(
            "† too slow for wrk at c16 (one client over 400 ms: 16 queued requests would "
            "outlast the run): req/s of one client, which one worker serves about as fast."
        )
        self.w()
        self.size_ratios(single)

    def size_ratios(self, single: dict[str, Any]) -> None:
        self.w(
            "| against page 1 of 1,000 comments | HTML p50 | HTML req/s | JSON p50 | "
            "JSON req/s | target | result |"
        )
        self.w("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
        for slug in PAGE_SIZES[1:]:
            ratios = []
            for kind in ("page", "json"):
                b_single = (single.get(f"{kind} 1 speed-1k") or {}).get("p50_ms") or 0
                m_single = (single.get(f"{kind} 1 {slug}") or {}).get("p50_ms") or 0
                ratios.append(m_single / b_single if b_single else 99)
                b = (self.rates.get(f"{kind} 1 speed-1k") or {}).get("rps", 0)
                m = (self.rates.get(f"{kind} 1 {slug}") or {}).get("rps", 0)
                ratios.append(b / m if m else 99)
            ok = max(ratios) <= 1.5
            cells = " | ".join(f"{x:.2f}×" for x in ratios)
            self.w(f"| {TREE_NAMES[slug]} | {cells} | ≤ 1.5× | {verdict(ok)} |")
            self.target(
                f"page 1 of {TREE_NAMES[slug]} vs 1,000 (3)",
                f"{max(ratios):.2f}× (worst)",
                "≤ 1.5×",
                ok,
            )
        self.w()
        self.w(
            "Each ratio is how much worse the big thread is: its p50 ÷ the 1,000's p50; the "
            "1,000's req/s ÷ its req/s (1.00× = no cost of size, below 1 = faster). The p50s "
            "of one client are taken in 15 rounds, each sending one request to every thread's "
            "page in turn (keeping the CSRF cookie of its first answer, so each is made, not "
            "taken from the front cache), so a busy moment of the machine falls on all alike."
        )
        self.w()
        counts = [
            max(
                (self.headers.get(f"{k} 1 {slug}") or {}).get("comments", 0)
                for k in ("page", "json")
            )
            for slug in PAGE_SIZES
        ]
        ok6 = max(counts) <= PAGE_BOUND if counts else None
        self.target(
            "comments on page 1, any thread (6)",
            f"{max(counts, default=0):,} at most",
            f"≤ {PAGE_BOUND} (about 200)",
            ok6,
        )

    def whole_thread(self) -> None:
        forum = self.r.get("forum") or {}
        whole, floor = forum.get("whole_thread") or {}, forum.get("floor") or {}
        self.w("### The whole 1,000-comment thread as JSON (target 4)")
        self.w()
        if not whole or not floor:
            self.w("Not measured in this run.")
            return
        ratio = forum.get("whole_ratio") or whole["p50_ms"] / floor["p50_ms"]
        ok = ratio <= 2 and whole["comments"] >= floor["rows"] * 0.98
        for line in whole_thread_table(forum):
            self.w(line)
        self.w()
        self.w(
            f"Ratio **{ratio:.2f}×** (target ≤ 2×; the reader's call, never cached"
            + (
                "; the floor and the call timed right after each other in three rounds, the "
                "median round shown: " + ", ".join(f"{x:.2f}×" for x in forum["whole_ratios"])
                if forum.get("whole_ratios")
                else ""
            )
            + "): "
            f"{verdict(ok)}. Calls timed to the last byte, identity encoding, not decoded; the "
            "floor is plain `sqlite3` + dicts + `json.dumps` on the same file; query plan: "
            f"`{floor.get('plan', '')}`."
        )
        self.w()
        self.target("whole 1,000-comment thread as JSON vs floor (4)", f"{ratio:.2f}×", "≤ 2×", ok)

    def compression(self) -> None:
        forum = self.r.get("forum") or {}
        wire = forum.get("wire") or {}
        self.w("### Compression and static files (target 5)")
        self.w()
        raw = (wire.get("identity") or {}).get("bytes", 0)
        lines, best = wire_table(wire)
        for line in lines:
            self.w(line)
        self.w()
        statics = forum.get("static") or []
        for s in statics:
            self.w(
                f"- `{s['path']}`: {s['status']}, `Cache-Control: {s['cache_control'] or '—'}`"
                f", content-hashed name: {'yes' if s['hashed_name'] else 'no'}"
            )
        long_lived = bool(statics) and all(
            s["hashed_name"] and re.search(r"max-age=(\d{6,})", s["cache_control"]) for s in statics
        )
        self.w()
        self.target(
            "article page compressed (5)", f"{pct(best)} of {raw:,} B", "≤ 25 %", best <= 0.25
        )
        self.target(
            "static files hashed, long-lived (5)", "yes" if long_lived else "no", "yes", long_lived
        )

    def revalidation(self) -> None:
        self.w("### Revalidation (target 7)")
        self.w()
        self.w("| answer | status | ETag | Cache-Control | `If-None-Match` → |")
        self.w("| --- | ---: | --- | --- | ---: |")
        for name in ("visitor page", "reader page", "json 100"):
            h = self.headers.get(name) or {}
            self.w(
                f"| {name} | {h.get('status')} | `{h.get('etag') or '—'}` | "
                f"`{h.get('cache_control') or '—'}` | {h.get('revalidation_status', '—')} |"
            )
        self.w()
        v, p = self.headers.get("visitor page") or {}, self.headers.get("reader page") or {}
        ok = (
            bool(v.get("etag"))
            and "no-cache" in v.get("cache_control", "")
            and "no-store" not in v.get("cache_control", "")
            and v.get("revalidation_status") == 304
            and "no-store" in p.get("cache_control", "")
        )
        name = "visitor page ETag + no-cache, 304; personal no-store (7)"
        self.target(name, "yes" if ok else "no", "yes", ok)

    def memory(self) -> None:
        m = self.r.get("memory") or {}
        self.w("### Memory, soak and logins (targets 8 and 9)")
        self.w()
        if "error" in m and "peak" not in m:
            self.w(f"Not measured: {m['error']}")
            return
        peak = m["peak"]["hwm_mib"]
        soak = m.get("soak") or {}
        growth = soak.get("growth") or 0.0
        login = m.get("login") or {}
        if m.get("peak_reset"):  # the reader's login hashed argon2id (64 MiB) before
            self.w(f"- Peak after the reader's login: {login.get('hwm_mib')} MiB; then reset.")
        self.w(
            f"- One worker, fresh: RSS {m['idle']['rss_mib']} MiB idle; peak (VmHWM) "
            f"**{peak} MiB** after page 1 of the 10,000-comment thread at c16 as a visitor "
            f"page ({m['10k visitor page'].get('rps', 0):,.0f} req/s), as JSON "
            f"({m['10k json'].get('skipped') or format(m['10k json'].get('rps', 0), ',.0f')} "
            f"req/s) and as a logged-in reader's page "
            f"({m['10k reader page'].get('rps', 0):,.0f} req/s), "
            f"{self.r['seconds_per_run']} s each."
        )
        length = "the issue's 10 minutes" if (soak.get("seconds") or 0) >= 595 else "a short run"
        self.w(
            f"- Soak: **{soak.get('seconds')} s** ({length}), {soak.get('requests', 0):,} "
            "requests rotating over "
            f"{', '.join(f'`{p}`' for p in soak.get('paths', []))} at "
            f"c16; RSS every 10 s: {', '.join(map(str, soak.get('rss_mib', [])))} MiB; "
            f"growth **{growth:+.1%}**."
        )
        logins = m.get("logins") or {}
        self.w(
            f"- {logins.get('logins')} simultaneous logins (production argon2id "
            f"{self.r.get('seeding', {}).get('argon2')}), each from its own address: statuses "
            f"{logins.get('statuses')}, p50 {logins.get('p50_s')} s, max **{logins.get('max_s')} "
            f"s**, all done in {logins.get('wall_s')} s."
        )
        self.w()
        self.target(
            "peak RSS, page 1 of 10,000 at c16 (8)", f"{peak} MiB", "≤ 150 MiB", peak <= 150
        )
        self.target(
            f"RSS growth over a {soak.get('seconds')} s soak (8)",
            f"{growth:+.1%}",
            "≤ 10 %",
            growth <= 0.10,
        )
        ok = logins.get("ok") == logins.get("logins") and (logins.get("max_s") or 99) <= 5
        self.target(
            "32 simultaneous logins, slowest (9)",
            f"{logins.get('max_s')} s, {logins.get('ok')}/{logins.get('logins')} ok",
            "≤ 5 s each",
            ok,
        )

    def isso(self) -> None:
        self.lines += isso_lines(self.r.get("isso"), self.rates)

    def render(self) -> str:
        r = self.r
        body_start = len(self.lines)
        self.ceiling_targets()
        self.size_targets()
        self.whole_thread()
        self.compression()
        self.revalidation()
        self.memory()
        self.isso()
        body = self.lines[body_start:]
        self.lines = []
        m = r["machine"]
        self.w(HEADING)
        self.w()
        self.w(
            f"Measured {r['date']} on {m['cores']} cores ({m['cpu']}), Python {m['python']}, "
            f"{m['wrk']}; load average {m['load_before']} before, {m.get('load_after')} after "
            f"(the machine is shared). Code: {r['code']}. Command: `.venv/bin/python "
            f"{r['command'].strip()}` ({r.get('total_seconds')} s in all). wrk: one thread, "
            f"16 connections, {r['seconds_per_run']} s per request after a 1 s warm-up; one "
            "`forum serve --workers 1` over SQLite (the seeded file copied and migrated "
            "for the run); the hello world runs on the same uvicorn, one worker."
        )
        self.w()
        seeding = r.get("seeding") or {}
        trees = "; ".join(
            f"{TREE_NAMES.get(k, k)}: {t['top_level']:,} top-level, depth {t['max_depth']}"
            for k, t in (seeding.get("trees") or {}).items()
        )
        self.w(
            f"Seeded database ({seeding.get('file_mb')} MB, seeded in {seeding.get('seconds')} s, "
            f"{'cached' if seeding.get('cached') else 'fresh'}; migrations applied to the copy in "
            f"{seeding.get('upgrade_seconds')} s): {trees}."
        )
        self.w()
        met = sum(1 for *_, ok in self.summary if ok)
        self.w(f"**{met} of {len(self.summary)} targets met.**")
        self.w()
        self.w("| target | measured | wanted | result |")
        self.w("| --- | ---: | ---: | --- |")
        for name, measured, wanted, ok in self.summary:
            self.w(f"| {name} | {measured} | {wanted} | {verdict(ok)} |")
        self.w()
        self.lines += body
        return "\n".join(self.lines).rstrip() + "\n"


def section(results: dict[str, Any]) -> str:
    return Report(results).render()
