"""02.2: ``process_orders_in_chunks(filepath, write_chunk, chunk_size)`` streams a CSV through ``clean_chunk``.

Each chunk of at most chunk_size rows is cleaned and handed to write_chunk; the returned
counts (rows read and written, chunks, malformed lines) must be right, the five null
markers read as missing, the dtypes declared, and memory must not grow with the file.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from depipe_course.checking import expect, expect_equal
from depipe_course.exercises import _files, exercise
from depipe_course.exercises.part02._shared import _expect_frame, _grows_with_the_file, _worker_side

chunks = exercise("02.2", "Process a CSV in chunks", ["process_orders_in_chunks"], uses=["02.1"])

_STAT_KEYS = ("rows_read", "rows_written", "chunks", "bad_lines")


def _process(process_orders_in_chunks: Callable[..., Any], case: _files.CsvCase,
             tmp_path: Path) -> tuple[dict[str, Any], list[Any]]:
    written: list[Any] = []
    stats = process_orders_in_chunks(case.write(tmp_path), written.append, chunk_size=case.chunk_size)
    expect(isinstance(stats, dict), "process_orders_in_chunks must return a dict of counts",
           expected=f"dict with {', '.join(_STAT_KEYS)}", seen=type(stats).__name__)
    missing = [k for k in _STAT_KEYS if k not in stats]
    expect(not missing, "the returned dict lacks counts", expected=list(_STAT_KEYS), seen=sorted(stats))
    return stats, written


def _written_ids(written: list[Any]) -> list[int]:
    for frame in written:
        _expect_frame(frame, "each write_chunk call")
    return sorted(int(v) for frame in written for v in frame["order_id"])


@chunks.check("reads in chunks of chunk_size and hands each cleaned chunk to write_chunk", points=1,
              hint="pd.read_csv(filepath, chunksize=chunk_size, ...) is an iterator of frames: "
                   "clean_chunk(chunk), write_chunk(cleaned), once per chunk.")
def _chunked(process_orders_in_chunks: Callable[..., Any], tmp_path: Path) -> None:
    case = _files.BASIC
    stats, written = _process(process_orders_in_chunks, case, tmp_path)
    sizes = [len(frame) for frame in written]
    needed = math.ceil(case.rows_read / case.chunk_size)
    expect(len(written) >= needed, f"{case.rows_read} rows with chunk_size={case.chunk_size} "
           "take several write_chunk calls", expected=f"at least {needed} calls", seen=f"{len(written)} calls")
    expect(all(size <= case.chunk_size for size in sizes), "a chunk handed to write_chunk is bigger "
           "than chunk_size", expected=f"at most {case.chunk_size} rows each", seen=sizes)
    expect_equal(stats["chunks"], len(written), "'chunks' (it must equal the write_chunk calls)")
    expect_equal(_written_ids(written), list(case.written_ids), "the list of order_ids handed to write_chunk")


@chunks.check("counts rows read and written", points=1,
              hint="rows_read adds len(chunk) before cleaning, rows_written len(cleaned) after.")
def _counts(process_orders_in_chunks: Callable[..., Any], tmp_path: Path) -> None:
    case = _files.BASIC
    stats, _ = _process(process_orders_in_chunks, case, tmp_path)
    seen = {k: stats[k] for k in ("rows_read", "rows_written")}
    expect_equal(seen, {"rows_read": case.rows_read, "rows_written": case.rows_written}, "the pair of counts")


@chunks.check("reads the five null markers as missing", points=1,
              hint="na_values=['', 'NULL', 'N/A', 'n/a', '-']: pandas does not know '-' "
                   "and fails to make a float of it.")
def _nulls(process_orders_in_chunks: Callable[..., Any], tmp_path: Path) -> None:
    case = _files.NULLS
    stats, written = _process(process_orders_in_chunks, case, tmp_path)
    expect_equal(stats["rows_read"], case.rows_read, "rows_read")
    expect_equal(_written_ids(written), list(case.written_ids),
                 "the list of order_ids written (every other row has a missing amount, status or date)")


@chunks.check("skips and counts malformed lines", points=2,
              hint="on_bad_lines='warn' makes the C parser report each skipped line as "
                   "'Skipping line N' in a ParserWarning: record them with "
                   "warnings.catch_warnings(record=True) and count.")
def _malformed(process_orders_in_chunks: Callable[..., Any], tmp_path: Path) -> None:
    case = _files.MALFORMED
    stats, written = _process(process_orders_in_chunks, case, tmp_path)
    seen = {k: stats[k] for k in ("bad_lines", "rows_read")}
    expect_equal(seen, {"bad_lines": case.bad_lines, "rows_read": case.rows_read},
                 "the pair of counts for a file with 2 six-field lines among 5")
    expect_equal(_written_ids(written), list(case.written_ids), "the list of order_ids written")


@chunks.check("declares dtypes: amount is a float in every chunk", points=1,
              hint="Inference works chunk by chunk: a chunk of whole numbers becomes int64. "
                   "Pass dtype={'order_id': 'int64', ..., 'amount': 'float64', ...}.")
def _dtypes(process_orders_in_chunks: Callable[..., Any], tmp_path: Path) -> None:
    import pandas as pd

    case = _files.WHOLE_NUMBERS
    _, written = _process(process_orders_in_chunks, case, tmp_path)
    _written_ids(written)
    seen = [str(frame["amount"].dtype) for frame in written]
    expect(written and all(pd.api.types.is_float_dtype(frame["amount"].dtype) for frame in written),
           "the amount column changes type from chunk to chunk", expected="float64 in every chunk",
           seen=seen)


_SMALL_ROWS, _BIG_ROWS, _MEMORY_CHUNK = 30_000, 120_000, 15_000
# How much higher the kernel may see the process peak on the big file (``python -m benchmarks
# memory_guard``, also with the machine busy): the reference rises 0.9-1.1 MiB, holding the file
# 7.4 MiB and more, with the process's own counts silenced too.
_RESIDENT_SLACK = 3 * 2**20


@chunks.check("keeps memory flat: never reads the whole file", points=3,
              hint="Only chunksize= keeps one chunk in memory at a time; reading the whole "
                   "file (or collecting every chunk in a list) grows with the file.")
def _memory(process_orders_in_chunks: Callable[..., Any], tmp_path: Path) -> None:
    small, big = tmp_path / "orders_30k.csv", tmp_path / "orders_120k.csv"
    _files.repeated_orders_csv(small, _SMALL_ROWS)
    _files.repeated_orders_csv(big, _BIG_ROWS)
    # Chunks are dropped where they are made: the learner's process holds only what its code keeps.
    discard = _worker_side().discard
    process_orders_in_chunks(_files.BASIC.write(tmp_path), discard, chunk_size=100)  # warm-up
    _grows_with_the_file(process_orders_in_chunks, small, big,
                         f"{_SMALL_ROWS:,} and {_BIG_ROWS:,} rows, chunk_size={_MEMORY_CHUNK:,}",
                         _RESIDENT_SLACK, discard, chunk_size=_MEMORY_CHUNK)
