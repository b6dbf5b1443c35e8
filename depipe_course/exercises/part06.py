"""Part 06 — Generators: a lazy NDJSON → SQLite pipeline in constant memory."""

from __future__ import annotations

import builtins
import contextlib
import io
import itertools
import json
import logging
import os
import re
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from depipe_course.checking import CheckFailed, expect, expect_equal, fail
from depipe_course.exercises import exercise

# ---------------------------------------------------------------- shared helpers

_STANDARD_RECORD_KEYS = frozenset(
    logging.LogRecord("x", logging.INFO, "x", 1, "x", None, None).__dict__
) | {"message", "asctime", "taskName"}


class _LogCapture(logging.Handler):
    """Collects WARNING-and-above records while a check runs (or only counts them)."""

    def __init__(self, keep: bool) -> None:
        super().__init__(logging.WARNING)
        self.keep = keep
        self.count = 0
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.keep:
            self.records.append(record)

    def mentions(self, value: object) -> bool:
        """Some captured record names ``value`` in its message or in an ``extra=`` field."""
        pattern = re.compile(rf"(?<![\w.]){re.escape(str(value))}(?![\w.])")
        for record in self.records:
            if pattern.search(record.getMessage()):
                return True
            extras = (v for k, v in record.__dict__.items() if k not in _STANDARD_RECORD_KEYS)
            if any(v == value or pattern.search(str(v)) for v in extras):
                return True
        return False


