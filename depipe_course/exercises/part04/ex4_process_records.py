"""04.4: ``process_records(records, handle, dlq)`` dead-letters bad records and carries on.

Permanent errors about a record go to the dead letter queue and the run goes on;
unexpected errors are dead-lettered *and* re-raised; errors about the environment stop
the run; the returned ``ok + dead_lettered`` equals the number of records, also when
the records come from a generator.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from depipe_course.checking import expect, expect_equal
from depipe_course.exercises import exercise
from depipe_course.exercises.part04._shared import _logs_captured, _raised, _sqlite_errors, _validation_error

process = exercise("04.4", "Dead-letter bad records, stop on the unexpected", ["process_records"],
                   uses=["04.1", "04.3"])


class _RecordingDLQ:
    """Stands in for a DeadLetterQueue and remembers every write."""

    def __init__(self) -> None:
        self.entries: list[tuple[Any, BaseException]] = []

    def write(self, record: Any, error: BaseException, context: Any = None) -> None:
        self.entries.append((record, error))

    @property
    def ids(self) -> list[Any]:
        return [r.get("id") if isinstance(r, dict) else r for r, _ in self.entries]


class _Handler:
    """``handle`` that raises the given error for some record ids and remembers what it saw."""

    def __init__(self, failures: dict[int, BaseException]) -> None:
        self.failures = failures
        self.seen: list[int] = []

    def __call__(self, record: dict[str, Any]) -> None:
        self.seen.append(record["id"])
        if record["id"] in self.failures:
            raise self.failures[record["id"]]


def _records(n: int) -> list[dict[str, Any]]:
    return [{"id": i, "amount": 100 + i} for i in range(n)]


def _counts(result: Any) -> dict[str, Any]:
    expect(isinstance(result, dict), "process_records must return a dict",
           expected="{'ok': ..., 'dead_lettered': ...}", seen=result)
    return {k: result.get(k) for k in ("ok", "dead_lettered")}


@process.check("counts every record handled without error", points=1,
               hint="Call handle(record) for each record and count the successes in 'ok'.")
@_logs_captured
def _all_ok(process_records: Callable[..., Any]) -> None:
    handle, dlq = _Handler({}), _RecordingDLQ()
    result = process_records(_records(6), handle, dlq)
    expect_equal(_counts(result), {"ok": 6, "dead_lettered": 0}, "the counts")
    expect_equal(handle.seen, list(range(6)), "records handed to handle, in order")
    expect_equal(dlq.ids, [], "records written to the dead letter queue")


@process.check("dead-letters bad records and carries on", points=3,
               hint="A ValueError (pydantic's ValidationError included), KeyError or sqlite3.IntegrityError "
                    "means this record is bad: dlq.write(record, error) with the exception itself, count it, "
                    "and go on with the next record.")
@_logs_captured
def _bad_records(process_records: Callable[..., Any], tmp_path: Path) -> None:
    integrity = _sqlite_errors(tmp_path)["IntegrityError('UNIQUE constraint failed')"]
    failures: dict[int, BaseException] = {
        2: ValueError("amount '12,50' is not a number"),
        4: KeyError("customer_id"),
        6: _validation_error(),
        8: integrity,
    }
    handle, dlq = _Handler(failures), _RecordingDLQ()
    results: list[Any] = []
    raised = _raised(lambda: results.append(process_records(_records(10), handle, dlq)))
    expect(raised is None, "a bad record stopped the run", expected="the run carries on to record 9",
           seen=f"{type(raised).__name__} raised at record {handle.seen[-1] if handle.seen else '?'}")
    (result,) = results
    expect_equal(handle.seen, list(range(10)), "records handed to handle (every one, bad ones included)")
    expect_equal(dlq.ids, [2, 4, 6, 8], "records written to the dead letter queue")
    not_same = [type(failures[i]).__name__ for (_, e), i in zip(dlq.entries, [2, 4, 6, 8], strict=True)
                if e is not failures[i]]
    expect(not not_same, "the queue must receive the exception that handle raised",
           expected="the exception object itself", seen=f"something else for {not_same}")
    expect_equal(_counts(result), {"ok": 6, "dead_lettered": 4}, "the counts")


@process.check("unexpected errors are dead-lettered and re-raised", points=2,
               hint="Any other exception means something is wrong beyond this record: write the record to "
                    "the queue (so you know where the run stopped), then re-raise the same exception with "
                    "a bare `raise`. Not every error that is_transient calls permanent is a bad record.")
@_logs_captured
def _unexpected(process_records: Callable[..., Any]) -> None:
    for boom in (RuntimeError("disk quota exceeded on the warehouse volume"),
                 TypeError("unsupported operand type(s) for *: 'NoneType' and 'int'"),
                 AttributeError("'NoneType' object has no attribute 'upper'")):
        name = type(boom).__name__
        handle = _Handler({1: ValueError("bad amount"), 3: boom})
        dlq = _RecordingDLQ()
        raised = _raised(lambda h=handle, d=dlq: process_records(_records(6), h, d))
        bug = "" if isinstance(boom, RuntimeError) else (
            f" A {name} usually means a bug in handle, not a bad record: it would fail every next record too.")
        expect(raised is boom, f"the unexpected {name} must reach the caller unchanged",
               expected=f"{name}: {boom}",
               seen="no exception (the run carried on)" if raised is None else f"{type(raised).__name__}: {raised}",
               hint="Only ValueError, KeyError and sqlite3.IntegrityError are bad records. Any other exception: "
                    "write the record to the queue, then re-raise it with a bare `raise`." + bug)
        expect_equal(dlq.ids, [1, 3],
                     f"records in the dead letter queue (the bad one, then the one whose {name} stopped the run)")
        expect_equal(handle.seen, [0, 1, 2, 3], f"records handed to handle (none after the {name})")


@process.check("errors that are not about the record stop the run", points=1,
               hint="A network error that outlived handle's retries, a PermissionError or a missing table "
                    "(sqlite3.OperationalError) would fail every next record too: dead-letter the record and "
                    "re-raise. Of the SQLite errors only IntegrityError is about the record.")
@_logs_captured
def _environment_errors(process_records: Callable[..., Any], tmp_path: Path) -> None:
    import requests

    no_table = _sqlite_errors(tmp_path)["OperationalError('no such table')"]
    for error in (requests.exceptions.ConnectionError("payments API unreachable after 5 attempts"),
                  PermissionError(13, "Permission denied", "/warehouse/orders.sqlite"),
                  no_table):
        handle, dlq = _Handler({2: error}), _RecordingDLQ()
        raised = _raised(lambda h=handle, d=dlq: process_records(_records(5), h, d))
        name = type(error).__name__
        expect(raised is error, f"a {name} must stop the run and reach the caller", expected=f"{name} raised",
               seen="no exception (the run carried on)" if raised is None else f"{type(raised).__name__}: {raised}")
        expect_equal(dlq.ids, [2], f"records written to the dead letter queue for a {name}")


@process.check("ok + dead_lettered equals the number of records, also from a generator", points=1,
               hint="Count as you go; do not call len(records): records may be a generator, read once.")
@_logs_captured
def _generator(process_records: Callable[..., Any]) -> None:
    failures: dict[int, BaseException] = {i: ValueError(f"bad record {i}") for i in range(0, 25, 5)}
    handle, dlq = _Handler(failures), _RecordingDLQ()
    result = process_records((r for r in _records(25)), handle, dlq)
    expect_equal(_counts(result), {"ok": 20, "dead_lettered": 5}, "the counts for 25 records, 5 of them bad")
