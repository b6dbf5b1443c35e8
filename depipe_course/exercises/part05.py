"""Part 05 — Structured logging.

Every check logs through a real ``logging.Logger`` whose handler writes to a
``StringIO``: the learner's formatter or filter sits exactly where it would in a
pipeline. The handlers are removed again when the check ends, also when it fails, so
nothing leaks into the next check or into the notebook. The capturing handler lets
errors from the learner's formatter or filter propagate (logging would otherwise print
``--- Logging error ---`` to stderr and carry on), so the check reports them.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import io
import json
import logging
import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise

# Attributes every LogRecord has (``message``/``asctime`` are added while formatting,
# ``taskName`` from Python 3.12); any other attribute came from ``extra=``.
STANDARD_RECORD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}
# Keys that may legitimately share a name with a record attribute in the output.
_ALLOWED_OVERLAP = frozenset({"module", "message", "exc_info", "exc_text", "stack_info"})
REQUIRED_FIELDS = (
    "timestamp", "level", "pipeline", "run_id", "logger", "module", "function", "line", "message",
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LOGGER_NAME = "depipe.checks.part05"


# ---------------------------------------------------------------- capture helpers


class _RaisingStreamHandler(logging.StreamHandler):
    """A StreamHandler that re-raises instead of printing ``--- Logging error ---``."""

    def handleError(self, record: logging.LogRecord) -> None:
        raise  # called from logging's except block: re-raise that error


class _RecordList(logging.Handler):
    """Keeps the records themselves, to compare the output with what was logged."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class _Captured:
    logger: logging.Logger
    stream: io.StringIO
    records: list[logging.LogRecord] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.stream.getvalue()


@contextlib.contextmanager
def _capture(
    formatter: logging.Formatter | None = None, filters: tuple[Any, ...] = (), name: str = _LOGGER_NAME
) -> Iterator[_Captured]:
    """A DEBUG logger that keeps its records and, given a formatter or filters, also
    writes them to a StringIO through those."""
    logger = logging.getLogger(name)
    stream = io.StringIO()
    handler = _RaisingStreamHandler(stream)
    if formatter is not None:
        handler.setFormatter(formatter)
    for flt in filters:
        handler.addFilter(flt)
    keeper = _RecordList()
    handlers: list[logging.Handler] = [keeper]
    if formatter is not None or filters:
        handlers.append(handler)
    saved = (logger.level, logger.propagate, list(logger.handlers))
    for old in saved[2]:
        logger.removeHandler(old)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    for new in handlers:
        logger.addHandler(new)
    try:
        yield _Captured(logger, stream, keeper.records)
    finally:
        for new in handlers:
            logger.removeHandler(new)
        for old in saved[2]:
            logger.addHandler(old)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def _json_lines(text: str, expected_count: int | None = None) -> list[dict[str, Any]]:
    """Parse every line of ``text`` as a JSON object, failing on the first that is not."""
    lines = text.splitlines()
    entries = []
    for number, line in enumerate(lines, 1):
        try:
            entry = json.loads(line)
        except ValueError:
            fail(f"line {number} of the output is not a JSON object on its own",
                 expected="one complete JSON object per line", seen=line or "(empty line)")
        if not isinstance(entry, dict):
            fail(f"line {number} is JSON but not an object", expected="{...}", seen=line)
        entries.append(entry)
    if expected_count is not None and len(entries) != expected_count:
        fail(f"{expected_count} records were logged, the output has {len(entries)} lines",
             expected=f"{expected_count} lines", seen=text or "(no output)")
    return entries


def _strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings_in(item)


# ---------------------------------------------------------------- 05.1 StructuredFormatter

fmt = exercise("05.1", "A JSON formatter for pipeline logs", ["StructuredFormatter"])

_PIPELINE = "orders_ingestion"
_RUN_ID = "5f0c7c1e-6a38-4c4e-9a55-0d2f1b7e9c31"


def _formatted(StructuredFormatter: type, emit: Callable[[logging.Logger], None],
               count: int = 1) -> tuple[list[dict[str, Any]], list[logging.LogRecord], str]:
    with _capture(StructuredFormatter(_PIPELINE, _RUN_ID)) as cap:
        emit(cap.logger)
        return _json_lines(cap.text, count), cap.records, cap.text


def _log_batch_completed(logger: logging.Logger) -> None:
    logger.info("Batch %d of %s completed", 3, "orders.csv",
                extra={"rows_processed": 10_000, "rows_rejected": 47,
                       "valid_values": ["placed", "confirmed"]})


class _DiskOnFire(RuntimeError):
    pass


def _log_failure(logger: logging.Logger) -> None:
    try:
        raise _DiskOnFire("disk on fire at sector 4242")
    except _DiskOnFire:
        logger.exception("Load step failed")


@fmt.check("writes one JSON object per line", points=1,
           hint="json.dumps(entry) without indent keeps each record on one line, even when "
                "the message or the traceback contains newlines (they become \\n).")
def _one_per_line(StructuredFormatter: type) -> None:
    def emit(logger: logging.Logger) -> None:
        logger.info("Pipeline started")
        logger.warning("Row rejected:\nstatus 'deliverd' is not valid")
        _log_failure(logger)

    _formatted(StructuredFormatter, emit, 3)


