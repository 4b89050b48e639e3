"""What the speed benchmark (issue 13) drives: servers started on 127.0.0.1, wrk, the worker's
memory, raw HTTP for the wire size. Only the standard library and httpx."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

BENCH_DIR = Path(__file__).resolve().parent
HELLO = BENCH_DIR / "speed_hello.py"
WRK_LINE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_PCT = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
WRK_TOTAL = re.compile(r"(\d+) requests in")
WRK_NON2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
WRK_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def importable(module: str) -> bool:
    probe = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
    return probe.returncode == 0


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGCONT)
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(
    name: str,
    command: list[str],
    port: int,
    log: Path,
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    ready: str = "/",
) -> Server:
    """Start ``command`` and wait (30 s at most) until ``ready`` answers below 500."""
    process = subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = Server(name, process, port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(server.base + ready, timeout=5).status_code < 500:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} did not start; see {log}")


def hello_command(port: int, loop: str, http: str) -> list[str]:
    """The hello-world ceiling on the same server stack as ``forum serve`` (uvicorn, one
    worker, proxy headers, no server header, no access log)."""
    return [
        *(sys.executable, "-m", "uvicorn", "speed_hello:app", "--app-dir", str(BENCH_DIR)),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
        *("--loop", loop, "--http", http, "--proxy-headers", "--no-server-header"),
        *("--no-access-log", "--log-level", "warning"),
    ]


def forum_command(port: int) -> list[str]:
    return [sys.executable, "-m", "forum.cli", "serve", "--workers", "1", "--port", str(port)]


def wrk(
    url: str,
    seconds: float,
    *,
    connections: int = 16,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
) -> dict[str, float]:
    """One wrk run (one thread: the other core is the server's); req/s and latencies in ms."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
    command += ["--latency", "--timeout", "30s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=seconds + 60
    ).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> dict[str, float]:
    """req/s, requests, latency percentiles (ms), non-2xx/3xx answers and socket errors."""
    result: dict[str, float] = {"rps": 0.0, "requests": 0}
    if m := WRK_LINE.search(out):
        result["rps"] = float(m.group(1))
    if m := WRK_TOTAL.search(out):
        result["requests"] = int(m.group(1))
    for pct, value, unit in WRK_PCT.findall(out):
        result[f"p{pct}_ms"] = round(float(value) * UNIT_MS[unit], 3)
    result["non_2xx_3xx"] = int(m.group(1)) if (m := WRK_NON2XX.search(out)) else 0
    result["socket_errors"] = sum(map(int, m.groups())) if (m := WRK_ERRORS.search(out)) else 0
    return result


def rotate_script(path: Path, paths: list[str]) -> Path:
    """A wrk script sending ``paths`` in turn."""
    quoted = ", ".join(f'"{p}"' for p in paths)
    path.write_text(
        f"local paths = {{{quoted}}}\nlocal i = 0\n"
        "request = function()\n  i = i + 1\n"
        '  return wrk.format("GET", paths[(i % #paths) + 1])\nend\n'
    )
    return path


def _status(pid: int) -> dict[str, int]:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(p) for p in found]


def worker_memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (MiB) of the process that serves: the server itself with one worker,
    else its child with the highest peak."""
    candidates = [pid, *_children(pid)]
    statuses = [(p, _status(p)) for p in candidates]
    statuses = [(p, s) for p, s in statuses if s]
    pid, best = max(statuses, key=lambda item: item[1].get("VmHWM", 0))
    return {
        "pid": pid,
        "rss_mib": round(best.get("VmRSS", 0) / 1024, 1),
        "hwm_mib": round(best.get("VmHWM", 0) / 1024, 1),
    }


def reset_peak(pid: int) -> bool:
    """Start the peak (VmHWM) of the serving process afresh (proc(5): ``clear_refs`` 5), so
    that it measures what follows, not a login's argon2 before it; False where not allowed."""
    target = worker_memory(pid)["pid"]
    try:
        Path(f"/proc/{int(target)}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def wire_size(port: int, path: str, encoding: str | None) -> dict[str, object]:
    """Bytes of a body as sent (not decoded) for one Accept-Encoding."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Accept-Encoding": encoding or "identity"}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return {
        "status": response.status,
        "bytes": len(body),
        "content_encoding": response.getheader("Content-Encoding") or "",
    }


def _cpu_ticks(pid: int) -> int:
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total


def wait_idle(pid: int, timeout: float = 60) -> float:
    """Wait until the server burns (almost) no CPU: wrk stops sending at its deadline, but the
    server still answers the requests already queued, which would colour the next run."""
    started = time.monotonic()
    ticks = os.sysconf("SC_CLK_TCK")
    last = _cpu_ticks(pid)
    while time.monotonic() - started < timeout:
        time.sleep(0.5)
        now = _cpu_ticks(pid)
        if (now - last) / ticks < 0.05:
            break
        last = now
    return round(time.monotonic() - started, 1)
