"""Part 02 — File I/O at scale: chunked CSV, Parquet, partitions, pushdown, S3, fsspec."""

from __future__ import annotations

import math
import shutil
import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import _files, exercise
from depipe_course.exercises._memory import mib

ORDER_COLUMNS = ["order_id", "customer_id", "amount", "status", "created_at"]


def _expect_frame(value: Any, what: str) -> None:
    import pandas as pd

    expect(isinstance(value, pd.DataFrame), f"{what} must return a pandas DataFrame",
           expected="DataFrame", seen=type(value).__name__)


def _ids(frame: Any) -> list[int]:
    return sorted(int(v) for v in frame["order_id"])


# ================================================================ 02.1 clean_chunk

clean = exercise("02.1", "Clean one chunk of orders", ["clean_chunk"])

_TS = "2026-03-01T10:00:00Z"


def _chunk(rows: list[tuple[int, float | None, str | None, str | None]]) -> Any:
    """A chunk typed the way 02.2's reader delivers it: (order_id, amount, status, created_at)."""
    import pandas as pd

    ids, amounts, statuses, created = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "order_id": pd.Series(ids, dtype="int64"),
            "customer_id": pd.Series([500 + i % 7 for i in ids], dtype="int64"),
            "amount": pd.Series(amounts, dtype="float64"),
            "status": pd.Series(statuses, dtype="str"),
            "created_at": pd.Series(created, dtype="str"),
        }
    )


def _cleaned(clean_chunk: Callable[..., Any], rows: list[tuple[Any, ...]]) -> Any:
    out = clean_chunk(_chunk(rows))
    _expect_frame(out, "clean_chunk")
    missing = [c for c in ORDER_COLUMNS if c not in out.columns]
    expect(not missing, "the cleaned chunk lost columns", expected=ORDER_COLUMNS, seen=list(out.columns))
    return out


@clean.check("drops duplicate order_ids, keeping the first", points=1,
             hint="df.drop_duplicates(subset='order_id', keep='first').")
def _dedupes(clean_chunk: Callable[..., Any]) -> None:
    out = _cleaned(clean_chunk, [(1, 10.0, "placed", _TS), (1, 20.0, "placed", _TS),
                                 (2, 30.0, "delivered", _TS), (2, 40.0, "delivered", _TS)])
    expect_equal(_ids(out), [1, 2], "the list of order_ids left")
    amounts = {int(i): float(a) for i, a in zip(out["order_id"], out["amount"], strict=True)}
    expect_equal(amounts, {1: 10.0, 2: 30.0}, "the amount kept for each id (the first row's)")


@clean.check("keeps only positive amounts", points=1,
             hint="An amount of 0 is not a sale: keep amount > 0 (missing amounts go too).")
def _positive(clean_chunk: Callable[..., Any]) -> None:
    out = _cleaned(clean_chunk, [(1, 0.0, "placed", _TS), (2, -5.0, "placed", _TS),
                                 (3, None, "placed", _TS), (4, 0.01, "placed", _TS),
                                 (5, 12.5, "placed", _TS)])
    expect_equal(_ids(out), [4, 5], "the list of order_ids left (amounts 0, -5 and missing must go)")


@clean.check("normalises status and keeps the four valid ones", points=1,
             hint="Strip and lower-case first (.str.strip().str.lower()), then keep "
                  "placed/confirmed/delivered/cancelled.")
def _status(clean_chunk: Callable[..., Any]) -> None:
    out = _cleaned(clean_chunk, [(1, 1.0, " Delivered ", _TS), (2, 1.0, "PLACED", _TS),
                                 (3, 1.0, "Confirmed", _TS), (4, 1.0, "cancelled ", _TS),
                                 (5, 1.0, "deliverd", _TS), (6, 1.0, "shipped", _TS),
                                 (7, 1.0, None, _TS)])
    expect_equal(_ids(out), [1, 2, 3, 4], "the list of order_ids left (typos, unknown and missing statuses go)")
    by_id = {int(i): s for i, s in zip(out["order_id"], out["status"], strict=True)}
    expect_equal(by_id, {1: "delivered", 2: "placed", 3: "confirmed", 4: "cancelled"},
                 "the status of each row after cleaning")


@clean.check("parses created_at to tz-aware UTC in all three styles", points=1,
             hint="pd.to_datetime(..., utc=True, format='ISO8601', errors='coerce'): without "
                  "a format pandas guesses one from the first value and drops the other styles.")
def _utc(clean_chunk: Callable[..., Any]) -> None:
    import pandas as pd

    out = _cleaned(clean_chunk, [(1, 1.0, "placed", "2026-03-01T10:00:00Z"),
                                 (2, 1.0, "placed", "2026-03-01T15:30:00+05:30"),
                                 (3, 1.0, "placed", "2026-03-01 10:00:00")])
    dtype = out["created_at"].dtype
    expect(isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC",
           "created_at must be a tz-aware UTC datetime column", expected="datetime64[us, UTC]",
           seen=str(dtype))
    expect_equal(_ids(out), [1, 2, 3], "the list of order_ids left (Z, +05:30 and naive are all valid)")
    instants = sorted(set(out["created_at"]))
    expect_equal([str(t) for t in instants], ["2026-03-01 10:00:00+00:00"],
                 "the set of instants (all three rows are 10:00 UTC)")