@fmt.check("has the required fields with the record's values", points=2,
           hint="timestamp, level (record.levelname), pipeline, run_id, logger (record.name), "
                "module, function (record.funcName), line (record.lineno) and message.")
def _required_fields(StructuredFormatter: type) -> None:
    (entry,), (record,), _ = _formatted(StructuredFormatter, _log_batch_completed)
    missing = [name for name in REQUIRED_FIELDS if name not in entry]
    expect(not missing, f"missing field(s): {', '.join(missing)}",
           expected=list(REQUIRED_FIELDS), seen=sorted(entry))
    wanted = {"level": "INFO", "pipeline": _PIPELINE, "run_id": _RUN_ID, "logger": record.name,
              "module": record.module, "function": record.funcName, "line": record.lineno}
    wrong = {k: entry[k] for k, v in wanted.items() if entry[k] != v}
    expect(not wrong, f"field(s) {', '.join(wrong)} do not hold the record's values",
           expected={k: wanted[k] for k in wrong}, seen=wrong)


def _parse_timestamp(entry: dict[str, Any]) -> datetime:
    stamp = entry.get("timestamp")
    expect(isinstance(stamp, str), "timestamp must be an ISO-8601 string",
           expected="e.g. '2026-03-17T08:14:32.250000+00:00'", seen=stamp)
    try:
        return datetime.fromisoformat(stamp)
    except ValueError:
        fail("timestamp is not ISO-8601", expected="e.g. '2026-03-17T08:14:32.250000+00:00'",
             seen=stamp)


@contextlib.contextmanager
def _local_zone_not_utc() -> Iterator[None]:
    """Make the machine's local time zone UTC+05:30 for a moment, then restore it.

    On a server whose clock runs in UTC, local time *is* UTC, and a formatter that
    writes local time would pass; in another zone its logs no longer line up. Where
    the platform cannot switch zones (no ``time.tzset``), nothing changes.
    """
    if not hasattr(time, "tzset"):
        yield
        return
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "IST-05:30"  # POSIX TZ: a name, then the hours *west* of UTC
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


@fmt.check("timestamp is ISO-8601 in UTC", points=1,
           hint="datetime.fromtimestamp(record.created, tz=UTC).isoformat(): local time, "
                "naive or with its offset, differs from machine to machine and no longer "
                "lines up once logs from several machines are merged.")
def _timestamp_utc(StructuredFormatter: type) -> None:
    with _local_zone_not_utc():  # the check's machine runs in UTC+05:30 meanwhile
        (entry,), _, _ = _formatted(StructuredFormatter, lambda log: log.info("Pipeline started"))
    stamp = _parse_timestamp(entry)
    expect(stamp.tzinfo is not None and stamp.utcoffset() is not None,
           "timestamp has no UTC offset (a naive time: in which zone?)",
           expected="ending in +00:00 or Z", seen=entry["timestamp"])
    expect(stamp.utcoffset().total_seconds() == 0,
           "timestamp is not in UTC: on a machine whose local zone is UTC+05:30 it carried "
           "that local offset", expected="offset +00:00 or Z", seen=entry["timestamp"])


_EVENT_TIME = datetime(2026, 3, 17, 8, 14, 32, 250_000, tzinfo=UTC)


@fmt.check("timestamp is the record's creation time", points=1,
           hint="Use record.created (when logger.info was called), not the clock at formatting "
                "time: a queued or buffered record is formatted later.")
def _timestamp_is_record_time(StructuredFormatter: type) -> None:
    def emit(logger: logging.Logger) -> None:
        record = logger.makeRecord(logger.name, logging.INFO, __file__, 1, "Queued event", (), None)
        record.created = _EVENT_TIME.timestamp()
        record.msecs = 250.0
        logger.handle(record)

    (entry,), _, _ = _formatted(StructuredFormatter, emit)
    stamp = _parse_timestamp(entry)
    # A naive stamp is the UTC check's business: here it may mean UTC or local time.
    readings = [stamp] if stamp.tzinfo else [stamp.replace(tzinfo=UTC), stamp.astimezone()]
    expect(any(abs((s - _EVENT_TIME).total_seconds()) < 1 for s in readings),
           "a record created at 2026-03-17 08:14:32.250 UTC got another timestamp",
           expected=_EVENT_TIME.isoformat(), seen=entry["timestamp"])


@fmt.check("message has its arguments applied", points=1,
           hint="record.getMessage() applies the %-arguments; record.msg is only the template.")
def _message_args(StructuredFormatter: type) -> None:
    (entry,), _, _ = _formatted(StructuredFormatter, _log_batch_completed)
    expect_equal(entry.get("message"), "Batch 3 of orders.csv completed", "message")


@fmt.check("includes the caller's extra fields", points=1,
           hint="extra= fields become attributes of the record: they are the attributes a "
                "plain LogRecord does not have.")