@contextlib.contextmanager
def _captured_logs(keep: bool = True) -> Iterator[_LogCapture]:
    """Route log records to a capture instead of the notebook's stderr, then restore."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    capture = _LogCapture(keep)
    root.handlers = [capture]
    root.setLevel(logging.WARNING)
    try:
        yield capture
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)


class _Pulled:
    """An endless source of copies of ``record`` that counts how many were taken.

    Laziness checks pull one item downstream and look at the count. An eager stage
    would read forever, so the source gives up after ``limit`` items.
    """

    class TooMany(Exception):
        pass

    def __init__(self, record: dict[str, Any] | None = None, limit: int = 5_000) -> None:
        self.record = record
        self.limit = limit
        self.count = 0

    def __iter__(self) -> Iterator[Any]:
        while True:
            if self.count >= self.limit:
                raise _Pulled.TooMany(f"pulled {self.limit:,} items without yielding one")
            self.count += 1
            yield dict(self.record) if self.record is not None else self.count


def _first_from(stage: Callable[..., Iterable[Any]], source: _Pulled, *args: Any) -> Any:
    """``next(stage(source))``, failing clearly when the stage is not lazy."""
    try:
        out = stage(iter(source), *args)
        return next(iter(out))
    except _Pulled.TooMany:
        fail("the stage tried to read its whole (endless) input before yielding anything",
             expected="the first result after pulling only what it needs",
             seen=f"more than {source.limit:,} items pulled")
    except StopIteration:
        fail("the stage yielded nothing from an endless stream of valid input",
             expected="a first item", seen="StopIteration")


def _take(iterable: Iterable[Any], cap: int) -> list[Any]:
    """At most ``cap`` items, so a stage that never stops cannot hang a check."""
    return list(itertools.islice(iterable, cap))


def _peak_bytes(fn: Callable[[], Any]) -> int:
    """Peak traced bytes while ``fn()`` runs; leaves tracemalloc as it was."""
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return max(0, peak - baseline)


@contextlib.contextmanager
def _files_opened(path: Path) -> Iterator[list[Any]]:
    """Record every file object opened on ``path`` (``open``, ``Path.open``, ``io.open``).

    The list keeps the objects alive, so a file that only garbage collection would
    close stays open and shows up. Whatever is still open at the end is closed here.
    """
    opened: list[Any] = []
    real_builtin, real_io = builtins.open, io.open
    target = os.path.realpath(path)

    def watching_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        handle = real_builtin(file, *args, **kwargs)
        with contextlib.suppress(TypeError, ValueError, OSError):
            if not isinstance(file, int) and os.path.realpath(os.fspath(file)) == target:
                opened.append(handle)
        return handle

    builtins.open = io.open = watching_open
    try:
        yield opened
    finally:
        builtins.open, io.open = real_builtin, real_io
        for handle in opened:
            handle.close()


def _files_in_generator(gen: Any) -> list[Any]:
    """Open file objects held by a paused generator (or what it delegates to)."""
    found = []
    while gen is not None:
        frame = getattr(gen, "gi_frame", None)
        if frame is not None:
            found += [v for v in frame.f_locals.values() if isinstance(v, io.IOBase)]
        gen = getattr(gen, "gi_yieldfrom", None)
    return found


def _no_stub(exc: BaseException) -> None:
    """Let a stub's NotImplementedError through a check's own ``except Exception``."""
    if isinstance(exc, NotImplementedError):
        raise exc


# ---------------------------------------------------------------- 06.1 read_ndjson

read = exercise("06.1", "Read NDJSON lazily", ["read_ndjson"])

_GOOD = [
    {"order_id": 1000001, "customer_id": 7, "amount": "380.50", "status": "delivered",
     "created_at": "2026-03-01T10:00:00Z"},
    {"order_id": 1000002, "customer_id": 8, "amount": "12.00", "status": " Placed ",
     "created_at": "2026-03-01T15:30:00+05:30", "note": "café ☕"},
    {"order_id": 1000003, "customer_id": 9, "amount": None, "status": "NULL",
     "created_at": None},
]


def _ndjson(tmp_path: Path, lines: list[str], name: str = "orders.ndjson") -> Path:
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _bad_file(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    """40 lines: good records, blank lines, and broken JSON on lines 23 and 37."""
    lines, records = [], []
    for number in range(1, 41):
        if number == 23:
            lines.append('{"order_id": 1')
        elif number == 37:
            lines.append("not json at all")
        elif number % 9 == 0:
            lines.append("   ")
        else:
            record = {"order_id": number, "status": "placed"}
            records.append(record)
            lines.append(json.dumps(record))
    return _ndjson(tmp_path, lines, "broken.ndjson"), records


@read.check("yields every record, in file order", points=2,
            hint="Iterate over the open file line by line and yield json.loads(line).")
def _all_records(read_ndjson: Callable[..., Any], tmp_path: Path) -> None:
    path = _ndjson(tmp_path, [json.dumps(r, ensure_ascii=False) for r in _GOOD])
    with _files_opened(path):
        got = _take(read_ndjson(path), 10)
        expect_equal(got, _GOOD, "the records read")
        try:
            got_str = _take(read_ndjson(str(path)), 10)
        except (AttributeError, TypeError) as exc:
            fail("read_ndjson fails when the path is given as a str",
                 expected="the same records as for a Path", seen=f"{type(exc).__name__}: {exc}",
                 hint="open(path, encoding='utf-8') accepts a str and a Path; path.open() "
                      "works only on a Path (or wrap it: Path(path)).")
    expect_equal(got_str, _GOOD, "the records read when the path is given as a str")


@read.check("skips blank lines quietly", points=1,
            hint="Strip each line and `continue` when nothing is left, before json.loads: a "
                 "blank line is not an error worth a warning.")
def _blank_lines(read_ndjson: Callable[..., Any], tmp_path: Path) -> None:
    lines = ["", json.dumps(_GOOD[0]), "   ", "\t", json.dumps(_GOOD[1]), ""]
    path = _ndjson(tmp_path, lines)
    with _captured_logs() as logs, _files_opened(path):
        got = _take(read_ndjson(path), 10)
    expect_equal(got, _GOOD[:2], "the records read from a file with blank lines")
    expect(logs.count == 0, "blank lines are normal in NDJSON exports: skip them without a "
           "warning", expected="no warnings", seen=[r.getMessage() for r in logs.records][:3])


@read.check("skips bad JSON and logs a WARNING naming its line number", points=2,
            hint="Catch json.JSONDecodeError, log it with logger.warning(... line_number ...) "
                 "and continue; enumerate(f, start=1) gives line numbers.")
def _bad_json(read_ndjson: Callable[..., Any], tmp_path: Path) -> None:
    path, records = _bad_file(tmp_path)
    with _captured_logs() as logs, _files_opened(path):
        got = _take(read_ndjson(path), 100)
    expect_equal(got, records, "the records read around two broken lines")
    expect(logs.count >= 2, "each broken line must be logged at WARNING (or above)",
           expected="2 warnings (lines 23 and 37)", seen=f"{logs.count} warnings")
    missing = [n for n in (23, 37) if not logs.mentions(n)]
    expect(not missing, "a warning must say which line of the file was broken",
           expected="line numbers 23 and 37 in the warnings",
           seen=f"missing: {missing}; messages: {[r.getMessage() for r in logs.records][:3]}")


_BIG_LINES = 20_000
_LAZY_LIMIT = 512 * 1024


@read.check("is lazy: the first record comes without reading the whole file", points=2,
            hint="Make read_ndjson a generator: `yield` each record inside the loop over the "
                 "file instead of building a list (or calling f.read()/readlines()).")
def _lazy(read_ndjson: Callable[..., Any], tmp_path: Path) -> None:
    line = '{"order_id": %d, "customer_id": 1, "amount": "1.00", "status": "placed"}\n'
    path = tmp_path / "big.ndjson"
    path.write_text("".join(line % n for n in range(_BIG_LINES)), encoding="utf-8")
    holder: list[Any] = []

    def first() -> None:
        it = read_ndjson(path)
        holder.append(it)
        holder.append(next(iter(it)))

    with _files_opened(path):  # closes what a wrong version leaves open
        peak = _peak_bytes(first)
        with contextlib.suppress(Exception):
            getattr(holder[0], "close", lambda: None)()
    expect(holder[1] == {"order_id": 0, "customer_id": 1, "amount": "1.00", "status": "placed"},
           "the first record is wrong", expected="the file's first line", seen=holder[1])
    expect(peak < _LAZY_LIMIT,
           f"getting the first record of a {path.stat().st_size / 1e6:.1f} MB file allocated "
           "as if the whole file were read", expected=f"under {_LAZY_LIMIT // 1024} KiB",
           seen=f"{peak // 1024:,} KiB")


@read.check("closes the file when the consumer stops early", points=2,
            hint="Open the file in a `with` block inside the generator: close() or a `break` "
                 "raises GeneratorExit at the paused yield, and `with` closes the file.")
def _closes_early(read_ndjson: Callable[..., Any], tmp_path: Path) -> None:
    path = _ndjson(tmp_path, [json.dumps(r) for r in _GOOD])
    with _files_opened(path) as opened:
        it = read_ndjson(path)
        next(iter(it))
        opened += [f for f in _files_in_generator(it) if f not in opened]
        close = getattr(it, "close", None)
        if close is not None:
            close()
        del it
        left_open = [f for f in opened if not f.closed]
    expect(not left_open, "after the consumer called close() on the generator, the file was "
           "still open", expected="file closed", seen="file open")
    with _files_opened(path) as opened:
        for _ in read_ndjson(path):
            break
        left_open = [f for f in opened if not f.closed]
    expect(not left_open, "after the consumer broke out of a for loop, the file was still open",
           expected="file closed", seen="file open")
    with _files_opened(path) as opened:
        _take(read_ndjson(path), 10)
        left_open = [f for f in opened if not f.closed]
    expect(not left_open, "after reading the whole file, the file was still open",
           expected="file closed", seen="file open")


# ---------------------------------------------------------------- 06.2 validate / transform

clean = exercise("06.2", "Validate and transform lazily", ["validate_orders", "transform_orders"])


def _raw(order_id: Any = 1000001, *, customer_id: Any = 42, amount: Any = "380.50",
         status: Any = "delivered", created_at: Any = "2026-03-01T10:00:00Z") -> dict[str, Any]:
    return {"order_id": order_id, "customer_id": customer_id, "amount": amount,
            "status": status, "created_at": created_at}


_VALID = [
    _raw(1),
    _raw(2, status=" Delivered "),
    _raw(3, status="PLACED", created_at="2026-03-01T15:30:00+05:30"),
    _raw(4, amount=12, created_at="2026-03-01 10:00:00"),
    _raw(5, amount=2.675, status="Confirmed"),
    _raw(6, amount="0.01", status="cancelled "),
]

_INVALID = [
    ("amount null", _raw(11, amount=None)),
    ("amount '0.00'", _raw(12, amount="0.00")),
    ("amount '-25.00'", _raw(13, amount="-25.00")),
    ("amount 'abc'", _raw(14, amount="abc")),
    ("no order_id", {k: v for k, v in _raw().items() if k != "order_id"}),
    ("customer_id null", _raw(16, customer_id=None)),
    ("status 'deliverd'", _raw(17, status="deliverd")),
    ("status null", _raw(18, status=None)),
    ("status 'N/A'", _raw(19, status="N/A")),
    ("created_at null", _raw(20, created_at=None)),
    ("created_at 'not-a-date'", _raw(21, created_at="not-a-date")),
    ("created_at '2026-02-30T10:00:00' (no such day)", _raw(22, created_at="2026-02-30T10:00:00")),
    ("created_at 'yesterday'", _raw(23, created_at="yesterday")),
]


def _copy(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [dict(r) for r in records]


_BAD_DATA_RAISES = ("Bad data must not stop the stream: turn each field's conversion error "
                    "(InvalidOperation, ValueError, TypeError, KeyError) into 'invalid', log "
                    "the record and `continue`.")
_VALID_PASSES = ("Each valid form must pass: ids as ints or digit strings, amounts as numbers or "
                 "numeric strings, status in any case with spaces, created_at with 'Z', an "
                 "offset or no zone.")
_VALID_FORMS = ("transform_orders receives every form validate_orders accepts: ids as ints or "
                "digit strings, amounts as strings or JSON numbers, created_at with 'Z', an "
                "offset or no zone. The error says which conversion failed on which form.")


def _run_stage(stage: Callable[..., Iterable[Any]], records: Iterable[Any], name: str, *,
               what: str, hint: str, cap: int = 50) -> list[Any]:
    """At most ``cap`` results of ``stage(iter(records))``; an exception fails the sub-check
    with ``hint`` (what the exception means here), not the sub-check's own hint."""
    try:
        return _take(stage(iter(records)), cap)
    except Exception as exc:
        _no_stub(exc)
        fail(f"{name} raised {type(exc).__name__} on {what}: {exc}",
             expected=f"{name} to go on through the stream", seen=f"{type(exc).__name__}: {exc}",
             hint=hint)


