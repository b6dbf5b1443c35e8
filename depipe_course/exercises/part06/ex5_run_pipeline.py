"""06.5: ``run_pipeline(filepath, conn, batch_size)`` chains the stages end to end.

It loads every valid order, returns ``records_read``, ``rows_written`` and ``batches``,
hands ``write_batch`` batches of ``batch_size`` and writes the first before reading the
rest of the file, changes nothing when run again, and keeps about the same peak memory
for ten times the records. The expected counts and table come from the reference run
(precomputed and sealed in a learner edition: ``depipe_course.edition.expected``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

from depipe_course.checking import expect, expect_equal
from depipe_course.exercises import exercise
from depipe_course.exercises._memory import expect_resident_flat, measure_peak
from depipe_course.exercises.part06._shared import _captured_logs, _database, _Fed, _rows

pipeline = exercise("06.5", "Run the lazy pipeline end to end", ["run_pipeline"],
                    uses=["06.1", "06.2", "06.3", "06.4"])

_SMALL_ROWS = 500
_FACTOR = 10
# The kernel's allowance on 10x the records (``python -m benchmarks memory_guard``): the reference
# rises 180-220 KiB, keeping every batch 1.4 MiB with the process's counts silenced, 2.3 MiB without.
_RESIDENT_SLACK = 512 * 1024


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
    text = _messy_lines(_SMALL_ROWS).encode() * 4
    path = tmp_path / f"orders-{_SMALL_ROWS}x4.ndjson"
    read_at_first_write: list[int] = []
    # The file comes through a pipe: how much of it was read at the first write is seen here.
    with _Fed(path, text) as fed:

        def on_write(rows: int) -> None:
            if not read_at_first_write:
                read_at_first_write.append(fed.taken())

        with contextlib.closing(_database(tmp_path)) as conn:
            _run(run_pipeline, path, _WatchedConnection(conn, on_write), 50)
    expect(read_at_first_write, "no batch was written", expected="write_batch calls", seen="none")
    share = min(read_at_first_write[0] / len(text), 1)
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
        with contextlib.closing(_database(folder)) as conn, _captured_logs(keep=False):
            # Measured where the learner's code runs: its records, batches and lists are there.
            peaks.append(measure_peak(run_pipeline, path, conn, batch_size=50)[1])
    small, large = (peak.python for peak in peaks)
    expect(large <= 2 * small + 64 * 1024,
           f"the peak grew with the input: {_FACTOR}x the records should need about the same "
           "memory with batch_size=50", expected=f"at most 2x the small run's {small // 1024:,} KiB",
           seen=f"{large // 1024:,} KiB ({large / max(small, 1):.1f}x)")
    expect_resident_flat(*peaks, _RESIDENT_SLACK, f"{_FACTOR}x the records")