def _extras(StructuredFormatter: type) -> None:
    (entry,), _, _ = _formatted(StructuredFormatter, _log_batch_completed)
    wanted = {"rows_processed": 10_000, "rows_rejected": 47, "valid_values": ["placed", "confirmed"]}
    seen = {k: entry.get(k, "(missing)") for k in wanted}
    expect(seen == wanted, "the extra= fields are not in the output with their values",
           expected=wanted, seen=seen)


@fmt.check("does not copy LogRecord internals", points=2,
           hint="Compute the standard attributes once, e.g. "
                "set(logging.LogRecord('', 0, '', 0, '', None, None).__dict__) | {'message', "
                "'asctime', 'taskName'}, and copy only the others. logging.LogRecord.__dict__ "
                "(the class) does not list them.")
def _no_internals(StructuredFormatter: type) -> None:
    (entry,), _, _ = _formatted(StructuredFormatter, _log_batch_completed)
    leaked = sorted(set(entry) & (STANDARD_RECORD_ATTRS - _ALLOWED_OVERLAP))
    expect(not leaked, "the output copies LogRecord attributes that are not part of the format "
           "(they duplicate fields, leak paths and raw args)",
           expected="only the required fields, the extra= fields and the traceback",
           seen=f"also {', '.join(leaked)}")


@fmt.check("includes the traceback when there is one", points=1,
           hint="if record.exc_info: entry['exception'] = self.formatException(record.exc_info)")
def _traceback(StructuredFormatter: type) -> None:
    (entry,), _, _ = _formatted(StructuredFormatter, _log_failure)
    texts = list(_strings_in(entry))
    expect(any("Traceback (most recent call last)" in t and "disk on fire at sector 4242" in t
               for t in texts),
           "logger.exception(...) was called, but no field holds the traceback",
           expected="a field with 'Traceback (most recent call last): ... _DiskOnFire: "
                    "disk on fire at sector 4242'", seen=entry)


@fmt.check("does not crash on values json cannot encode", points=1,
           hint="json.dumps(entry, default=str) writes Decimal, datetime and Path as strings.")
def _unencodable(StructuredFormatter: type) -> None:
    as_of = datetime(2026, 3, 17, 8, 0, tzinfo=UTC)

    def emit(logger: logging.Logger) -> None:
        logger.info("Batch totals", extra={"amount": Decimal("12.30"), "as_of": as_of,
                                           "source": Path("/data/orders.csv")})

    (entry,), _, _ = _formatted(StructuredFormatter, emit)
    expect(entry.get("amount") in ("12.30", 12.3), "the Decimal amount is missing or changed",
           expected="'12.30'", seen=entry.get("amount", "(missing)"))
    expect(isinstance(entry.get("as_of"), str) and "2026-03-17" in entry["as_of"],
           "the datetime is missing or changed", expected=str(as_of),
           seen=entry.get("as_of", "(missing)"))
    expect_equal(entry.get("source"), "/data/orders.csv", "the Path field")


# ---------------------------------------------------------------- 05.2 setup_pipeline_logging

setup = exercise("05.2", "Set up logging once per run", ["setup_pipeline_logging"], uses=["05.1"])

_SETUP_PIPELINE = "depipe_check_orders"


class _Setups:
    """Calls the learner's setup and remembers every logger it returned, to clean up."""

    def __init__(self, setup_pipeline_logging: Callable[..., Any]) -> None:
        self._setup = setup_pipeline_logging
        self.loggers: list[Any] = [logging.getLogger(_SETUP_PIPELINE)]
        root = logging.getLogger()  # logging.basicConfig(force=True) would replace its handlers
        self._root_state = (root.level, list(root.handlers))

    def __call__(self, stream: io.StringIO | None, **kwargs: Any) -> tuple[Any, Any]:
        out = self._setup(_SETUP_PIPELINE, stream=stream, **kwargs)
        expect(isinstance(out, tuple) and len(out) == 2,
               "setup_pipeline_logging must return a pair", expected="(logger, run_id)", seen=out)
        logger, run_id = out
        expect(hasattr(logger, "info"), "the first item must be the logger",
               expected="logging.Logger", seen=type(logger).__name__)
        self.loggers.append(getattr(logger, "logger", logger))  # a LoggerAdapter's logger
        return logger, run_id

    def reset(self) -> None:
        """Give every logger touched back as it was: no handlers, default level; the root
        logger its own handlers and level."""
        root = logging.getLogger()
        level, handlers = self._root_state
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
        for handler in [h for h in handlers if h not in root.handlers]:
            root.addHandler(handler)
        root.setLevel(level)
        for logger in self.loggers:
            if not isinstance(logger, logging.Logger):
                continue
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
            logger.filters.clear()
            logger.setLevel(logging.NOTSET)
            logger.propagate = True


@contextlib.contextmanager
def _setups(setup_pipeline_logging: Callable[..., Any]) -> Iterator[_Setups]:
    setups = _Setups(setup_pipeline_logging)
    try:
        yield setups
    finally:
        setups.reset()


@setup.check("returns the pipeline's logger and a run_id string", points=1,
             hint="return logging.getLogger(pipeline_name), run_id — with run_id = "
                  "str(uuid.uuid4()).")