@clean.check("drops rows whose created_at cannot be parsed", points=1,
             hint="errors='coerce' turns what cannot be parsed into NaT; then drop the NaT rows.")
def _bad_dates(clean_chunk: Callable[..., Any]) -> None:
    out = _cleaned(clean_chunk, [(1, 1.0, "placed", "2026-03-01T10:00:00Z"),
                                 (2, 1.0, "placed", "not-a-date"),
                                 (3, 1.0, "placed", "2026-02-30T10:00:00"),
                                 (4, 1.0, "placed", "yesterday"),
                                 (5, 1.0, "placed", None),
                                 (6, 1.0, "placed", "2026-03-02 08:00:00")])
    expect_equal(_ids(out), [1, 6], "the list of order_ids left (unparseable and missing dates go)")


@clean.check("leaves the input frame unchanged", points=1,
             hint="Build new columns with .assign(...) on the filtered frame; never assign "
                  "into the frame you were given.")
def _pure(clean_chunk: Callable[..., Any]) -> None:
    rows = [(1, 10.0, " Delivered ", "2026-03-01T15:30:00+05:30"), (1, 11.0, "placed", _TS),
            (2, 0.0, "PLACED", "bad"), (3, 5.0, "shipped", "2026-03-01 10:00:00")]
    given = _chunk(rows)
    before = given.copy(deep=True)
    clean_chunk(given)
    if not (given.equals(before) and list(given.dtypes) == list(before.dtypes)):
        changed = [c for c in before.columns if c not in given.columns or not given[c].equals(before[c])]
        fail("clean_chunk changed the frame it was given", expected="the input untouched",
             seen=f"columns changed: {changed or list(given.columns)}")


@clean.check("raises no pandas warnings", points=1,
             hint="Give to_datetime a format (format='ISO8601') and avoid inplace=True on a "
                  "column: both warn under pandas 3.")