@clean.check("validate_orders keeps valid records, unchanged and in order", points=2,
             hint="Yield the record itself when it passes; compare amounts as numbers "
                  "(Decimal(str(amount)) > 0), not strings with ints.")
def _keeps_valid(validate_orders: Callable[..., Any]) -> None:
    got = _run_stage(validate_orders, _copy(_VALID), "validate_orders", what="valid records",
                     hint=_VALID_PASSES)
    same_ids = [r.get("order_id") if isinstance(r, dict) else r for r in got] == [
        r["order_id"] for r in _VALID]
    expect_equal(got, _VALID, "the records validate_orders let through",
                 hint="Yield each valid record as it came: validate_orders only decides, and "
                      "cleaning (strip, lower, types) is transform_orders' job." if same_ids
                 else None)


@clean.check("validate_orders drops each kind of invalid record, without raising", points=3,
             hint="A filter: for a bad record, log it and `continue`. Check every field: ids, "
                  "amount > 0, status (after strip/lower) in the four, created_at parseable.")
def _drops_invalid(validate_orders: Callable[..., Any]) -> None:
    kept, raised = [], []
    for label, record in _INVALID:
        try:
            with _captured_logs():
                if _take(validate_orders(iter([dict(record)])), 5):
                    kept.append(label)
        except Exception as exc:
            _no_stub(exc)
            raised.append(f"{label}: {type(exc).__name__}")
    expect(not raised, f"validate_orders raised on {len(raised)} of {len(_INVALID)} kinds of "
           "bad data instead of dropping the record", expected="every invalid record dropped, "
           "no exception", seen=_first_few(raised),
           hint="Bad data must not stop the stream: turn each field's conversion error "
                "(InvalidOperation, ValueError, TypeError, KeyError) into 'invalid', log the "
                "record and `continue`.")
    expect(not kept, f"validate_orders kept {len(kept)} of {len(_INVALID)} kinds of invalid "
           "record", expected="every invalid record dropped", seen=_first_few(kept))
    stream = [r for pair in zip(_copy(_VALID), _copy(r for _, r in _INVALID[:6]), strict=True)
              for r in pair]
    with _captured_logs():
        got = _run_stage(validate_orders, stream, "validate_orders",
                         what="a stream mixing valid and invalid records", hint=_BAD_DATA_RAISES)
    # Only which records stay is judged here; "unchanged" is the first sub-check's business.
    expect_equal([{"order_id": r.get("order_id")} for r in got],
                 [{"order_id": r["order_id"]} for r in _VALID],
                 "the records kept from a stream mixing valid and invalid ones")


@clean.check("validate_orders rejects a non-ISO date like '17/03/2026 10:00'", points=1,
             hint="Accept ISO-8601 only (datetime.fromisoformat): 17/03/2026 is day-first, and "
                  "03/04/2026 could be March or April. Guessing corrupts data silently.")
def _non_iso(validate_orders: Callable[..., Any]) -> None:
    with _captured_logs():
        kept = _run_stage(validate_orders, [_raw(24, created_at="17/03/2026 10:00")],
                          "validate_orders", what="created_at '17/03/2026 10:00'",
                          hint=_BAD_DATA_RAISES)
    expect(not kept, "a day-first date is not ISO-8601 and must be dropped",
           expected="dropped", seen="kept")


@clean.check("validate_orders logs each dropped record at WARNING with its order_id", points=2,
             hint="logger.warning('dropping order %s: %s', record.get('order_id'), reason) "
                  "for every record you drop.")
def _logs_dropped(validate_orders: Callable[..., Any]) -> None:
    with _captured_logs() as logs:
        kept = _run_stage(validate_orders, _copy(r for _, r in _INVALID), "validate_orders",
                          what="invalid records, so their warnings could not be counted",
                          hint=_BAD_DATA_RAISES)
    # Judge the records this validate_orders did drop: keeping some is another sub-check's.
    dropped = [r for _, r in _INVALID if r not in kept]
    expect(logs.count >= len(dropped), "every dropped record needs its own warning",
           expected=f"at least {len(dropped)} warnings, one per record dropped",
           seen=f"{logs.count}")
    ids = [r["order_id"] for r in dropped if "order_id" in r]
    missing = [i for i in ids if not logs.mentions(i)]
    expect(not missing, "a warning must name the order_id of the record it dropped",
           expected=f"order_ids {ids[0]}..{ids[-1]} in the warnings", seen=f"missing: {missing}")


