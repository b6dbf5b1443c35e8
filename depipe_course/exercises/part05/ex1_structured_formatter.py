"""05.1: ``StructuredFormatter(pipeline_name, run_id)`` writes each record as one JSON line.

The checks demand the required fields with the record's own values (UTC ISO-8601
``timestamp`` of the record's creation, the message with its arguments applied), the
caller's ``extra=`` fields, the traceback when there is one, no copied ``LogRecord``
internals, and no crash on values ``json`` cannot encode.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise
from depipe_course.exercises._zones import local_zone
from depipe_course.exercises.part05._shared import _capture, _json_lines, learner_side
from depipe_course.exercises.worker_side.part05 import STANDARD_RECORD_ATTRS

fmt = exercise("05.1", "A JSON formatter for pipeline logs", ["StructuredFormatter"])
# Keys that may legitimately share a name with a record attribute in the output.
_ALLOWED_OVERLAP = frozenset({"module", "message", "exc_info", "exc_text", "stack_info"})
REQUIRED_FIELDS = (
    "timestamp", "level", "pipeline", "run_id", "logger", "module", "function", "line", "message",
)


def _strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings_in(item)


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
    """``logger.exception`` while handling an error raised where the logger is (a traceback to write)."""
    learner_side().log_exception(logger, "Load step failed", _DiskOnFire("disk on fire at sector 4242"))


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


@fmt.check("timestamp is ISO-8601 in UTC", points=1,
           hint="datetime.fromtimestamp(record.created, tz=UTC).isoformat(): local time, "
                "naive or with its offset, differs from machine to machine and no longer "
                "lines up once logs from several machines are merged.")
def _timestamp_utc(StructuredFormatter: type) -> None:
    with local_zone():  # the check's machine runs in UTC+05:30 meanwhile
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
