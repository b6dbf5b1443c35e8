"""02.8: ``csv_to_parquet(csv_path, parquet_path, block_size)`` converts a CSV with pyarrow's streaming reader.

It returns the rows written, skips malformed lines, fixes the column types (ids int64,
amount decimal128(10, 2), the null markers as nulls) so that every block fits, and keeps
memory bounded by block_size.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from depipe_course.checking import expect, expect_equal
from depipe_course.exercises import _files, exercise
from depipe_course.exercises.part02._shared import _grows_with_the_file

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


_STREAM_SMALL, _STREAM_BIG, _STREAM_BLOCK = 40_000, 240_000, 1 << 16
# How much higher the kernel may see the process peak on the big file (``python -m benchmarks
# memory_guard``): the reference rises 1.5 MiB (up to 3.2 with the machine busy: Arrow's reader
# threads); the versions that hold the file 20 MiB and more, with their counts silenced too. The
# big file is 6x the small one so that holding it shows above what the small run left behind.
_RESIDENT_SLACK = 8 * 2**20


@streaming.check("streams in memory bounded by block_size", points=2,
                 hint="pacsv.open_csv(..., read_options=pacsv.ReadOptions(block_size=block_size)) "
                      "and pq.ParquetWriter: write each batch as it arrives. read_csv or "
                      "pd.read_csv hold the whole file.")
def _csv_memory(csv_to_parquet: Callable[..., Any], tmp_path: Path) -> None:
    small, big = tmp_path / "orders_40k.csv", tmp_path / "orders_240k.csv"
    _files.repeated_orders_csv(small, _STREAM_SMALL)
    _files.repeated_orders_csv(big, _STREAM_BIG)
    _grows_with_the_file(csv_to_parquet, small, big,
                         f"{_STREAM_SMALL:,} and {_STREAM_BIG:,} rows, block_size={_STREAM_BLOCK:,}",
                         _RESIDENT_SLACK, tmp_path / "out.parquet", block_size=_STREAM_BLOCK)