def _returns(setup_pipeline_logging: Callable[..., Any]) -> None:
    with _setups(setup_pipeline_logging) as setup_logging:
        logger, run_id = setup_logging(io.StringIO())
        expect(isinstance(logger, logging.Logger), "the first item must be a logging.Logger",
               expected="logging.Logger", seen=type(logger).__name__)
        expect(isinstance(run_id, str) and run_id.strip(), "the second item must be the run_id",
               expected="a non-empty str such as str(uuid.uuid4())", seen=run_id)
        expect(logger is logging.getLogger(_SETUP_PIPELINE),
               "the logger is not the one named after the pipeline, so the records of its "
               f"modules' loggers ('{_SETUP_PIPELINE}.extract', ...) never reach its handler",
               expected=f"logging.getLogger({_SETUP_PIPELINE!r})",
               seen=f"a logger named {logger.name!r}",
               hint="Configure logging.getLogger(pipeline_name), not getLogger(__name__) or a "
                    "new logging.Logger(...): only the logger registered under that name is "
                    "the parent of the pipeline's other loggers.")


def _one_line(stream_text: str, run_id: str, where: str) -> None:
    (entry,) = _json_lines(stream_text, 1)
    seen = {k: entry.get(k) for k in ("pipeline", "run_id", "message")}
    wanted = {"pipeline": _SETUP_PIPELINE, "run_id": run_id, "message": "Pipeline started"}
    expect(seen == wanted, f"the line {where} does not carry the pipeline and the returned run_id",
           expected=wanted, seen=seen)


@setup.check("writes JSON lines with the pipeline and run_id to the stream (stdout by default)",
             points=1,
             hint="logging.StreamHandler(stream) with StructuredFormatter(pipeline_name, run_id).")
def _writes_to_stream(setup_pipeline_logging: Callable[..., Any]) -> None:
    with _setups(setup_pipeline_logging) as setup_logging:
        stream = io.StringIO()
        logger, run_id = setup_logging(stream)
        logger.info("Pipeline started")
        _one_line(stream.getvalue(), run_id, "written to the stream")
    out, err = io.StringIO(), io.StringIO()
    with (contextlib.redirect_stdout(out), contextlib.redirect_stderr(err),
          _setups(setup_pipeline_logging) as setup_logging):
        logger, run_id = setup_logging(None)
        logger.info("Pipeline started")
    expect(out.getvalue(), "with stream=None nothing was written to standard output",
           expected="one JSON line on sys.stdout",
           seen=f"on stderr: {err.getvalue().strip()!r}" if err.getvalue() else "nothing",
           hint="logging.StreamHandler() without an argument writes to sys.stderr: pass "
                "sys.stdout when stream is None (log collectors and notebooks read stdout).")
    _one_line(out.getvalue(), run_id, "written to standard output")


@setup.check("honours the level", points=1,
             hint="logger.setLevel(level) takes a name or a number: with the default 'INFO' a "
                  "DEBUG line is dropped; with 'WARNING' an INFO line; with logging.ERROR a "
                  "WARNING line.")
def _level(setup_pipeline_logging: Callable[..., Any]) -> None:
    seen = {}
    with _setups(setup_pipeline_logging) as setup_logging:
        levels = {"default": None, "WARNING": "WARNING", "DEBUG": "DEBUG",
                  "logging.ERROR": logging.ERROR}
        for label, level in levels.items():
            stream = io.StringIO()
            logger, _ = setup_logging(stream, **({} if level is None else {"level": level}))
            logger.debug("debug line")
            logger.info("info line")
            logger.warning("warning line")
            logger.error("error line")
            seen[label] = [e.get("message") for e in _json_lines(stream.getvalue())]
    wanted = {"default": ["info line", "warning line", "error line"],
              "WARNING": ["warning line", "error line"],
              "DEBUG": ["debug line", "info line", "warning line", "error line"],
              "logging.ERROR": ["error line"]}
    wrong = [label for label in wanted if seen[label] != wanted[label]]
    expect(not wrong, f"the lines written do not follow the level: wrong for level "
           f"{', '.join(wrong)} (a name, or a number such as logging.ERROR == 40)",
           expected={label: wanted[label] for label in wrong[:2]},
           seen={label: seen[label] for label in wrong[:2]})


@setup.check("calling it twice does not duplicate lines", points=2,
             hint="Remove the logger's existing handlers before adding the new one "
                  "(logging.getLogger(name) returns the same logger on every call).")
def _no_duplicates(setup_pipeline_logging: Callable[..., Any]) -> None:
    with _setups(setup_pipeline_logging) as setup_logging:
        stream = io.StringIO()
        setup_logging(stream)
        logger, _ = setup_logging(stream)
        logger.info("Pipeline started")
    lines = stream.getvalue().splitlines()
    expect(len(lines) == 1, "after two calls, one log call wrote several lines",
           expected="1 line", seen=lines)


@setup.check("a second call starts a new run: new run_id, new stream", points=1,
             hint="Make a new run_id on every call and *replace* the handler: a guard such as "
                  "`if not logger.handlers:` keeps the first run's stream and run_id.")
