"""04.3: ``DeadLetterQueue(path)`` stores failed records as NDJSON and gives them back.

``.write(record, error, context=None)`` must append exactly one JSON line per entry
(whatever the error message holds) with ``failed_at`` as timezone-aware UTC ISO-8601,
survive records holding ``Decimal`` and ``datetime`` values, create its folder, and
iterating must give back every entry, oldest first.

The check of ``failed_at`` sets the process's local time zone away from UTC while the
learner's code runs, so local time cannot pass for UTC on a UTC machine.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise
from depipe_course.exercises._zones import local_zone
from depipe_course.exercises.part04._shared import _logs_captured

dlq_ex = exercise("04.3", "A dead letter queue on NDJSON", ["DeadLetterQueue"])

_FIELDS = ("failed_at", "error_type", "error_message", "record", "context")


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _file_entries(path: Path, count: int) -> list[dict[str, Any]]:
    """The file's lines parsed independently of the learner's reader."""
    import json

    expect(path.exists(), "nothing was written to the queue's path", expected=str(path.name), seen="no file")
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    expect(len(lines) == count, f"{_plural(count, 'entry', 'entries')} written, the file has "
           f"{_plural(len(lines), 'line', 'lines')}", expected=f"{_plural(count, 'line', 'lines')}, one JSON "
           "object each", seen=text)
    expect(text.endswith("\n"), "every entry must end with a newline, so the next one starts a new line",
           expected="text ending in '\\n'", seen=text[-80:])
    entries = []
    for number, line in enumerate(lines, 1):
        try:
            entry = json.loads(line)
        except ValueError:
            fail(f"line {number} is not a JSON object on its own", expected="one JSON object per line", seen=line)
        expect(isinstance(entry, dict), f"line {number} is JSON but not an object", expected="{...}", seen=line)
        missing = [f for f in _FIELDS if f not in entry]
        expect(not missing, f"line {number} lacks {', '.join(missing)}", expected=list(_FIELDS), seen=sorted(entry))
        entries.append(entry)
    return entries


_CASES: list[tuple[dict[str, Any], Exception, dict[str, Any] | None]] = [
    ({"order_id": 1_000_001, "amount": "12,50"}, ValueError("amount '12,50' is not a number"),
     {"pipeline": "orders", "run_id": "run-42"}),
    ({"order_id": 1_000_002}, KeyError("customer_id"), None),
    ({"order_id": 1_000_003, "status": "deliverd"}, ValueError("unknown status 'deliverd'"),
     {"pipeline": "orders"}),
]


@dlq_ex.check("writes one JSON line per entry with the agreed fields", points=2,
              hint="Each entry is a dict with failed_at, error_type (type(error).__name__), error_message "
                   "(str(error)), record and context ({} when None), written as json.dumps(entry) + '\\n' "
                   "to a file opened for appending.")
@_logs_captured
def _lines(DeadLetterQueue: type, tmp_path: Path) -> None:
    path = tmp_path / "orders_dlq.ndjson"
    queue = DeadLetterQueue(str(path))
    for record, error, context in _CASES:
        queue.write(record, error, context=context)
    entries = _file_entries(path, len(_CASES))
    for entry, (record, error, context) in zip(entries, _CASES, strict=True):
        wanted = {"error_type": type(error).__name__, "error_message": str(error), "record": record,
                  "context": context or {}}
        expect_equal({k: entry[k] for k in wanted}, wanted, f"the entry for order {record['order_id']}")


@dlq_ex.check("an error message with newlines still makes one line", points=2,
              hint="Let json.dumps escape newlines inside strings, and never pass indent=: NDJSON readers "
                   "split on newlines, so one entry must be exactly one line.")
@_logs_captured
def _newlines(DeadLetterQueue: type, tmp_path: Path) -> None:
    path = tmp_path / "dlq.ndjson"
    error = ValueError("row 7 is malformed:\n  amount='12,50'\n  status=None")
    record = {"order_id": 7, "note": "first line\nsecond line", "raw": "a\tb\r\nc"}
    DeadLetterQueue(path).write(record, error)
    (entry,) = _file_entries(path, 1)
    expect_equal((entry["error_message"], entry["record"]), (str(error), record),
                 "the message and record read back")


@dlq_ex.check("failed_at is timezone-aware UTC in ISO-8601", points=1,
              hint="datetime.now(timezone.utc).isoformat() gives '2026-03-01T09:30:00.123456+00:00'. "
                   "datetime.utcnow() is naive (no offset) and deprecated.")
@_logs_captured
def _failed_at(DeadLetterQueue: type, tmp_path: Path) -> None:
    path = tmp_path / "dlq.ndjson"
    before = datetime.now(UTC)
    with local_zone():
        DeadLetterQueue(path).write({"order_id": 1}, ValueError("bad"))
    after = datetime.now(UTC)
    (entry,) = _file_entries(path, 1)
    stamp = entry["failed_at"]
    expect(isinstance(stamp, str), "failed_at must be an ISO-8601 string", expected="'2026-...+00:00'", seen=stamp)
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        fail("failed_at is not ISO-8601", expected="datetime.now(timezone.utc).isoformat()", seen=stamp)
    expect(when.tzinfo is not None, "failed_at must carry the UTC offset", expected="an offset of +00:00 (or Z)",
           seen=stamp)
    expect(when.utcoffset() == timedelta(0), "failed_at is in the machine's local time zone, not UTC",
           expected="an offset of +00:00 (or Z)", seen=f"{stamp} (written while the local zone was UTC+05:30)",
           hint="datetime.now().astimezone() is aware but local: on a server outside UTC every entry "
                "carries another offset. Use datetime.now(timezone.utc).")
    slack = timedelta(seconds=2)
    expect(before - slack <= when <= after + slack, "failed_at is not the moment of the write",
           expected=f"between {before.isoformat()} and {after.isoformat()}", seen=stamp)


@dlq_ex.check("stores records holding Decimal and datetime values", points=2,
              hint="json.dumps raises TypeError on Decimal and datetime: pass default= a function that "
                   "turns a Decimal into str (exact; float would round it) and a date or datetime into "
                   "value.isoformat(). A queue that crashes loses the very record it exists for.")
@_logs_captured
def _decimals(DeadLetterQueue: type, tmp_path: Path) -> None:
    path = tmp_path / "dlq.ndjson"
    amount = Decimal("12345678901234567.89")
    captured = datetime(2026, 3, 1, 9, 30, 15, tzinfo=UTC)
    day = date(2026, 3, 1)
    record = {"payment_id": "pay_8Fz2kQ0aLm3Xyb", "amount": amount, "captured_at": captured, "day": day}
    try:
        DeadLetterQueue(path).write(record, ValueError("currency 'inr' is not allowed"))
    except TypeError as exc:
        fail("writing a record with Decimal and datetime values crashed",
             expected="the entry written", seen=f"TypeError: {exc}")
    (entry,) = _file_entries(path, 1)
    stored = entry["record"]
    expect(isinstance(stored, dict) and stored.get("payment_id") == record["payment_id"],
           "the record must be stored as a JSON object with its fields", expected="{'payment_id': ...}",
           seen=stored)
    expect(_same_decimal(stored.get("amount"), amount), "the Decimal amount must keep every digit",
           expected=str(amount), seen=stored.get("amount"))
    expect(_same_moment(stored.get("captured_at"), captured), "the datetime must read back as the same moment",
           expected=captured.isoformat(), seen=stored.get("captured_at"))
    expect(_same_day(stored.get("day"), day), "the date must read back as the same day",
           expected=day.isoformat(), seen=stored.get("day"))


def _same_decimal(value: Any, expected: Decimal) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    try:
        return Decimal(str(value)) == expected
    except (InvalidOperation, ValueError):
        return False


def _same_moment(value: Any, expected: datetime) -> bool:
    try:
        return isinstance(value, str) and datetime.fromisoformat(value) == expected
    except ValueError:
        return False


def _same_day(value: Any, expected: date) -> bool:
    return isinstance(value, str) and value[:10] == expected.isoformat()


@dlq_ex.check("appends: earlier entries survive later writes", points=1,
              hint="Open the file in append mode ('a'): a second queue on the same path, like the next "
                   "run of the pipeline, must add to it, not replace it.")
@_logs_captured
def _appends(DeadLetterQueue: type, tmp_path: Path) -> None:
    path = tmp_path / "dlq.ndjson"
    first = DeadLetterQueue(path)
    first.write({"order_id": 1}, ValueError("one"))
    first.write({"order_id": 2}, ValueError("two"))
    DeadLetterQueue(path).write({"order_id": 3}, ValueError("three"))
    entries = _file_entries(path, 3)
    expect_equal([e["record"]["order_id"] for e in entries], [1, 2, 3], "order ids in the file")


@dlq_ex.check("iterating gives back every stored entry, oldest first", points=1,
              hint="__iter__ opens the file and yields json.loads(line) for each non-empty line; a queue "
                   "whose file does not exist yet has no entries.")
@_logs_captured
def _iterates(DeadLetterQueue: type, tmp_path: Path) -> None:
    path = tmp_path / "dlq.ndjson"
    empty = list(DeadLetterQueue(path))
    expect_equal(empty, [], "entries of a queue nothing was written to")
    queue = DeadLetterQueue(path)
    for record, error, context in _CASES:
        queue.write(record, error, context=context)
    from_file = _file_entries(path, len(_CASES))
    expect_equal(list(queue), from_file, "iterating over the queue (compared with the file's lines)")
    expect_equal(list(DeadLetterQueue(path)), from_file, "iterating over a new queue on the same file")


@dlq_ex.check("creates the folder it writes to", points=1,
              hint="path.parent.mkdir(parents=True, exist_ok=True) before the first write.")
@_logs_captured
def _creates_folder(DeadLetterQueue: type, tmp_path: Path) -> None:
    path = tmp_path / "dlq" / "2026-03-01" / "payments.ndjson"
    DeadLetterQueue(path).write({"payment_id": "pay_1"}, ValueError("bad"))
    _file_entries(path, 1)