@clean.check("validate_orders and transform_orders are lazy", points=2,
             hint="Write each as a generator (`for record in records: ... yield ...`); "
                  "never list(records).")
def _lazy_stages(validate_orders: Callable[..., Any], transform_orders: Callable[..., Any]) -> None:
    for name, stage in (("validate_orders", validate_orders), ("transform_orders", transform_orders)):
        source = _Pulled(_raw(1))
        try:
            with _captured_logs():
                _first_from(stage, source)
        except Exception as exc:
            _no_stub(exc)
            if isinstance(exc, CheckFailed):
                raise
            fail(f"{name} raised {type(exc).__name__} on valid records: {exc}",
                 expected=f"{name} to go on through the stream",
                 seen=f"{type(exc).__name__}: {exc}",
                 hint=_VALID_FORMS if name == "transform_orders" else _VALID_PASSES)
        expect(source.count == 1, f"{name} must pull one record to produce one",
               expected="1 record pulled", seen=f"{source.count} pulled")


def _first_few(items: list[str], shown: int = 4) -> str:
    more = f"; and {len(items) - shown} more" if len(items) > shown else ""
    return "; ".join(items[:shown]) + more


def _transformed(transform_orders: Callable[..., Any], records: list[dict[str, Any]]) -> list[Any]:
    got = _run_stage(transform_orders, _copy(records), "transform_orders", what="valid records",
                     hint=_VALID_FORMS, cap=len(records) + 5)
    expect(len(got) == len(records), "transform_orders must yield one order per input record",
           expected=len(records), seen=len(got))
    for order in got:
        expect(isinstance(order, dict), "each transformed order must be a dict",
               expected="dict", seen=type(order).__name__)
    return got


@clean.check("transform_orders: int ids, stripped lower-case status", points=2,
             hint="int(record['order_id']); record['status'].strip().lower().")
def _ids_and_status(transform_orders: Callable[..., Any]) -> None:
    records = [_raw("1000001", customer_id="42", status=" Delivered "), _raw(7, status="PLACED")]
    got = _transformed(transform_orders, records)
    not_int = [f"{field} {o.get(field)!r} ({type(o.get(field)).__name__})" for o in got
               for field in ("order_id", "customer_id") if type(o.get(field)) is not int]
    expect(not not_int, "order_id and customer_id must be ints", expected="int ids such as "
           "1000001 and 42", seen=_first_few(not_int),
           hint="int(record['order_id']): an id that arrives as the text '1000001' becomes "
                "the int 1000001.")
    seen = [{k: o.get(k) for k in ("order_id", "customer_id", "status")} for o in got]
    expected = [{"order_id": 1000001, "customer_id": 42, "status": "delivered"},
                {"order_id": 7, "customer_id": 42, "status": "placed"}]
    expect_equal(seen, expected, "the orders made from order_id '1000001', customer_id '42', "
                 "status ' Delivered ' and from status 'PLACED'")


def _amounts(transform_orders: Callable[..., Any], cases: list[tuple[Any, str]]) -> None:
    got = _transformed(transform_orders, [_raw(i + 1, amount=a) for i, (a, _) in enumerate(cases)])
    not_decimal = [f"{given!r} -> {order.get('amount')!r}"
                   for (given, _), order in zip(cases, got, strict=True)
                   if not isinstance(order.get("amount"), Decimal)]
    expect(not not_decimal, "amount must be a Decimal, the exact type for money",
           expected=f"{cases[0][0]!r} -> Decimal('{cases[0][1]}')", seen=_first_few(not_decimal),
           hint="Decimal(str(value)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP): a float "
                "cannot hold cents exactly, and a string cannot be summed.")
    # str() shows the places: Decimal('380.5') == Decimal('380.50'), but they print apart.
    seen = [{"order_id": i + 1, "amount": str(order["amount"])} for i, order in enumerate(got)]
    expected = [{"order_id": i + 1, "amount": want} for i, (_, want) in enumerate(cases)]
    made_from = ", ".join(f"{given!r}" for given, _ in cases)
    expect_equal(seen, expected, f"str(amount) of orders 1 to {len(cases)}, made from {made_from}")


@clean.check("transform_orders: amount is a Decimal with exactly two places", points=2,
             hint="Decimal(text).quantize(Decimal('0.01')): '380.5' becomes Decimal('380.50').")
def _two_places(transform_orders: Callable[..., Any]) -> None:
    _amounts(transform_orders, [("380.5", "380.50"), ("12", "12.00"), (7, "7.00"),
                                ("0.1", "0.10"), ("380.50", "380.50")])


@clean.check("transform_orders: amount is rounded from its text, not through float", points=2,
             hint="float('2.675') is 2.67499999...: round() then gives 2.67. Quantize the "
                  "Decimal made from the text instead: Decimal('2.675') rounds to 2.68.")
def _no_float(transform_orders: Callable[..., Any]) -> None:
    _amounts(transform_orders, [("2.675", "2.68"), ("1.015", "1.02"),
                                ("99999999999999.99", "99999999999999.99")])


@clean.check("transform_orders: a JSON number amount (the float 2.675) keeps its written value",
             points=1,
             hint="Decimal(2.675) exposes the float's binary error; Decimal(str(2.675)) starts "
                  "from '2.675', the shortest text that reads back as that float.")
def _float_input(transform_orders: Callable[..., Any]) -> None:
    _amounts(transform_orders, [(2.675, "2.68"), (380.5, "380.50"), (0.1, "0.10")])


