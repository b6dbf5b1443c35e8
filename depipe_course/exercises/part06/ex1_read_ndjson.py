"""06.1: ``read_ndjson(path)`` yields the records of an NDJSON file lazily.

Every record comes in file order; blank lines are skipped quietly, bad JSON is skipped
with a WARNING naming its line number, the first record comes without reading the
whole file, and the file is closed when the consumer stops early.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise
from depipe_course.exercises.part06._shared import _captured_logs, _Fed, _take, _worker_side
from depipe_course.judging.judge import learner_pid
from depipe_course.judging.proc import descriptors_on

read = exercise("06.1", "Read NDJSON lazily", ["read_ndjson"])


def _files_opened(path: Path) -> Any:
    """A watcher, where the learner's code runs, of every file it opens on ``path``
    (``_worker_side.files_opened``: it keeps them alive, and closes what is left open)."""
    return _worker_side().files_opened(path)


def _left_open(path: Path) -> int:
    """How many descriptors on ``path`` the learner's process holds, as the kernel counts them.

    The watcher keeps every file object opened on ``path`` alive, so a file that only
    garbage collection would have closed is still open here and counts.
    """
    return descriptors_on(learner_pid(), path)


def _close(iterator: Any) -> None:
    """What a consumer that stops early does: ``close()`` the generator (if it is one)."""
    with contextlib.suppress(AttributeError):
        iterator.close()


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
_LAZY_SHARE = 0.25


@read.check("is lazy: the first record comes without reading the whole file", points=2,
            hint="Make read_ndjson a generator: `yield` each record inside the loop over the "
                 "file instead of building a list (or calling f.read()/readlines()).")
def _lazy(read_ndjson: Callable[..., Any], tmp_path: Path) -> None:
    line = '{"order_id": %d, "customer_id": 1, "amount": "1.00", "status": "placed"}\n'
    text = "".join(line % n for n in range(_BIG_LINES)).encode()
    path = tmp_path / "big.ndjson"
    # The file comes through a pipe: how much of it was read when the first record came is seen here.
    with _Fed(path, text) as fed, _files_opened(path):  # the watcher closes what a wrong version leaves open
        it = read_ndjson(path)
        first = next(iter(it))
        taken = fed.taken()
        with contextlib.suppress(Exception):
            it.close()
    expect(first == {"order_id": 0, "customer_id": 1, "amount": "1.00", "status": "placed"},
           "the first record is wrong", expected="the file's first line", seen=first)
    expect(taken < _LAZY_SHARE * len(text),
           f"the first record of a {len(text) / 1e6:.1f} MB file came only after "
           f"{min(taken / len(text), 1):.0%} of the file was read",
           expected=f"under {_LAZY_SHARE:.0%} of the file read", seen=f"{taken // 1024:,} KiB read")


@read.check("closes the file when the consumer stops early", points=2,
            hint="Open the file in a `with` block inside the generator: close() or a `break` "
                 "raises GeneratorExit at the paused yield, and `with` closes the file.")
def _closes_early(read_ndjson: Callable[..., Any], tmp_path: Path) -> None:
    path = _ndjson(tmp_path, [json.dumps(r) for r in _GOOD])
    with _files_opened(path) as opened:
        it = read_ndjson(path)
        next(iter(it))
        opened.keep_files_of(it)
        _close(it)
        del it
        left_open = _left_open(path)
    expect(not left_open, "after the consumer called close() on the generator, the file was "
           "still open", expected="file closed", seen="file open")
    with _files_opened(path):
        _worker_side().break_after_first(read_ndjson, path)  # for ... : break, where the learner's code runs
        left_open = _left_open(path)
    expect(not left_open, "after the consumer broke out of a for loop, the file was still open",
           expected="file closed", seen="file open")
    with _files_opened(path):
        _take(read_ndjson(path), 10)
        left_open = _left_open(path)
    expect(not left_open, "after reading the whole file, the file was still open",
           expected="file closed", seen="file open")