def _second_run(setup_pipeline_logging: Callable[..., Any]) -> None:
    with _setups(setup_pipeline_logging) as setup_logging:
        first, second = io.StringIO(), io.StringIO()
        _, first_id = setup_logging(first)
        logger, second_id = setup_logging(second)
        expect(first_id != second_id, "both calls returned the same run_id",
               expected="a new run_id per call", seen=[first_id, second_id])
        logger.info("Second run started")
    expect(first.getvalue() == "", "the second run still writes to the first run's stream",
           expected="nothing more on the first stream", seen=first.getvalue())
    (entry,) = _json_lines(second.getvalue(), 1)
    expect_equal(entry.get("run_id"), second_id, "the run_id in the second run's line")


@setup.check("does not pass records on to the root logger", points=1,
             hint="logger.propagate = False: otherwise a handler on the root logger (Jupyter, "
                  "Airflow, basicConfig) prints every line a second time.")
def _no_propagation(setup_pipeline_logging: Callable[..., Any]) -> None:
    root = logging.getLogger()
    at_root = _RecordList()
    before = list(root.handlers)
    with _setups(setup_pipeline_logging) as setup_logging:
        logger, _ = setup_logging(io.StringIO())
        configured_root = list(root.handlers) != before
        root.addHandler(at_root)  # after the set-up, as a platform's handler would be there
        try:
            logger.warning("Disk almost full")
        finally:
            root.removeHandler(at_root)
    seen = [r.getMessage() for r in at_root.records if r.getMessage() == "Disk almost full"]
    expect(not seen, "the record also reached a handler on the root logger",
           expected="no record at the root", seen=seen,
           hint=None if not configured_root else
           "Configure the pipeline's own logger, not the root logger: logging.basicConfig "
           "changes the handlers of every library in the process, and your records still go "
           "to any handler added to the root later. Set logger.propagate = False.")


# ---------------------------------------------------------------- 05.3 log_timing

timing = exercise("05.3", "A timing decorator", ["log_timing"])

_REAL_CLOCKS = {name: getattr(time, name) for name in ("perf_counter", "monotonic")}


class _FakeTime:
    """A clock that only moves when the timed function says so: no real waiting.

    It is injected as ``clock=`` when ``log_timing`` accepts one, and also patched
    into ``time.perf_counter`` and ``time.monotonic`` (the real time plus the fake
    advance) for a learner who calls those directly. ``time.time`` is left alone:
    logging itself reads it for ``record.created``. ``reads`` counts the fake readings
    made by the checking thread only, so another thread's clock cannot affect it.
    """

    def __init__(self) -> None:
        self.advance = 0.0
        self.reads = 0
        self.raised: BaseException | None = None  # what the timed function raised
        self._owner = threading.get_ident()

    def injected(self) -> float:
        self.reads += 1
        return 1_000.0 + self.advance

    def patched(self, real: Callable[[], float]) -> Callable[[], float]:
        def read() -> float:
            if threading.get_ident() != self._owner:
                return real()
            self.reads += 1
            return real() + self.advance

        return read


@dataclass
class _Timed:
    result: Any
    error: BaseException | None
    records: list[logging.LogRecord]
    clock: _FakeTime


def _run_timed(log_timing: Callable[..., Any], fn: Callable[..., Any], *args: Any,
               **kwargs: Any) -> _Timed:
    clock = _FakeTime()
    with _capture() as cap, contextlib.ExitStack() as patches:
        accepts_clock = "clock" in inspect.signature(log_timing).parameters
        decorator = log_timing(cap.logger, clock=clock.injected) if accepts_clock else log_timing(cap.logger)
        for name, real in _REAL_CLOCKS.items():
            patches.enter_context(mock.patch.object(time, name, clock.patched(real)))
        wrapped = decorator(fn)
        try:
            result, error = wrapped(*args, clock=clock, **kwargs), None
        except Exception as exc:  # the check inspects what the wrapper let through
            result, error = None, exc
    return _Timed(result, error, list(cap.records), clock)


def load_orders(source: str, *, clock: _FakeTime, limit: int = 10) -> list[str]:
    """Pretend to load orders; the work 'takes' 2.5 seconds of fake time."""
    clock.advance += 2.5
    return [f"{source}:{i}" for i in range(limit)]


class _ApiDown(ConnectionError):
    pass


def fetch_payments(*, clock: _FakeTime) -> None:
    """Fail after 1.25 seconds of fake time (a new exception object on every call)."""
    clock.advance += 1.25
    clock.raised = _ApiDown("payments API unreachable")
    raise clock.raised


def _timing_records(records: list[logging.LogRecord], level: int) -> list[logging.LogRecord]:
    return [r for r in records if r.levelno == level and hasattr(r, "duration_seconds")]


def _describe(records: list[logging.LogRecord]) -> list[str]:
    return [f"{r.levelname}: {r.getMessage()} {_extras_of(r)}" for r in records] or ["(nothing)"]


def _extras_of(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in STANDARD_RECORD_ATTRS}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@timing.check("returns a decorator that passes arguments and the result through", points=1,
              hint="log_timing(logger) returns decorate(fn), which returns wrapper(*args, **kwargs) "
                   "that calls fn(*args, **kwargs) and returns its result.")