_TEN_UTC = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def _times(transform_orders: Callable[..., Any], texts: list[str]) -> None:
    got = _transformed(transform_orders, [_raw(i + 1, created_at=t) for i, t in enumerate(texts)])
    not_datetime = [f"{text!r} -> {order.get('created_at')!r}"
                    for text, order in zip(texts, got, strict=True)
                    if not isinstance(order.get("created_at"), datetime)]
    expect(not not_datetime, "created_at must be a datetime", expected="datetime(2026, 3, 1, 10, "
           "0, tzinfo=UTC)", seen=_first_few(not_datetime),
           hint="datetime.fromisoformat(text), then make it UTC: .replace(tzinfo=UTC) when it "
                "is naive, .astimezone(UTC) when it has an offset.")
    # isoformat() shows both the instant and the zone it is expressed in.
    seen = [{"order_id": i + 1, "created_at": order["created_at"].isoformat()}
            for i, order in enumerate(got)]
    expected = [{"order_id": i + 1, "created_at": _TEN_UTC.isoformat()} for i in range(len(texts))]
    made_from = ", ".join(repr(text) for text in texts)
    expect_equal(seen, expected, f"created_at.isoformat() of orders 1 to {len(texts)}, made from "
                 f"{made_from} (the same instant, 10:00 UTC)")


@clean.check("transform_orders: created_at is tz-aware UTC (Z and naive input)", points=2,
             hint="datetime.fromisoformat(text); a naive result is UTC already: "
                  ".replace(tzinfo=UTC).")
def _utc_naive(transform_orders: Callable[..., Any]) -> None:
    _times(transform_orders, ["2026-03-01T10:00:00Z", "2026-03-01 10:00:00",
                              "2026-03-01T10:00:00"])


@clean.check("transform_orders: an offset like +05:30 is converted to UTC, not relabelled",
             points=2,
             hint="tz_localize('UTC') raises on a timestamp that already has an offset, and "
                  "replace(tzinfo=utc) relabels 15:30 as UTC. Convert: .astimezone(UTC) "
                  "(pandas: .tz_convert('UTC')).")
def _utc_offset(transform_orders: Callable[..., Any]) -> None:
    _times(transform_orders, ["2026-03-01T15:30:00+05:30", "2026-03-01T05:00:00-05:00",
                              "2026-03-01T10:00:00+00:00"])


@clean.check("transform_orders does not modify its input records", points=1,
             hint="Build and yield a new dict instead of assigning into the record.")
def _no_mutation(transform_orders: Callable[..., Any]) -> None:
    records = _copy(_VALID)
    _run_stage(transform_orders, records, "transform_orders", what="valid records",
               hint=_VALID_FORMS)
    expect_equal(records, _VALID, "the input records after transform_orders ran")


# ---------------------------------------------------------------- 06.3 batch_records

batch = exercise("06.3", "Batch a stream", ["batch_records"])


def _gen(n: int) -> Iterator[int]:
    yield from range(n)


@dataclass
class _Handed:
    """The batches a consumer received: each as it was when handed over, and the object
    itself (which a generator that reuses one list changes afterwards)."""

    as_handed: list[list[Any]]
    objects: list[Any]


def _handed_over(batches: Iterable[Any], cap: int = 10) -> _Handed:
    """Take at most ``cap`` batches, copying each one the moment it arrives.

    Every sub-check but "each batch is a new list" judges the copies, so a generator
    that empties its list after yielding it loses points once, where that is checked.
    """
    as_handed, objects = [], []
    for b in itertools.islice(batches, cap):
        objects.append(b)
        as_handed.append(list(b) if isinstance(b, Iterable) else b)
    return _Handed(as_handed, objects)


def _full(batches: list[Any]) -> list[Any]:
    """The batches without empty ones at the end: "no empty batch" judges those."""
    end = len(batches)
    while end and batches[end - 1] == []:
        end -= 1
    return batches[:end]


def _batches_equal(got: list[list[Any]], want: list[list[Any]], what: str) -> None:
    """Compare batches, saying first what a person would look for: a missing last batch."""
    if got == want:
        return
    if got == want[:-1]:
        fail(f"{what}: the final, shorter batch is missing", expected=want, seen=got,
             hint="After the loop, the records that did not fill a batch are still in your "
                  "list: yield it when it is not empty.")
    if got[:-1] == want and got[-1:] == [[]]:
        fail(f"{what}: an empty batch came at the end", expected=want, seen=got,
             hint="Yield the leftover batch only `if batch:`: an empty batch costs the writer "
                  "a needless transaction.")
    expect_equal(got, want, what)


@batch.check("yields full batches, then the final partial batch", points=2,
             hint="Append to a list; yield it when it is full; after the loop, yield what is "
                  "left if anything is.")
def _partial(batch_records: Callable[..., Any]) -> None:
    got = _handed_over(batch_records(_gen(25), 10)).as_handed
    _batches_equal(got, [list(range(10)), list(range(10, 20)), list(range(20, 25))],
                   "the batches of 25 numbers with batch_size=10")
    got = _handed_over(batch_records(_gen(3))).as_handed
    _batches_equal(got, [[0, 1, 2]], "the batches of 3 numbers with the default size")


@batch.check("no empty batch: none at the end, none for empty input", points=1,
             hint="Only yield the leftover batch `if batch:`.")
def _no_empty(batch_records: Callable[..., Any]) -> None:
    got = _handed_over(batch_records(_gen(20), 10)).as_handed
    _batches_equal(got, [list(range(10)), list(range(10, 20))],
                   "the batches of 20 numbers with batch_size=10")
    expect_equal(_handed_over(batch_records(_gen(0), 10)).as_handed, [],
                 "the batches of an empty input")


@batch.check("each batch is a new list", points=1,
             hint="Start a fresh list after yielding (batch = []), never batch.clear(): the "
                  "consumer may still hold the batch you yielded.")
def _new_lists(batch_records: Callable[..., Any]) -> None:
    handed = _handed_over(batch_records(_gen(6), 3))  # no partial batch: not judged here
    kinds = [type(b).__name__ for b in handed.objects]
    expect(all(kind == "list" for kind in kinds), "each batch must be a list",
           expected=["list"] * len(kinds), seen=kinds,
           hint="itertools.batched and islice-into-tuple give tuples: yield list(batch), "
                "which write_batch and the consumer can treat as a list.")
    now = [list(b) for b in handed.objects]
    changed = [i for i, (then, later) in enumerate(zip(handed.as_handed, now, strict=True))
               if then != later]
    if changed:
        reused = len({id(b) for b in handed.objects}) < len(handed.objects)
        how = "emptied" if all(not now[i] for i in changed) else "changed"
        fail(f"batches were {how} after they were handed over: a consumer that keeps each "
             f"batch finds the earlier ones {how}",
             expected=f"the batches as handed over: {handed.as_handed}",
             seen=f"the same batches once the generator went on: {now}"
                  + (" (one list object, yielded again and again)" if reused else ""))
    _batches_equal(_full(handed.as_handed), [[0, 1, 2], [3, 4, 5]],
                   "the batches of 6 numbers with batch_size=3")


