"""Shares of the hello world measured back to back (targets 1 and 2).

On a shared machine a hello world measured minutes before or after a request says little about
the moment the request ran: the load of other work moves both by a factor of two. So each
request of the ceiling targets is measured right after a hello-world run on an idle server of
the same stack, both with wrk at c16, and the pair gives one share; this is done in
``ROUNDS`` rounds over all the requests (a busy minute then falls on every request alike),
and the median share of each request's rounds is the one reported, with the others beside it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

ROUNDS = 3

Measure = Callable[..., dict[str, Any]]


def cold_script(path: Path, page: str) -> Path:
    """A wrk script asking for ``page`` with a query string of its own every time (a page no
    cache holds for this reader: the reader cache is keyed by the whole address). Each script
    run of it has addresses of its own (the script's and the second it started in): the same
    address again within a minute is a second load, which the reader cache keeps."""
    script = secrets.token_hex(4)
    path.write_text(
        "local i = 0\n"
        "local run = os.time()\n"
        "request = function()\n  i = i + 1\n"
        f'  return wrk.format(nil, "{page}?first={script}-" .. run .. "-" .. i)\nend\n'
    )
    return path


Round = TypeVar("Round", bound=tuple[Any, ...])


def median_round(rounds: list[Round]) -> Round:
    """The round whose first item (a share, a ratio) is the median: the middle one of an odd
    count, the upper middle of an even one."""
    return sorted(rounds, key=lambda found: found[0])[len(rounds) // 2]


def paired(
    measure: Measure,
    hello: Any,
    forum: Any,
    runs: dict[str, tuple[str, dict[str, Any]]],
    seconds: float,
    rounds: int = ROUNDS,
) -> dict[str, dict[str, Any]]:
    """``runs`` (name: path and wrk options) each measured ``rounds`` times, every time just
    after the hello world; per name the median round's wrk result with ``share`` (its req/s
    over that hello world's), ``hello_rps`` and every round's ``shares``."""
    pairs: dict[str, list[tuple[float, float, dict[str, Any]]]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, (path, options) in runs.items():
            ceiling = measure(hello, "/", seconds)["rps"]
            result = measure(forum, path, seconds, **options)
            pairs[name].append((result["rps"] / ceiling if ceiling else 0.0, ceiling, result))
    out = {}
    for name, found in pairs.items():
        share, ceiling, result = median_round(found)
        out[name] = {
            **result,
            "share": round(share, 5),
            "hello_rps": ceiling,
            "shares": [round(pair[0], 5) for pair in found],
        }
    return out


def whole_against_floor(
    call: Callable[[], dict[str, Any]], floor: Callable[[], dict[str, Any]], rounds: int = ROUNDS
) -> dict[str, Any]:
    """Target 4 the same way: the floor (in-process) and the reader's whole-thread call each
    timed right after the other, ``rounds`` times; the round with the median ratio is
    reported (``whole_thread``, ``floor``, ``whole_ratio``) with every round's ratio."""
    found = []
    for _ in range(rounds):
        bare = floor()
        ours = call()
        found.append((ours["p50_ms"] / bare["p50_ms"], ours, bare))
    ratio, ours, bare = median_round(found)
    return {
        "whole_thread": ours,
        "floor": bare,
        "whole_ratio": round(ratio, 3),
        "whole_ratios": [round(item[0], 3) for item in found],
    }