def _passes_through(log_timing: Callable[..., Any]) -> None:
    run = _run_timed(log_timing, load_orders, "s3://exports", limit=3)
    expect(run.error is None, "the decorated function raised", expected="no exception",
           seen=repr(run.error))
    expect_equal(run.result, ["s3://exports:0", "s3://exports:1", "s3://exports:2"],
                 "the decorated function's return value")


@timing.check("keeps the function's name and docstring", points=1,
              hint="Decorate the wrapper with @functools.wraps(fn).")
def _wraps(log_timing: Callable[..., Any]) -> None:
    with _capture() as cap:
        wrapped = log_timing(cap.logger)(load_orders)
    seen = (getattr(wrapped, "__name__", None), getattr(wrapped, "__doc__", None))
    expect_equal(seen, (load_orders.__name__, load_orders.__doc__), "(__name__, __doc__)")
    expect(getattr(wrapped, "__wrapped__", None) is load_orders,
           "__wrapped__ should point at the original function", expected="load_orders",
           seen=getattr(wrapped, "__wrapped__", "(missing)"))


@timing.check("logs INFO with a numeric duration_seconds on success", points=2,
              hint="logger.info('%s succeeded', name, extra={'duration_seconds': elapsed}) on "
                   "the logger given to log_timing; elapsed is a float, not a string.")
def _logs_success(log_timing: Callable[..., Any]) -> None:
    run = _run_timed(log_timing, load_orders, "s3://exports")
    found = _timing_records(run.records, logging.INFO)
    expect(len(found) == 1, "expected one INFO record carrying duration_seconds on the logger "
           "passed to log_timing", expected="1 INFO record with extra duration_seconds",
           seen=_describe(run.records))
    value = found[0].duration_seconds
    expect(_is_number(value), "duration_seconds must be a number", expected="a float",
           seen=repr(value))


def _duration_is(run: _Timed, found: list[logging.LogRecord], wanted: float) -> None:
    value = found[0].duration_seconds
    if run.clock.reads:
        expect(_is_number(value) and abs(value - wanted) < 0.25,
               f"the timed call took {wanted} s (on the check's fake clock)",
               expected=wanted, seen=value)
    else:  # a clock the check cannot move (time.time, `from time import perf_counter`)
        expect(_is_number(value) and 0 <= value < 1, "duration_seconds is not a plausible time",
               expected="a small non-negative number of seconds", seen=value)


@timing.check("duration_seconds measures the call", points=1,
              hint="start = clock() before calling fn, clock() - start after it returns; "
                   "the check passes a fake clock= that only moves while fn runs.")
def _measures(log_timing: Callable[..., Any]) -> None:
    run = _run_timed(log_timing, load_orders, "s3://exports")
    found = _timing_records(run.records, logging.INFO)
    expect(len(found) == 1, "no INFO record with duration_seconds to read",
           expected="1 INFO record with extra duration_seconds", seen=_describe(run.records))
    _duration_is(run, found, 2.5)


@timing.check("the record names the timed function", points=1,
              hint="Put fn.__name__ (or __qualname__) in the message or an extra field: the "
                   "record's own funcName is the wrapper's.")
def _names_function(log_timing: Callable[..., Any]) -> None:
    run = _run_timed(log_timing, load_orders, "s3://exports")
    found = _timing_records(run.records, logging.INFO)
    expect(len(found) == 1, "no INFO record with duration_seconds to read",
           expected="1 INFO record with extra duration_seconds", seen=_describe(run.records))
    texts = [found[0].getMessage(), *(str(v) for v in _extras_of(found[0]).values())]
    expect(any("load_orders" in t for t in texts), "nothing in the record says which function ran",
           expected="'load_orders' in the message or an extra field", seen=_describe(found))


def _failure_record(run: _Timed) -> logging.LogRecord:
    found = _timing_records(run.records, logging.ERROR)
    expect(len(found) == 1, "expected one ERROR record carrying duration_seconds when the "
           "function raises", expected="1 ERROR record with extra duration_seconds",
           seen=_describe(run.records))
    return found[0]


@timing.check("logs ERROR with duration_seconds on failure", points=1,
              hint="except Exception: log at ERROR (logger.exception adds the traceback) with "
                   "extra={'duration_seconds': ...}, then raise.")
def _logs_failure(log_timing: Callable[..., Any]) -> None:
    run = _run_timed(log_timing, fetch_payments)
    record = _failure_record(run)
    expect(not _timing_records(run.records, logging.INFO),
           "a failed call was also logged as a success", expected="no INFO timing record",
           seen=_describe(run.records),
           hint="Log the success only after fn returned (not in a `finally:`), so a failed "
                "call leaves one ERROR record and no INFO one.")
    _duration_is(run, [record], 1.25)


@timing.check("the ERROR record carries the traceback", points=1,
              hint="logger.exception(...) inside the except block (or logger.error(..., "
                   "exc_info=True)) attaches the exception: a formatter then writes its "
                   "traceback, which says where and why the step failed.")