@batch.check("works on a list as well as on a generator", points=1,
             hint="Call iter(records) once: islice on a list starts from the beginning each time.")
def _any_iterable(batch_records: Callable[..., Any]) -> None:
    got = _full(_handed_over(batch_records(list(range(6)), 2)).as_handed)
    _batches_equal(got, [[0, 1], [2, 3], [4, 5]],
                   "the batches of the list [0, 1, 2, 3, 4, 5] with batch_size=2")


@batch.check("is lazy: the first batch comes after pulling batch_size records", points=2,
             hint="A generator that yields each batch as soon as it is full.")
def _lazy_batches(batch_records: Callable[..., Any]) -> None:
    source = _Pulled()
    first = _first_from(batch_records, source, 4)
    expect_equal(list(first), [1, 2, 3, 4], "the first batch of an endless stream")
    expect(source.count == 4, "the first batch must be handed out as soon as it is full",
           expected="4 records pulled", seen=f"{source.count} pulled")


@batch.check("rejects batch_size < 1 with ValueError", points=2,
             hint="if batch_size < 1: raise ValueError(...). Raising when called is best; a "
                  "generator function can only raise on the first next().")
def _rejects(batch_records: Callable[..., Any]) -> None:
    for size in (0, -1):
        try:
            out = batch_records(_gen(3), size)
            first = next(iter(out))
        except ValueError:
            continue
        except StopIteration:
            first = "no batches at all"
        except Exception as exc:
            _no_stub(exc)
            fail(f"batch_size={size} raised {type(exc).__name__}, not ValueError",
                 expected="ValueError", seen=f"{type(exc).__name__}: {exc}",
                 hint="A bad argument is a ValueError: callers catch that. `assert` is for "
                      "bugs in your own code, and `python -O` removes it altogether.")
        fail(f"batch_size={size} was accepted", expected="ValueError", seen=f"first batch: {first!r}")


# ---------------------------------------------------------------- 06.4 write_batch

write = exercise("06.4", "Upsert a batch in one transaction", ["write_batch"])


def _order(order_id: int, *, customer_id: int = 42, amount: str = "380.50",
           status: str = "delivered", created_at: datetime = _TEN_UTC) -> dict[str, Any]:
    return {"order_id": order_id, "customer_id": customer_id, "amount": Decimal(amount),
            "status": status, "created_at": created_at}


def _database(tmp_path: Path) -> Any:
    from depipe_course import db

    conn = db.connect(tmp_path / "orders.db")
    db.create_orders_table(conn)
    return conn


def _rows(conn: Any) -> list[tuple[Any, ...]]:
    return conn.execute("SELECT order_id, customer_id, amount, status, created_at "
                        "FROM orders ORDER BY order_id").fetchall()


def _table(conn: Any) -> list[dict[str, Any]]:
    """The orders table as records, so that a difference is named by order_id and column."""
    columns = ("order_id", "customer_id", "amount", "status", "created_at")
    return [dict(zip(columns, row, strict=True)) for row in _rows(conn)]


def _seed(conn: Any, rows: list[tuple[Any, ...]]) -> None:
    with conn:
        conn.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?)", rows)


def _batch() -> list[dict[str, Any]]:
    """Three new orders, fresh each time (a write_batch that edits its input spoils nothing)."""
    return [
        _order(1, amount="380.50"),
        _order(2, amount="2.68", status="placed",
               created_at=datetime(2026, 3, 2, 23, 59, 59, tzinfo=UTC)),
        _order(3, amount="0.10", status="cancelled"),
    ]


@write.check("writes every row of the batch and returns how many", points=2,
             hint="executemany an INSERT ... ON CONFLICT with one tuple per order; return "
                  "len(batch). An empty batch writes nothing and returns 0.")
def _writes(write_batch: Callable[..., Any], tmp_path: Path) -> None:
    with contextlib.closing(_database(tmp_path)) as conn:
        written = write_batch(_batch(), conn)
        expect_equal(written, 3, "the return value for a batch of 3 new orders")
        ids = [r[0] for r in _rows(conn)]
        expect_equal(ids, [1, 2, 3], "the order_ids in the table")
        expect_equal(write_batch([], conn), 0, "the return value for an empty batch")


@write.check("stores amount as exact text with two places ('380.50')", points=2,
             hint="sqlite3 cannot store a Decimal and a float loses digits: pass "
                  "format(amount, 'f') (or str(amount)), which gives '380.50'.")
def _amount_text(write_batch: Callable[..., Any], tmp_path: Path) -> None:
    with contextlib.closing(_database(tmp_path)) as conn:
        write_batch(_batch(), conn)
        seen = conn.execute("SELECT amount, typeof(amount) FROM orders ORDER BY order_id").fetchall()
    expect_equal(seen, [("380.50", "text"), ("2.68", "text"), ("0.10", "text")],
                 "the stored (amount, type) pairs")


@write.check("stores created_at as ISO-8601 UTC text", points=1,
             hint="Pass created_at.isoformat() of the UTC datetime: "
                  "'2026-03-01T10:00:00+00:00'.")
def _time_text(write_batch: Callable[..., Any], tmp_path: Path) -> None:
    with contextlib.closing(_database(tmp_path)) as conn:
        write_batch(_batch(), conn)
        seen = conn.execute("SELECT created_at, typeof(created_at) FROM orders "
                            "ORDER BY order_id").fetchall()
    wrong = []
    for (text, kind), order in zip(seen, _batch(), strict=True):
        try:
            value = datetime.fromisoformat(text) if kind == "text" else None
        except ValueError:
            value = None
        if value is None or value.utcoffset() != timedelta(0) or value != order["created_at"]:
            wrong.append((text, kind))
    expect(not wrong, "created_at must be stored as ISO-8601 text with a UTC offset",
           expected="e.g. '2026-03-01T10:00:00+00:00'", seen=wrong)


@write.check("commits: another connection sees the rows", points=1,
             hint="Nothing is saved until commit(): use `with conn:` around the writes.")