def _no_warnings(clean_chunk: Callable[..., Any]) -> None:
    rows = [(1, 1.0, "placed", "not-a-date"), (2, 2.0, " Delivered ", "2026-03-01T10:00:00Z"),
            (3, 3.0, "placed", "2026-03-01T15:30:00+05:30"), (4, 4.0, None, None)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clean_chunk(_chunk(rows))
    seen = [f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught]
    expect(not seen, "clean_chunk raised warnings (the first created_at of this chunk is unparseable)",
           expected="no warnings", seen=seen)


# ================================================================ 02.2 process_orders_in_chunks

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


def _grows_with_the_file(fn: Callable[..., Any], small: Path, big: Path, what: str,
                         *args: Any, **kwargs: Any) -> None:
    """Fail if ``fn``'s peak memory on ``big`` clearly exceeds its peak on ``small``.

    Constant memory means the peak does not depend on the file's size. Both files
    hold several chunks (or blocks), so a reader that streams peaks the same on
    both, while one that holds the file peaks about four times higher on the big one.
    """
    from depipe_course.exercises._memory import measure_peak

    _, on_small = measure_peak(fn, small, *args, **kwargs)
    _, on_big = measure_peak(fn, big, *args, **kwargs)
    limit = int(1.2 * on_small.total) + 2**20
    expect(on_big.total <= limit,
           f"your function's memory grew with the file ({what}): on the "
           f"{small.stat().st_size / 1e6:.1f} MB file it peaked at {on_small}, on the "
           f"{big.stat().st_size / 1e6:.1f} MB file at {on_big}",
           expected=f"about the same peak on both (at most {mib(limit)})", seen=str(on_big))


@chunks.check("keeps memory flat: never reads the whole file", points=3,
              hint="Only chunksize= keeps one chunk in memory at a time; reading the whole "
                   "file (or collecting every chunk in a list) grows with the file.")
def _memory(process_orders_in_chunks: Callable[..., Any], tmp_path: Path) -> None:
    small, big = tmp_path / "orders_30k.csv", tmp_path / "orders_120k.csv"
    _files.repeated_orders_csv(small, _SMALL_ROWS)
    _files.repeated_orders_csv(big, _BIG_ROWS)
    process_orders_in_chunks(_files.BASIC.write(tmp_path), lambda chunk: None, chunk_size=100)  # warm-up
    _grows_with_the_file(process_orders_in_chunks, small, big,
                         f"{_SMALL_ROWS:,} and {_BIG_ROWS:,} rows, chunk_size={_MEMORY_CHUNK:,}",
                         lambda chunk: None, chunk_size=_MEMORY_CHUNK)


# ================================================================ 02.3 write_orders_to_parquet

parquet = exercise("02.3", "Write Parquet with an explicit schema", ["write_orders_to_parquet"])

_EXPECTED_TYPES = {
    "order_id": "int64",
    "customer_id": "int64",
    "amount": "decimal128(10, 2)",
    "status": "string",
    "created_at": "timestamp[us, tz=UTC]",
}


def _typed_orders(rows: int = 250, *, floats: bool) -> Any:
    """Clean orders as a DataFrame (amount as Decimal or as float), without the date column."""
    from depipe_course.data import clean_orders_table

    frame = clean_orders_table(rows, seed=2).to_pandas().drop(columns=["date"])
    if floats:
        frame["amount"] = frame["amount"].astype("float64")
    return frame


@parquet.check("writes the explicit schema", points=2,
               hint="Build pa.schema([...]) with pa.int64(), pa.decimal128(10, 2), pa.string() and "
                    "pa.timestamp('us', tz='UTC') and pass it: inference gives large_string "
                    "for pandas 3 text and a precision that depends on the data.")
def _schema(write_orders_to_parquet: Callable[..., Any], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "orders.parquet"
    write_orders_to_parquet(_typed_orders(floats=False), path)
    schema = pq.read_schema(path)
    seen = {name: str(schema.field(name).type) for name in schema.names}
    expect_equal(seen, _EXPECTED_TYPES, "the schema of the file")


@parquet.check("stores exact decimal amounts, also from floats", points=2,
               hint="Arrow refuses float → decimal in from_pandas. Turn each amount into "
                    "Decimal(str(x)).quantize(Decimal('0.01')) first: str() of a float is "
                    "the shortest text that reads back as that float.")
def _decimals(write_orders_to_parquet: Callable[..., Any], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    floats = [0.1 + 0.2, 19.99, 1234.5, 0.07, 99_999.99, 1.1 * 3]
    expected = [Decimal(v) for v in ("0.30", "19.99", "1234.50", "0.07", "99999.99", "3.30")]
    frame = _typed_orders(len(floats), floats=True).assign(amount=floats)
    path = tmp_path / "amounts.parquet"
    write_orders_to_parquet(frame, path)
    seen = pq.read_table(path, columns=["amount"]).column("amount").to_pylist()
    expect(seen == expected and all(isinstance(v, Decimal) for v in seen),
           "the amounts read back are not the exact decimals", expected=[str(v) for v in expected],
           seen=[str(v) for v in seen])


@parquet.check("keeps every row and only the five columns", points=1,
               hint="preserve_index=False: a filtered frame's index would become a "
                    "'__index_level_0__' column.")
def _rows(write_orders_to_parquet: Callable[..., Any], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    frame = _typed_orders(floats=False)
    frame = frame[frame["order_id"] % 3 != 0]  # a filtered frame: its index has irregular gaps
    path = tmp_path / "rows.parquet"
    write_orders_to_parquet(frame, path)
    table = pq.read_table(path)
    expect_equal(table.column_names, ORDER_COLUMNS, "the list of columns in the file")
    expect_equal(sorted(table.column("order_id").to_pylist()), _ids(frame), "the list of order_ids in the file")
    seen = [t.isoformat() for t in table.column("created_at").to_pylist()[:3]]
    expect_equal(seen, [t.isoformat() for t in frame["created_at"].iloc[:3]],
                 "the list of the first three created_at values")


@parquet.check("splits the file into row groups of row_group_size", points=1,
               hint="pq.write_table(table, path, row_group_size=row_group_size, ...).")
def _row_groups(write_orders_to_parquet: Callable[..., Any], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "groups.parquet"
    write_orders_to_parquet(_typed_orders(250, floats=False), path, row_group_size=100)
    expect_equal(pq.ParquetFile(path).metadata.num_row_groups, 3, "the number of row groups for 250 rows "
                 "with row_group_size=100")


@parquet.check("compresses with snappy and writes statistics", points=1,
               hint="compression='snappy', write_statistics=True: statistics are what let a "
                    "reader skip row groups.")
def _codec(write_orders_to_parquet: Callable[..., Any], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "codec.parquet"
    write_orders_to_parquet(_typed_orders(floats=False), path)
    group = pq.ParquetFile(path).metadata.row_group(0)
    columns = [group.column(j) for j in range(group.num_columns)]
    codecs = sorted({c.compression for c in columns})
    expect_equal(codecs, ["SNAPPY"], "the compression of the column chunks")
    without = [c.path_in_schema for c in columns if c.statistics is None or not c.statistics.has_min_max]
    expect(not without, "some columns have no min/max statistics", expected="statistics on every column",
           seen=without)


# ================================================================ 02.4 write_partitioned_parquet

partitioned = exercise("02.4", "Write a date-partitioned dataset, idempotently",
                       ["write_partitioned_parquet"])


def _days_frame(first_day: int, days: int, rows: int, seed: int) -> Any:
    """Clean orders spread over ``days`` days starting on 2026-03-``first_day``."""
    import pandas as pd

    from depipe_course.data import clean_orders_table

    frame = clean_orders_table(rows, seed=seed, days=days).to_pandas()
    shift = pd.Timedelta(days=first_day - 1)
    created = frame["created_at"] + shift
    return frame.assign(created_at=created, date=created.dt.strftime("%Y-%m-%d"),
                        order_id=frame["order_id"] + seed * 100_000)


def _rows_by_day(base: Path) -> dict[str, list[int]]:
    import pyarrow.dataset as ds

    found: dict[str, list[int]] = {}
    if not base.is_dir():
        return found
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        ids = ds.dataset(folder, format="parquet").to_table(columns=["order_id"]).column("order_id")
        found[folder.name] = sorted(ids.to_pylist())
    return found


def _expected_by_day(*frames: Any) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for frame in frames:
        for day, ids in frame.groupby("date")["order_id"]:
            found[f"date={day}"] = sorted(int(i) for i in ids)
    return dict(sorted(found.items()))


@partitioned.check("writes one date=YYYY-MM-DD folder per day", points=1,
                   hint="pq.write_to_dataset(table, root_path=..., partition_cols=['date']) "
                        "writes hive-style folders named column=value.")
def _folders(write_partitioned_parquet: Callable[..., Any], tmp_path: Path) -> None:
    frame = _days_frame(1, 3, 300, seed=1)
    base = tmp_path / "orders"
    write_partitioned_parquet(frame, base)
    seen = sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []
    expect_equal(seen, sorted(_expected_by_day(frame)), "the list of folders under base_path")


@partitioned.check("puts every row in its own day's folder", points=1,
                   hint="Partition on the frame's 'date' column; each row appears exactly once.")
def _placement(write_partitioned_parquet: Callable[..., Any], tmp_path: Path) -> None:
    frame = _days_frame(1, 3, 300, seed=1)
    base = tmp_path / "orders"
    write_partitioned_parquet(frame, base)
    seen, expected = _rows_by_day(base), _expected_by_day(frame)
    if seen != expected:
        astray = sum(len(set(ids) - set(seen.get(day, []))) for day, ids in expected.items())
        fail(f"{astray} of {len(frame)} rows are not in their own day's folder",
             expected={day: len(ids) for day, ids in expected.items()},
             seen={day: len(ids) for day, ids in seen.items()})


@partitioned.check("running it twice leaves the same rows", points=2,
                   hint="existing_data_behavior='delete_matching' empties each partition before "
                        "writing it; 'overwrite_or_ignore' with the default unique file names "
                        "adds a second copy of every row.")
def _idempotent(write_partitioned_parquet: Callable[..., Any], tmp_path: Path) -> None:
    frame = _days_frame(1, 3, 300, seed=1)
    base = tmp_path / "orders"
    write_partitioned_parquet(frame, base)
    write_partitioned_parquet(frame, base)
    seen = _rows_by_day(base)
    counts = {day: len(ids) for day, ids in seen.items()}
    expected = _expected_by_day(frame)
    expect(seen == expected, "after a second run with the same frame the dataset changed",
           expected={day: len(ids) for day, ids in expected.items()}, seen=counts)


@partitioned.check("rewriting a day leaves the other days alone", points=1,
                   hint="Replace only the partitions the new frame writes to (delete_matching); "
                        "deleting base_path first loses every other day.")
def _other_days(write_partitioned_parquet: Callable[..., Any], tmp_path: Path) -> None:
    first = _days_frame(1, 3, 300, seed=1)  # 1-3 March
    second = _days_frame(3, 2, 200, seed=2)  # 3-4 March, new rows for the 3rd
    base = tmp_path / "orders"
    write_partitioned_parquet(first, base)
    write_partitioned_parquet(second, base)
    expected = {**_expected_by_day(first), **_expected_by_day(second)}
    seen = _rows_by_day(base)
    counts = {day: len(ids) for day, ids in seen.items()}
    expect(seen == dict(sorted(expected.items())),
           "after writing 3-4 March, 1-2 March must be untouched and 3 March replaced",
           expected={day: len(ids) for day, ids in sorted(expected.items())}, seen=counts)


# ================================================================ 02.5 read_recent_orders

recent = exercise("02.5", "Read recent orders with projection and pushdown", ["read_recent_orders"])

_RECENT_COLUMNS = ["order_id", "customer_id", "amount", "status"]
_SINCE = "2026-03-04"


def _recent_dataset(base: Path) -> Any:
    """Six days of orders, two row groups per file (see ``_files.write_two_row_group_dataset``)."""
    from depipe_course.data import clean_orders_table

    table = clean_orders_table(1_200, seed=5, days=6)
    _files.write_two_row_group_dataset(base, table)
    return table


def _expected_recent(table: Any, since: str, status: str) -> list[int]:
    return sorted(
        row["order_id"] for row in table.select(["order_id", "status", "date"]).to_pylist()
        if row["date"] >= since and row["status"] == status
    )


def _call_recent(read_recent_orders: Callable[..., Any], base: Path, since: str, **kwargs: Any) -> Any:
    out = read_recent_orders(str(base), since, **kwargs)
    _expect_frame(out, "read_recent_orders")
    expect("order_id" in out.columns, "the result has no order_id column", expected=_RECENT_COLUMNS,
           seen=list(out.columns))
    return out


@recent.check("returns the orders with date >= since_date and the status", points=2,
              hint="filter=(ds.field('date') >= since_date) & (ds.field('status') == status): "
                   "each comparison in parentheses, because & binds tighter than >= and ==.")
def _rows_wanted(read_recent_orders: Callable[..., Any], tmp_path: Path) -> None:
    base = tmp_path / "orders"
    table = _recent_dataset(base)
    out = _call_recent(read_recent_orders, base, _SINCE)
    expect_equal(_ids(out), _expected_recent(table, _SINCE, "delivered"),
                 f"the list of delivered order_ids since {_SINCE}")
    out = _call_recent(read_recent_orders, base, _SINCE, status="cancelled")
    expect_equal(_ids(out), _expected_recent(table, _SINCE, "cancelled"),
                 f"the list of order_ids for status='cancelled' since {_SINCE}")


@recent.check("returns only order_id, customer_id, amount, status", points=1,
              hint="to_table(columns=['order_id', 'customer_id', 'amount', 'status'], ...).")
def _projection(read_recent_orders: Callable[..., Any], tmp_path: Path) -> None:
    base = tmp_path / "orders"
    _recent_dataset(base)
    out = _call_recent(read_recent_orders, base, _SINCE)
    expect_equal(list(out.columns), _RECENT_COLUMNS, "the list of columns returned")


def _trapped(read_recent_orders: Callable[..., Any], tmp_path: Path, what: str,
             trap: Callable[[Path, str], None]) -> None:
    """Run the learner on an intact dataset, then on a copy whose untouchable pages are trapped."""
    base = tmp_path / "orders"
    table = _recent_dataset(base)
    expected = _expected_recent(table, _SINCE, "delivered")
    _call_recent(read_recent_orders, base, _SINCE)  # errors unrelated to the trap surface here
    trapped = tmp_path / "trapped"
    shutil.copytree(base, trapped)
    for file in sorted(trapped.glob("date=*/*.parquet")):
        trap(file, file.parent.name.removeprefix("date="))
    try:
        out = read_recent_orders(str(trapped), _SINCE)
    except NotImplementedError:
        raise
    except Exception as exc:  # the learner's reader decoded a page it never needed
        fail(f"your function read {what}: their data pages were made unreadable and it failed",
             expected="those pages never decoded", seen=f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}")
    _expect_frame(out, "read_recent_orders")
    expect_equal(_ids(out), expected, "the list of order_ids read from the dataset with trapped pages")


@recent.check("never reads partitions before since_date", points=2,
              hint="Pass the date condition to the scanner (filter=...), not to pandas "
                   "afterwards: pyarrow then prunes whole folders by their name.")
def _pruned_partitions(read_recent_orders: Callable[..., Any], tmp_path: Path) -> None:
    def trap(file: Path, day: str) -> None:
        if day < _SINCE:
            _files.trap_pages(file)

    _trapped(read_recent_orders, tmp_path, f"partitions dated before {_SINCE}", trap)


@recent.check("reads only the four columns from disk", points=1,
              hint="Pass columns=[...] to to_table / read_parquet: selecting columns in pandas "
                   "afterwards reads every column first.")
def _pruned_columns(read_recent_orders: Callable[..., Any], tmp_path: Path) -> None:
    _trapped(read_recent_orders, tmp_path, "the created_at column",
             lambda file, day: _files.trap_pages(file, columns={"created_at"}))


@recent.check("skips row groups whose statistics rule out the status", points=1,
              hint="Put the status condition in the same filter= expression: row-group "
                   "min/max statistics then skip groups without that status.")
def _pruned_row_groups(read_recent_orders: Callable[..., Any], tmp_path: Path) -> None:
    _trapped(read_recent_orders, tmp_path, "row groups that hold only cancelled orders",
             lambda file, day: _files.trap_pages(file, row_groups={1}))


# ================================================================ 02.6 S3 through boto3

s3_ex = exercise("02.6", "Read, write, list and probe S3 objects",
                 ["read_csv_from_s3", "write_parquet_to_s3", "list_s3_files", "s3_file_exists"])

_BUCKET = "course-data"


@s3_ex.check("reads a CSV object into a DataFrame", points=1,
             hint="response = s3.get_object(Bucket=..., Key=...); pd.read_csv(response['Body']).")
def _s3_read(read_csv_from_s3: Callable[..., Any]) -> None:
    from depipe_course.fakes.cloud import fake_s3

    with fake_s3(buckets=(_BUCKET,)) as s3:
        s3.put_object(Bucket=_BUCKET, Key="raw/orders.csv", Body=_files.BASIC.text.encode())
        out = read_csv_from_s3(s3, _BUCKET, "raw/orders.csv")
    _expect_frame(out, "read_csv_from_s3")
    expect_equal(list(out.columns), ORDER_COLUMNS, "the list of columns")
    expect_equal([int(v) for v in out["order_id"]], [1001, 1002, 1003, 1004, 1005, 1006, 1007, 1007],
                 "the list of order_ids, in file order")


@s3_ex.check("writes a Parquet object that reads back", points=1,
             hint="df.to_parquet(buffer, index=False) into io.BytesIO, then put_object or "
                  "upload_fileobj.")
def _s3_write(write_parquet_to_s3: Callable[..., Any]) -> None:
    import io

    import pandas as pd
    import pyarrow.parquet as pq

    from depipe_course.fakes.cloud import fake_s3

    frame = _typed_orders(50, floats=False)
    frame = frame[frame["order_id"] % 3 != 0]  # irregular index: not a RangeIndex
    with fake_s3(buckets=(_BUCKET,)) as s3:
        write_parquet_to_s3(s3, frame, _BUCKET, "curated/orders.parquet")
        body = s3.get_object(Bucket=_BUCKET, Key="curated/orders.parquet")["Body"].read()
    expect(body[:4] == b"PAR1", "the object is not a Parquet file", expected="starts with b'PAR1'",
           seen=repr(body[:4]))
    expect_equal(pq.read_schema(io.BytesIO(body)).names, list(frame.columns),
                 "the list of columns stored (the index does not belong in the file)")
    back = pd.read_parquet(io.BytesIO(body))
    expect_equal(_ids(back), _ids(frame), "the list of order_ids read back")


@s3_ex.check("lists every key under the prefix, across pages", points=2,
             hint="One list_objects_v2 call returns at most 1,000 keys: use "
                  "s3.get_paginator('list_objects_v2').paginate(Bucket=..., Prefix=...).")
def _s3_list(list_s3_files: Callable[..., Any]) -> None:
    from depipe_course.fakes.cloud import fake_s3, put_many

    wanted = [f"raw/orders/{i:05d}.csv" for i in range(1_001)]
    with fake_s3(buckets=(_BUCKET,)) as s3:
        put_many(_BUCKET, wanted)
        put_many(_BUCKET, ["raw/customers/0.csv", "raw/orders.csv", "curated/x.parquet"])
        seen = list_s3_files(s3, _BUCKET, "raw/orders/")
    expect(isinstance(seen, list), "list_s3_files must return a list of keys", expected="list",
           seen=type(seen).__name__)
    expect(len(seen) == len(wanted) and sorted(seen) == wanted,
           "1,001 keys sit under the prefix 'raw/orders/'", expected=f"{len(wanted):,} keys",
           seen=f"{len(seen):,} keys" + (" (one page is at most 1,000)" if len(seen) == 1_000 else ""))


@s3_ex.check("lists nothing for an empty prefix", points=1,
             hint="A page with no objects has no 'Contents' key: page.get('Contents', []).")
def _s3_list_empty(list_s3_files: Callable[..., Any]) -> None:
    from depipe_course.fakes.cloud import fake_s3

    with fake_s3(buckets=(_BUCKET,)) as s3:
        s3.put_object(Bucket=_BUCKET, Key="raw/orders/1.csv", Body=b"x")
        seen = list_s3_files(s3, _BUCKET, "nothing/here/")
    expect_equal(seen, [], "the list of keys under a prefix that holds nothing")


@s3_ex.check("returns True for an existing key and False for a missing one", points=1,
             hint="head_object raises a ClientError whose Error.Code is '404' for a missing "
                  "key; it is not s3.exceptions.NoSuchKey.")
def _s3_exists(s3_file_exists: Callable[..., Any]) -> None:
    from depipe_course.fakes.cloud import fake_s3

    with fake_s3(buckets=(_BUCKET,)) as s3:
        s3.put_object(Bucket=_BUCKET, Key="raw/orders.csv", Body=b"x")
        here = s3_file_exists(s3, _BUCKET, "raw/orders.csv")
        gone = s3_file_exists(s3, _BUCKET, "raw/missing.csv")
    expect_equal((here, gone), (True, False), "the pair (existing key, missing key)")


@s3_ex.check("raises for 403 and other errors instead of returning False", points=2,
             hint="Catch botocore's ClientError, return False only when the code is '404', "
                  "and re-raise everything else: a 403 is a permissions problem to surface.")
def _s3_exists_errors(s3_file_exists: Callable[..., Any]) -> None:
    from botocore.stub import Stubber

    from depipe_course.fakes.cloud import fake_s3

    outcomes = {}
    with fake_s3(buckets=(_BUCKET,)) as s3:
        s3.put_object(Bucket=_BUCKET, Key="raw/orders.csv", Body=b"x")
        here = s3_file_exists(s3, _BUCKET, "raw/orders.csv")
        expect(here is True, "for an existing key the function must return True (a function that "
               "always raises tells nothing about errors)", expected=True, seen=here)
        for code, status in (("403", 403), ("InternalError", 500)):
            with Stubber(s3) as stub:
                stub.add_client_error("head_object", service_error_code=code,
                                      service_message="injected by the check", http_status_code=status)
                try:
                    outcomes[status] = f"returned {s3_file_exists(s3, _BUCKET, 'raw/orders.csv')!r}"
                except NotImplementedError:
                    raise
                except Exception as exc:  # raising is the behaviour asked for
                    outcomes[status] = f"raised {type(exc).__name__}"
    wrong = {s: o for s, o in outcomes.items() if not o.startswith("raised")}
    expect(not wrong, "an error other than 404 must reach the caller", expected="raised for 403 and 500",
           seen=outcomes)


# ================================================================ 02.7 fsspec

anycloud = exercise("02.7", "Read Parquet from any filesystem with fsspec",
                    ["read_parquet_from_any_cloud"])

_RECORDING_PROTOCOL = "depipecheck"


def _small_parquet() -> tuple[Any, bytes]:
    import io

    frame = _typed_orders(20, floats=False)
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return frame, buffer.getvalue()


def _expect_same(out: Any, frame: Any) -> None:
    _expect_frame(out, "read_parquet_from_any_cloud")
    expect_equal(list(out.columns), list(frame.columns), "the list of columns read")
    expect_equal(_ids(out), _ids(frame), "the list of order_ids read")


@anycloud.check("reads a local file:// URL", points=1,
                hint="with fsspec.open(path, 'rb', **(storage_options or {})) as f: "
                     "return pd.read_parquet(f).")
def _file_url(read_parquet_from_any_cloud: Callable[..., Any], tmp_path: Path) -> None:
    frame, data = _small_parquet()
    path = tmp_path / "orders.parquet"
    path.write_bytes(data)
    _expect_same(read_parquet_from_any_cloud(path.as_uri()), frame)


@anycloud.check("reads a memory:// URL", points=1,
                hint="fsspec understands the protocol; the builtin open() does not.")
def _memory_url(read_parquet_from_any_cloud: Callable[..., Any]) -> None:
    import fsspec

    frame, data = _small_parquet()
    fs = fsspec.filesystem("memory")
    path = "/depipe-check/02.7/orders.parquet"
    fs.pipe(path, data)
    try:
        _expect_same(read_parquet_from_any_cloud(f"memory://{path}"), frame)
    finally:
        fs.rm(path)


@anycloud.check("reads an s3:// URL with storage_options", points=2,
                hint="Pass storage_options through to fsspec.open: they carry the endpoint "
                     "and credentials.")
def _s3_url(read_parquet_from_any_cloud: Callable[..., Any]) -> None:
    from depipe_course.fakes.cloud import fake_s3_server

    frame, data = _small_parquet()
    with fake_s3_server(buckets=(_BUCKET,)) as server:
        server.client().put_object(Bucket=_BUCKET, Key="curated/orders.parquet", Body=data)
        out = read_parquet_from_any_cloud(f"s3://{_BUCKET}/curated/orders.parquet",
                                          storage_options=dict(server.storage_options))
    _expect_same(out, frame)


def _recording_filesystem() -> tuple[type, list[dict[str, Any]]]:
    """An in-memory fsspec filesystem that remembers the options it was created with."""
    import fsspec
    from fsspec.implementations.memory import MemoryFileSystem

    seen: list[dict[str, Any]] = []

    class Recording(MemoryFileSystem):
        protocol = _RECORDING_PROTOCOL
        cachable = False
        store: dict[str, Any] = {}
        pseudo_dirs = [""]

        def __init__(self, *args: Any, **options: Any) -> None:
            super().__init__(*args, **options)
            seen.append(dict(options))

        @classmethod
        def _strip_protocol(cls, path: Any) -> Any:
            prefix = f"{_RECORDING_PROTOCOL}://"
            if isinstance(path, str) and path.startswith(prefix):
                path = path[len(prefix):]
            return super()._strip_protocol(path)

    fsspec.register_implementation(_RECORDING_PROTOCOL, Recording, clobber=True)
    return Recording, seen


@anycloud.check("hands storage_options to the filesystem", points=1,
                hint="fsspec.open(path, 'rb', **storage_options): without them a real bucket "
                     "gets no credentials and no endpoint.")
def _options_used(read_parquet_from_any_cloud: Callable[..., Any]) -> None:
    frame, data = _small_parquet()
    filesystem, seen = _recording_filesystem()
    filesystem().pipe("/orders.parquet", data)
    seen.clear()
    options = {"token": "from-the-check", "region": "xx-test-1"}
    out = read_parquet_from_any_cloud(f"{_RECORDING_PROTOCOL}:///orders.parquet", storage_options=options)
    _expect_same(out, frame)
    got = [{k: v for k, v in s.items() if k in options} for s in seen]
    expect(options in got, "the filesystem was created without the storage_options given",
           expected=options, seen=got or "no filesystem created")


# ================================================================ 02.8 csv_to_parquet

streaming = exercise("02.8", "Convert CSV to Parquet in constant memory", ["csv_to_parquet"])


def _convert(csv_to_parquet: Callable[..., Any], csv: Path, tmp_path: Path, **kwargs: Any) -> tuple[int, Any]:
    import pyarrow.parquet as pq

    target = tmp_path / f"{csv.stem}.parquet"
    rows = csv_to_parquet(csv, target, **kwargs)
    expect(isinstance(rows, int) and not isinstance(rows, bool), "csv_to_parquet must return the "
           "number of rows written", expected="int", seen=type(rows).__name__)
    return rows, pq.read_table(target)


@streaming.check("returns the number of rows written", points=1,
                 hint="Add batch.num_rows for every batch you write.")
def _csv_rows(csv_to_parquet: Callable[..., Any], tmp_path: Path) -> None:
    from depipe_course.data import Mess, write_orders_csv

    csv = tmp_path / "clean.csv"
    write_orders_csv(csv, rows=3_000, seed=4, mess=Mess.none())
    rows, table = _convert(csv_to_parquet, csv, tmp_path, block_size=1 << 16)
    expect_equal((rows, table.num_rows), (3_000, 3_000), "the pair (returned count, rows in the file)")


@streaming.check("skips malformed lines instead of failing", points=1,
                 hint="pacsv.ParseOptions(invalid_row_handler=lambda row: 'skip').")
def _csv_malformed(csv_to_parquet: Callable[..., Any], tmp_path: Path) -> None:
    from depipe_course.data import Mess, write_orders_csv

    csv = tmp_path / "malformed.csv"
    write_orders_csv(csv, rows=3_000, seed=4, mess=Mess(malformed_line=0.01))
    good = len(_files.well_formed_lines(csv.read_text(encoding="utf-8")))
    rows, table = _convert(csv_to_parquet, csv, tmp_path, block_size=1 << 16)
    expect_equal((rows, table.num_rows), (good, good),
                 f"the pair (returned count, rows in the file) for {3_000 - good} malformed lines among 3,000")


@streaming.check("types ids as int64, amount as decimal128(10, 2), null markers as nulls", points=1,
                 hint="ConvertOptions(column_types={...}, null_values=['', 'NULL', 'N/A', 'n/a', "
                      "'-'], strings_can_be_null=True).")
def _csv_types(csv_to_parquet: Callable[..., Any], tmp_path: Path) -> None:
    from depipe_course.data import Mess, write_orders_csv

    csv = tmp_path / "nulls.csv"
    write_orders_csv(csv, rows=3_000, seed=4, mess=Mess(null_amount=0.05, malformed_line=0.0))
    lines = _files.well_formed_lines(csv.read_text(encoding="utf-8"))
    _, table = _convert(csv_to_parquet, csv, tmp_path, block_size=1 << 16)
    seen = {name: str(table.schema.field(name).type) for name in ("order_id", "customer_id", "amount")}
    expect_equal(seen, {"order_id": "int64", "customer_id": "int64", "amount": "decimal128(10, 2)"},
                 "the type of each id and of amount")
    null_amounts = sum(1 for row in lines if row[2] in _files.NULL_MARKERS)
    total = sum((Decimal(row[2]) for row in lines if row[2] not in _files.NULL_MARKERS), Decimal(0))
    seen_total = sum((v for v in table.column("amount").to_pylist() if v is not None), Decimal(0))
    expect_equal((table.column("amount").null_count, seen_total), (null_amounts, total),
                 "the pair (missing amounts, sum of the other amounts)")


@streaming.check("keeps the schema stable across blocks", points=1,
                 hint="The reader infers types from its first block; a later block that "
                      "does not fit fails. Fix the types with ConvertOptions(column_types=...).")
def _csv_drift(csv_to_parquet: Callable[..., Any], tmp_path: Path) -> None:
    csv = _files.drifting_orders_csv(tmp_path / "drift.csv")
    rows, table = _convert(csv_to_parquet, csv, tmp_path, block_size=1 << 14)
    expect_equal(rows, 3_000, "the number of rows written (the first 2,000 amounts are whole numbers)")
    expect_equal(str(table.schema.field("amount").type), "decimal128(10, 2)", "the type of amount")


_STREAM_SMALL, _STREAM_BIG, _STREAM_BLOCK = 80_000, 240_000, 1 << 16


@streaming.check("streams in memory bounded by block_size", points=2,
                 hint="pacsv.open_csv(..., read_options=pacsv.ReadOptions(block_size=block_size)) "
                      "and pq.ParquetWriter: write each batch as it arrives. read_csv or "
                      "pd.read_csv hold the whole file.")
def _csv_memory(csv_to_parquet: Callable[..., Any], tmp_path: Path) -> None:
    small, big = tmp_path / "orders_80k.csv", tmp_path / "orders_240k.csv"
    _files.repeated_orders_csv(small, _STREAM_SMALL)
    _files.repeated_orders_csv(big, _STREAM_BIG)
    _grows_with_the_file(csv_to_parquet, small, big,
                         f"{_STREAM_SMALL:,} and {_STREAM_BIG:,} rows, block_size={_STREAM_BLOCK:,}",
                         tmp_path / "out.parquet", block_size=_STREAM_BLOCK)