def _failure_traceback(log_timing: Callable[..., Any]) -> None:
    run = _run_timed(log_timing, fetch_payments)
    record = _failure_record(run)
    attached = record.exc_info[1] if isinstance(record.exc_info, tuple) else None
    expect(attached is run.clock.raised,
           "the ERROR record does not carry the exception, so no traceback is logged",
           expected=f"record.exc_info holding {run.clock.raised!r}",
           seen=f"record.exc_info = {record.exc_info!r}")


@timing.check("re-raises the same exception", points=1,
              hint="A bare `raise` inside the except block re-raises the original exception "
                   "object with its traceback; do not wrap it or return None.")
def _reraises(log_timing: Callable[..., Any]) -> None:
    run = _run_timed(log_timing, fetch_payments)
    expect(run.error is not None, "the function raised, but the decorated call did not",
           expected="_ApiDown raised", seen=f"returned {run.result!r}")
    expect(run.error is run.clock.raised, "a different exception reached the caller",
           expected=f"the very same object: {run.clock.raised!r}", seen=repr(run.error))


# ---------------------------------------------------------------- 05.4 RedactingFilter

redact = exercise("05.4", "Keep secrets and e-mails out of the logs", ["RedactingFilter"])


class _EverythingFormatter(logging.Formatter):
    """Writes the rendered message, the raw ``msg`` and ``args``, and every extra field.

    A redacting filter must make the *record* safe, whatever formatter comes after it.
    """

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception as exc:  # a filter that replaced msg but kept args
            fail("after your filter ran, record.getMessage() fails",
                 expected="a record whose msg and args still render",
                 seen=f"{type(exc).__name__}: {exc} (clear record.args when you replace "
                      "record.msg with the finished message)")
        entry = {"message": message, "msg": str(record.msg), "args": record.args,
                 **_extras_of(record)}
        return json.dumps(entry, default=repr)


_SECRETS = {
    "password": "hunter2-pw-5521",
    "DB_PASSWORD": "pg-pw-8807",
    "access_token": "tok-4fa9e1c2",
    "Api_Key": "ak-live-99c2d1",
    "client_secret": "cs-0b7d6e55",
    "Authorization": "Bearer eyJhbGciOi-auth-73",
    "pin_secret": 48151623,  # not a string: its value goes all the same
}
_NESTED = {
    "db": {"host": "db-prod-01", "user": "etl_loader", "password": "nested-pw-3141"},
    "http": {"headers": {"Accept": "application/json", "X-Auth-Token": "nested-tok-2718"}},
    "vendor": {"API_KEY": "nested-ak-1618", "region": "eu-west-1"},
    # a secret key whose value is itself a dict: the whole value goes, keys and all
    "warehouse": {"client_secret": {"key_id": "nested-kid-4669", "value": "nested-cs-1414"}},
}
_NESTED_SECRETS = ("nested-pw-3141", "nested-tok-2718", "nested-ak-1618", "nested-kid-4669",
                   "nested-cs-1414")
_EMAILS = ("ann.lee+orders@example.com", "ops-team@corp.example.org", "J.Doe@mail.example.co.uk")


def _filtered(RedactingFilter: type, emit: Callable[[logging.Logger], None],
              count: int) -> tuple[list[dict[str, Any]], str]:
    with _capture(_EverythingFormatter(), (RedactingFilter(),)) as cap:
        emit(cap.logger)
        text = cap.text
    return _json_lines(text, count), text


def _leaks(text: str, secrets: tuple[str, ...]) -> list[str]:
    return [s for s in secrets if s in text]


def _line_with(text: str, secret: str) -> str:
    return next((line for line in text.splitlines() if secret in line), "")


def _log_everything(logger: logging.Logger) -> None:
    logger.info("Connecting to the warehouse", extra={**_SECRETS, "rows": 120, "user": "etl"})
    logger.info("Loaded config", extra={"config": copy.deepcopy(_NESTED)})
    logger.warning("Reminder to %s bounced", _EMAILS[0])
    logger.error(f"Escalate to {_EMAILS[1]} and {_EMAILS[2]} now")


@redact.check("keeps every record (the filter returns True)", points=1,
              hint="filter() must return True (a truthy value) to keep the record; returning "
                   "None, as a method without return does, drops it silently.")
def _keeps_records(RedactingFilter: type) -> None:
    _filtered(RedactingFilter, _log_everything, 4)


@redact.check("redacts secret extras, whatever their case", points=2,
              hint="A key is secret when key.lower() *contains* password, token, api_key, "
                   "secret or authorization (access_token, DB_PASSWORD, Api_Key, ...).")
def _secret_extras(RedactingFilter: type) -> None:
    _, text = _filtered(RedactingFilter, _log_everything, 4)
    leaked = {k: v for k, v in _SECRETS.items() if str(v) in text}
    expect(not leaked, f"the value of {', '.join(leaked)} reached the output",
           expected="no secret value in any line", seen=f"found in the output: {leaked}",
           hint="Replace the value of every secret key, whatever its type: a number or a dict "
                "under 'pin_secret' is as secret as a string." if list(leaked) == ["pin_secret"]
           else None)