def _commits(write_batch: Callable[..., Any], tmp_path: Path) -> None:
    from depipe_course import db

    with contextlib.closing(_database(tmp_path)) as conn:
        write_batch(_batch(), conn)
        with contextlib.closing(db.connect(tmp_path / "orders.db")) as other:
            (count,) = other.execute("SELECT count(*) FROM orders").fetchone()
    expect_equal(count, 3, "the row count seen from a second connection")


def _as_iso(text: Any) -> Any:
    """Stored time text in one spelling, so that only the instant is compared here."""
    try:
        return datetime.fromisoformat(text).isoformat()
    except (TypeError, ValueError):
        return text


@write.check("upserts: an order_id written again updates every column, no duplicate", points=2,
             hint="ON CONFLICT (order_id) DO UPDATE SET customer_id = excluded.customer_id, "
                  "amount = excluded.amount, status = excluded.status, "
                  "created_at = excluded.created_at.")
def _upserts(write_batch: Callable[..., Any], tmp_path: Path) -> None:
    later = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)
    with contextlib.closing(_database(tmp_path)) as conn:
        write_batch(_batch(), conn)
        again = [_order(1, customer_id=99, amount="400.00", status="cancelled", created_at=later),
                 *_batch()[1:]]
        expect_equal(write_batch(again, conn), 3, "the return value when re-writing 3 orders")
        rows = _rows(conn)
    expect_equal(len(rows), 3, "the number of rows after writing the same 3 order_ids twice")
    columns = ("order_id", "customer_id", "amount", "status", "created_at")
    seen = [{**dict(zip(columns, row, strict=True)), "created_at": _as_iso(row[4])}
            for row in rows[:1]]
    expected = [{"order_id": 1, "customer_id": 99, "amount": "400.00", "status": "cancelled",
                 "created_at": later.isoformat()}]
    expect_equal(seen, expected, "order 1 after it was written again with new values in every "
                 "column", hint="The second write must change every column that changed: "
                 "DO NOTHING (or OR IGNORE) keeps the old row, and DO UPDATE SET status = "
                 "excluded.status alone keeps the old amount, customer and time.")


@write.check("a batch with a bad row raises and leaves the table unchanged", points=3,
             hint="One transaction per batch: `with conn:` commits if every row went in and "
                  "rolls back if any failed; let the error propagate. Never commit per row.")
def _all_or_nothing(write_batch: Callable[..., Any], tmp_path: Path) -> None:
    import sqlite3

    with contextlib.closing(_database(tmp_path)) as conn:
        _seed(conn, [(1, 42, "380.50", "delivered", "2026-03-01T10:00:00+00:00"),
                     (2, 42, "12.00", "placed", "2026-03-01T10:00:00+00:00")])
        before = _table(conn)
        bad = [_order(1, status="cancelled"), _order(3), _order(4, status="shipped")]
        try:
            returned = write_batch(bad, conn)
        except Exception as exc:
            _no_stub(exc)
        else:
            fail("a batch with a row that breaks the status CHECK must raise",
                 expected="an exception (sqlite3.IntegrityError)",
                 seen=f"write_batch returned {returned!r}",
                 hint="Let the error propagate: a caller that gets a number back believes the "
                      "batch was written. `with conn:` rolls back and re-raises for you.")
        expect_equal(_table(conn), before, "the table after the failed batch (orders 1 and 2 "
                     "as they were, no order 3)")
        try:
            write_batch([_order(5)], conn)
        except sqlite3.Error as exc:
            fail("after a failed batch the connection must still work",
                 expected="the next batch written", seen=f"{type(exc).__name__}: {exc}")
        ids = [r[0] for r in _rows(conn)]
    expect_equal(ids, [1, 2, 5], "the order_ids after the failed batch and one good batch "
                 "(rows of the failed batch must not be committed later)",
                 hint="Roll the failed batch back: without a rollback its first rows stay pending "
                      "in the open transaction, and the next batch's commit saves them. `with "
                      "conn:` commits or rolls back for you.")


@write.check("updates rows in place (no delete and re-insert)", points=1,
             hint="INSERT OR REPLACE deletes the old row and inserts a new one: rows elsewhere "
                  "that reference it are deleted with it. Use ON CONFLICT ... DO UPDATE.")
def _in_place(write_batch: Callable[..., Any], tmp_path: Path) -> None:
    with contextlib.closing(_database(tmp_path)) as conn:
        write_batch(_batch(), conn)
        with conn:
            conn.execute("CREATE TABLE order_notes (order_id INTEGER NOT NULL "
                         "REFERENCES orders (order_id) ON DELETE CASCADE, note TEXT)")
            conn.execute("INSERT INTO order_notes VALUES (1, 'gift wrap')")
        write_batch([_order(1, status="cancelled")], conn)
        notes = conn.execute("SELECT order_id, note FROM order_notes").fetchall()
    expect_equal(notes, [(1, "gift wrap")], "a note that references order 1, after order 1 was "
                 "updated")


# ---------------------------------------------------------------- 06.5 run_pipeline

pipeline = exercise("06.5", "Run the lazy pipeline end to end", ["run_pipeline"],
                    uses=["06.1", "06.2", "06.3", "06.4"])

_SMALL_ROWS = 500
_FACTOR = 10


@cache
def _messy_lines(rows: int) -> str:
    """The text of a messy orders NDJSON file (seeded: the same every time)."""
    import tempfile

    from depipe_course.data import write_orders_ndjson

    with tempfile.TemporaryDirectory(prefix="depipe-06-") as scratch:
        path = Path(scratch) / "orders.ndjson"
        write_orders_ndjson(path, rows, seed=6, bad_line_rate=0.02)
        return path.read_text(encoding="utf-8")


def _messy_file(tmp_path: Path, rows: int = _SMALL_ROWS, repeat: int = 1) -> Path:
    path = tmp_path / f"orders-{rows}x{repeat}.ndjson"
    path.write_text(_messy_lines(rows) * repeat, encoding="utf-8")
    return path


