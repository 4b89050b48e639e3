"""Writing the access log: JSON lines, formatted and written in batches on a thread of their own.

The front cache answers a visitor in tens of microseconds, so a log line's cost on the event
loop counts: a request hands its line's fields to the writer (``BatchedStderr.take``: a tuple
appended to a deque) when the access logger writes only through that writer, and builds a
``LogRecord`` for the logging machinery only when someone added a handler or filter of their
own. Every ``WRITE_EVERY`` seconds the writer formats what came and writes it in one call:
a writer woken per record (a queue listener) took the GIL back from the event loop on every
request.
"""

from __future__ import annotations

import atexit
import json
import logging
import math
import threading
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any

LOGGER = "forum.access"
LINE = "%(method)s %(route)s %(status)s"
"""The plain-text form of a line (the JSON formatter writes its fields instead)."""
WRITE_EVERY = 0.1
"""Seconds between the writer's batches (a line reaches stderr at most this late)."""
MAX_PENDING = 100_000
"""Lines kept for the writer at most: beyond it (stderr blocked) lines are counted, not kept."""

Fields = dict[str, Any]
Taken = tuple[float, Fields]
"""A line handed to the writer directly: when it happened (``time.time()``) and its fields."""

STARTED_MS = time.time_ns() / 1e6
"""When this process began logging (a record's ``relativeCreated`` counts from here)."""
_TEMPLATE = vars(logging.LogRecord(LOGGER, logging.INFO, __file__, 0, LINE, None, None)).copy()
"""What every access record has alike (logger, level, source, format), made once."""


def access_record(fields: Fields, created: float | None = None) -> logging.LogRecord:
    """The record of one line, copied from ``_TEMPLATE`` with this moment, thread and
    ``fields``: ``log.info`` would look up the caller's source line and ``LogRecord()`` the
    file's name, the process and the thread's name each time."""
    record = logging.LogRecord.__new__(logging.LogRecord)
    record.__dict__.update(_TEMPLATE)
    now = time.time() if created is None else created
    record.created = now
    record.msecs = float(int(now * 1000) % 1000)
    record.relativeCreated = now * 1000 - STARTED_MS
    record.thread = threading.get_ident()
    record.args = fields
    record.fields = fields  # read by JsonLines and by whoever watches the log
    return record


class JsonLines(logging.Formatter):
    """One JSON object per record: time (UTC), level, and the record's ``fields`` (or its
    message when it has none). Strings and numbers are written without ``json.dumps`` and
    the time's date and second once per second: the writer's formatting shares the GIL with
    the event loop."""

    def __init__(self) -> None:
        super().__init__()
        self.second: tuple[int, str] = (-1, "")
        """The last second formatted and its text (one tuple: replaced, never half-set)."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None)
        if not isinstance(fields, dict):
            fields = {"message": record.getMessage()}
        if record.exc_info:
            fields = {**fields, "error": self.formatException(record.exc_info)}
        return self.line(record.created, record.levelname, fields)

    def line(self, created: float, level: str, fields: Fields) -> str:
        head = f'{{"time":"{self.timestamp(created)}","level":{_json_value(level)}'
        return head + "".join(f",{_json_text(k)}:{_json_value(v)}" for k, v in fields.items()) + "}"

    def timestamp(self, created: float) -> str:
        """ISO 8601 in UTC to the millisecond, as ``isoformat(timespec="milliseconds")``."""
        whole = int(created)
        micro = round((created - whole) * 1e6)  # rounded as datetime.fromtimestamp does
        if micro >= 1_000_000:
            whole, micro = whole + 1, micro - 1_000_000
        second, text = self.second
        if whole != second:
            text = datetime.fromtimestamp(whole, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            self.second = (whole, text)
        return f"{text}.{micro // 1000:03d}+00:00"


_json_text = json.encoder.encode_basestring_ascii


def _json_value(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return _json_text(value)
    if kind is int or (kind is float and math.isfinite(value)):
        return repr(value)
    return json.dumps(value, separators=(",", ":"), default=str)


class BatchedStderr(logging.Handler):
    """Writes JSON lines to stderr from a thread of its own, in batches; closing it (a new
    logging configuration, exit) writes what is pending and stops the thread."""

    def __init__(self) -> None:
        super().__init__()
        self.stream = logging.StreamHandler().stream
        self.pending: deque[logging.LogRecord | Taken] = deque()
        self.dropped = 0
        self.writing = threading.Lock()
        self.stopped = threading.Event()
        self.writer = threading.Thread(target=self._run, name="forum-access-log", daemon=True)
        self.writer.start()
        atexit.register(self.close)

    def handle(self, record: logging.LogRecord) -> bool:
        """Keep the record for the writer (no lock: a deque's append is atomic)."""
        if self.filters and not self.filter(record):
            return False
        return self._keep(record)

    def emit(self, record: logging.LogRecord) -> None:
        self._keep(record)

    def take(self, fields: Fields) -> None:
        """Keep one INFO line of ``fields``, as of now, without a record."""
        self._keep((time.time(), fields))

    def _keep(self, item: logging.LogRecord | Taken) -> bool:
        if len(self.pending) >= MAX_PENDING:  # stderr is stuck: count, do not grow
            self.dropped += 1
            return False
        self.pending.append(item)
        return True

    def _run(self) -> None:
        while not self.stopped.wait(WRITE_EVERY):
            self.flush()
        self.flush()

    def flush(self) -> None:
        """Format and write every pending line, in one write."""
        with self.writing:
            lines = [line for line in map(self._formatted, self._drain()) if line is not None]
            dropped, self.dropped = self.dropped, 0
            if dropped:
                lines.append(json.dumps({"level": "WARNING", "dropped_lines": dropped}))
            if not lines:
                return
            try:
                self.stream.write("\n".join(lines) + "\n")
                self.stream.flush()
            except (OSError, ValueError):  # stderr closed or gone: nothing to write to
                pass

    def _drain(self) -> list[logging.LogRecord | Taken]:
        items = []
        while self.pending:
            items.append(self.pending.popleft())
        return items

    def _formatted(self, item: logging.LogRecord | Taken) -> str | None:
        formatter = self.formatter
        if isinstance(item, logging.LogRecord):
            record = item
        elif isinstance(formatter, JsonLines):
            return formatter.line(item[0], "INFO", item[1])
        else:  # the formatter was replaced after the line was taken
            record = access_record(item[1], item[0])
        try:
            return self.format(record)
        except Exception:  # a line that cannot be written must not end the writer
            self.handleError(record)
            return None

    def direct(self) -> bool:
        """Whether an INFO line may be handed over with ``take`` (this handler writes JSON
        lines and filters nothing out)."""
        return (
            isinstance(self.formatter, JsonLines)
            and not self.filters
            and self.level <= logging.INFO
        )

    def close(self) -> None:
        if not self.stopped.is_set():
            self.stopped.set()
            if self.writer is not threading.current_thread():
                self.writer.join(timeout=5)
            atexit.unregister(self.close)
        self.flush()
        super().close()