@redact.check("redacts secrets inside nested dicts", points=1,
              hint="Walk dict values recursively and redact secret keys at every depth.")
def _nested(RedactingFilter: type) -> None:
    entries, text = _filtered(RedactingFilter, _log_everything, 4)
    leaked = _leaks(text, _NESTED_SECRETS)
    under_secret_key = [s for s in leaked if s in ("nested-kid-4669", "nested-cs-1414")]
    if under_secret_key and len(under_secret_key) == len(leaked):
        fail("a dict stored under a secret key ('client_secret': {...}) was searched for "
             "secret keys instead of being replaced whole",
             expected={"warehouse": {"client_secret": "[REDACTED]"}},
             seen={"warehouse": _dig(entries[1], "config", "warehouse")},
             hint="Test the key before you recurse: when the key is secret, replace its value "
                  "whatever it is (a string, a number, a dict); recurse only into the values "
                  "of keys that are not secret.")
    expect(not leaked, "a secret nested inside a dict extra reached the output",
           expected="no secret value in any line",
           seen=f"found {leaked} in: {_line_with(text, leaked[0])}" if leaked else None)


@redact.check("removes e-mail addresses written into the message", points=1,
              hint="Replace every match of an e-mail regex in the message, e.g. "
                   r"re.compile(r'[\w.+-]+@[\w-]+(?:\.[\w-]+)+').")
def _emails_in_message(RedactingFilter: type) -> None:
    _, text = _filtered(RedactingFilter, _log_everything, 4)
    leaked = _leaks(text, _EMAILS[1:])
    expect(not leaked, "an e-mail address in the message reached the output",
           expected="no e-mail address in any line",
           seen=_line_with(text, leaked[0]) if leaked else None)


@redact.check("removes e-mail addresses passed as %-arguments", points=1,
              hint="Redact record.getMessage() (arguments applied), store it in record.msg and "
                   "set record.args = () so nothing renders the original again.")
def _emails_in_args(RedactingFilter: type) -> None:
    _, text = _filtered(RedactingFilter, _log_everything, 4)
    leaked = _leaks(text, _EMAILS[:1])
    expect(not leaked, "an e-mail address passed as an argument reached the output "
           "(in the message, msg or args)", expected="no e-mail address in any line",
           seen=_line_with(text, leaked[0]) if leaked else None)
    others = EMAIL.findall(text)
    expect(not others, "an e-mail address reached the output", expected="none", seen=others)


def _dig(entry: dict[str, Any], *path: str) -> Any:
    value: Any = entry
    for key in path:
        value = value.get(key, "(missing)") if isinstance(value, dict) else "(missing)"
    return value


@redact.check("keeps what is not secret", points=1,
              hint="Redact only the secret values and the addresses themselves: the rest of "
                   "the message and the other fields are what makes the log useful.")
def _keeps_the_rest(RedactingFilter: type) -> None:
    first, second, third, fourth = _filtered(RedactingFilter, _log_everything, 4)[0]
    seen = {
        "rows": _dig(first, "rows"),
        "user": _dig(first, "user"),
        "config.db.host": _dig(second, "config", "db", "host"),
        "config.vendor.region": _dig(second, "config", "vendor", "region"),
        "message 3": str(third.get("message")),
        "message 4": str(fourth.get("message")),
    }
    kept = {
        **{k: v for k, v in seen.items() if not k.startswith("message")},
        "message 3": seen["message 3"].startswith("Reminder to ")
        and seen["message 3"].endswith(" bounced"),
        "message 4": seen["message 4"].startswith("Escalate to ") and seen["message 4"].endswith(" now"),
    }
    wanted = {"rows": 120, "user": "etl", "config.db.host": "db-prod-01",
              "config.vendor.region": "eu-west-1", "message 3": True, "message 4": True}
    expect(kept == wanted, "something that is not a secret was removed or changed",
           expected={**wanted, "message 3": "Reminder to <address> bounced",
                     "message 4": "Escalate to <address> and <address> now"},
           seen=seen)


@redact.check("leaves the caller's dicts unchanged", points=1,
              hint="Build redacted copies; writing '[REDACTED]' into the nested dict changes "
                   "the caller's real config (the next connection then fails).")
def _no_mutation(RedactingFilter: type) -> None:
    config = copy.deepcopy(_NESTED)

    def emit(logger: logging.Logger) -> None:
        logger.info("Loaded config", extra={"config": config})

    _filtered(RedactingFilter, emit, 1)
    changed = _changed_paths(_NESTED, config)
    expect(not changed, "logging the config changed the caller's dict",
           expected={path: before for path, before, _ in changed},
           seen={path: after for path, _, after in changed})


def _changed_paths(before: Any, after: Any, path: str = "config") -> list[tuple[str, Any, Any]]:
    """Every leaf whose value differs, as (dotted path, before, after)."""
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for key in before.keys() | after.keys():
            found += _changed_paths(before.get(key, "(missing)"), after.get(key, "(missing)"),
                                    f"{path}.{key}")
        return sorted(found)
    return [] if before == after else [(path, before, after)]