def _expected(path: Path, tmp_path: Path, batch_size: int) -> tuple[dict[str, int], Any]:
    """What the reference pipeline does with ``path``: its counts and the table it leaves.

    The table is sealed (row digests only) and both are stored in a learner edition,
    which has no reference to run: see ``depipe_course.edition.expected``.
    """
    from depipe_course import edition

    def reference_run() -> tuple[dict[str, int], edition.Sealed]:
        from depipe_course import db, reference
        from depipe_course.exercises import get

        run = reference.objects(get("06.5"))["run_pipeline"]
        with contextlib.closing(db.connect(tmp_path / "expected.db")) as conn:
            db.create_orders_table(conn)
            with _captured_logs(keep=False):
                counts = run(path, conn, batch_size=batch_size)
            return counts, edition.seal(_rows(conn))

    counts, rows = edition.expected(f"06.5 {path.name} batch_size={batch_size}", reference_run)
    return counts, rows


class _WatchedConnection:
    """A connection that reports each executemany (one per batch in write_batch)."""

    def __init__(self, conn: Any, on_write: Callable[[int], None]) -> None:
        self._conn = conn
        self._on_write = on_write

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def __enter__(self) -> _WatchedConnection:
        self._conn.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self._conn.__exit__(*exc)

    def executemany(self, sql: str, rows: Iterable[Any]) -> Any:
        rows = list(rows)
        self._on_write(len(rows))
        return self._conn.executemany(sql, rows)


def _run(run_pipeline: Callable[..., Any], path: Path, conn: Any, batch_size: int) -> Any:
    with _captured_logs(keep=False):
        return run_pipeline(path, conn, batch_size=batch_size)


@pipeline.check("loads every valid order into the table", points=2,
                hint="Chain read_ndjson → validate_orders → transform_orders → batch_records, "
                     "then write_batch(batch, conn) for each batch.")
def _loads(run_pipeline: Callable[..., Any], tmp_path: Path) -> None:
    path = _messy_file(tmp_path)
    _, want = _expected(path, tmp_path, 50)
    with contextlib.closing(_database(tmp_path)) as conn:
        _run(run_pipeline, path, conn, 50)
        got = _rows(conn)
    expect(len(got) == len(want), "the table must hold every valid order once",
           expected=f"{len(want)} rows", seen=f"{len(got)} rows")
    want.expect_same(got, "the rows in the table")


@pipeline.check("returns records_read, rows_written and batches", points=2,
                hint="Count records as they pass (a small counting generator around "
                     "read_ndjson), add up write_batch's return values, count the batches.")
def _counts(run_pipeline: Callable[..., Any], tmp_path: Path) -> None:
    path = _messy_file(tmp_path)
    want, _ = _expected(path, tmp_path, 50)
    with contextlib.closing(_database(tmp_path)) as conn:
        got = _run(run_pipeline, path, conn, 50)
        expect(isinstance(got, dict), "run_pipeline must return a dict",
               expected="dict", seen=type(got).__name__)
        seen = {key: got.get(key) for key in want}
        expect_equal(seen, want, "the counts returned")
        empty = tmp_path / "empty.ndjson"
        empty.write_text("", encoding="utf-8")
        got = _run(run_pipeline, empty, conn, 50)
    seen = {key: got.get(key) for key in want}
    expect_equal(seen, dict.fromkeys(want, 0), "the counts returned for an empty file")


@pipeline.check("hands write_batch batches of batch_size", points=1,
                hint="Pass batch_size on to batch_records(..., batch_size).")
def _batch_sizes(run_pipeline: Callable[..., Any], tmp_path: Path) -> None:
    path = _messy_file(tmp_path)
    want, _ = _expected(path, tmp_path, 64)
    sizes: list[int] = []
    with contextlib.closing(_database(tmp_path)) as conn:
        _run(run_pipeline, path, _WatchedConnection(conn, sizes.append), 64)
    full, last = divmod(want["rows_written"], 64)
    expected = [64] * full + ([last] if last else [])
    expect_equal(sizes, expected, "the sizes of the batches written")


@pipeline.check("writes the first batch before reading the rest of the file", points=2,
                hint="Keep every stage a generator and loop over the batches: no list(...) "
                     "anywhere in the chain.")
def _first_write_early(run_pipeline: Callable[..., Any], tmp_path: Path) -> None:
    path = _messy_file(tmp_path, repeat=4)
    size = path.stat().st_size
    read_at_first_write: list[int] = []
    with _files_opened(path) as opened:

        def on_write(rows: int) -> None:
            if read_at_first_write:
                return
            positions = [f.buffer.tell() if not f.closed else size for f in opened
                         if hasattr(f, "buffer")]
            read_at_first_write.append(max(positions, default=size))

        with contextlib.closing(_database(tmp_path)) as conn:
            _run(run_pipeline, path, _WatchedConnection(conn, on_write), 50)
    expect(read_at_first_write, "no batch was written", expected="write_batch calls", seen="none")
    share = read_at_first_write[0] / size
    expect(share < 0.25, "when the first batch of 50 was written, most of the file had "
           "already been read", expected="under 25% of the file read",
           seen=f"{share:.0%} of the file read")


@pipeline.check("re-running on the same file changes nothing", points=1,
                hint="write_batch upserts: a second run rewrites the same rows.")
def _rerun(run_pipeline: Callable[..., Any], tmp_path: Path) -> None:
    path = _messy_file(tmp_path)
    with contextlib.closing(_database(tmp_path)) as conn:
        _run(run_pipeline, path, conn, 50)
        first = _rows(conn)
        _run(run_pipeline, path, conn, 50)
        expect_equal(_rows(conn), first, "the table after a second run (compared to the first)")


@pipeline.check("constant memory: 10x the records, about the same peak", points=3,
                hint="Memory must depend on batch_size, not on the file: no list of all records "
                     "or all batches, and no set of every id seen.")
def _constant_memory(run_pipeline: Callable[..., Any], tmp_path: Path) -> None:
    peaks = []
    for repeat in (1, _FACTOR):
        path = _messy_file(tmp_path, _SMALL_ROWS, repeat)
        folder = tmp_path / f"run{repeat}"
        folder.mkdir()
        with contextlib.closing(_database(folder)) as conn:
            peaks.append(_peak_bytes(lambda p=path, c=conn: _run(run_pipeline, p, c, 50)))
    small, large = peaks
    expect(large <= 2 * small + 64 * 1024,
           f"the peak grew with the input: {_FACTOR}x the records should need about the same "
           "memory with batch_size=50", expected=f"at most 2x the small run's {small // 1024:,} KiB",
           seen=f"{large // 1024:,} KiB ({large / max(small, 1):.1f}x)")
