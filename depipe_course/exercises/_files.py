"""Files that part 02's checks read and write: small hand-made CSVs whose right answer
is known line by line, big generated files for memory claims, and Parquet datasets
with booby-trapped pages that show which data a reader really touched.

A trapped page keeps the file's footer (schema, statistics) intact and overwrites
the bytes of chosen column chunks. A reader that prunes a partition, a row group or
a column never decodes those bytes and returns the right rows; a reader that loads
them fails with "Couldn't deserialize thrift". That is observable without wrapping
the learner's filesystem, and it works however they call pyarrow or pandas.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

HEADER = "order_id,customer_id,amount,status,created_at\n"
NULL_MARKERS = ("", "NULL", "N/A", "n/a", "-")


@dataclass(frozen=True)
class CsvCase:
    """A small CSV and what a correct chunked reader reports for it."""

    name: str
    text: str
    chunk_size: int
    rows_read: int
    rows_written: int
    bad_lines: int
    written_ids: tuple[int, ...]

    def write(self, folder: Path) -> Path:
        path = Path(folder) / f"{self.name}.csv"
        path.write_text(self.text, encoding="utf-8")
        return path


# Duplicates, a zero amount, a status typo, an unparseable date, status variants.
BASIC = CsvCase(
    "basic",
    HEADER
    + "1001,501,120.50,placed,2026-03-01T09:00:00Z\n"
    + "1002,502,75.00, Delivered ,2026-03-01T15:30:00+05:30\n"
    + "1003,503,0.00,confirmed,2026-03-01 11:00:00\n"
    + "1004,504,310.25,shipped,2026-03-02T08:00:00Z\n"
    + "1005,505,42.00,cancelled,not-a-date\n"
    + "1006,506,18.75,CONFIRMED,2026-03-02 10:15:00\n"
    + "1007,507,99.99,delivered,2026-03-02T23:59:59Z\n"
    + "1007,507,99.99,delivered,2026-03-02T23:59:59Z\n",
    chunk_size=3,
    rows_read=8,
    rows_written=4,
    bad_lines=0,
    written_ids=(1001, 1002, 1006, 1007),
)

# Every null spelling in amount, status and created_at; only the last row is valid.
NULLS = CsvCase(
    "nulls",
    HEADER
    + "2001,601,-,placed,2026-03-03T10:00:00Z\n"
    + "2002,602,NULL,placed,2026-03-03T10:00:00Z\n"
    + "2003,603,N/A,delivered,2026-03-03T10:00:00Z\n"
    + "2004,604,n/a,delivered,2026-03-03T10:00:00Z\n"
    + "2005,605,,confirmed,2026-03-03T10:00:00Z\n"
    + "2006,606,15.00,-,2026-03-03T10:00:00Z\n"
    + "2007,607,16.00,NULL,2026-03-03T10:00:00Z\n"
    + "2008,608,17.00,placed,-\n"
    + "2009,609,18.00,placed,\n"
    + "2010,610,19.00,delivered,2026-03-03T10:00:00Z\n",
    chunk_size=100,
    rows_read=10,
    rows_written=1,
    bad_lines=0,
    written_ids=(2010,),
)

# Two lines whose amount has an unquoted thousands separator: six fields, not five.
MALFORMED = CsvCase(
    "malformed",
    HEADER
    + "3001,701,12.00,placed,2026-03-04T10:00:00Z\n"
    + "3002,702,1,234.50,placed,2026-03-04T10:00:00Z\n"
    + "3003,703,13.00,delivered,2026-03-04T10:00:00Z\n"
    + "3004,704,2,500.00,confirmed,2026-03-04T10:00:00Z\n"
    + "3005,705,14.00,cancelled,2026-03-04T10:00:00Z\n",
    chunk_size=100,
    rows_read=3,
    rows_written=3,
    bad_lines=2,
    written_ids=(3001, 3003, 3005),
)

# The first chunk holds whole numbers only: type inference would make it int64.
WHOLE_NUMBERS = CsvCase(
    "whole_numbers",
    HEADER
    + "4001,801,10,placed,2026-03-05T10:00:00Z\n"
    + "4002,802,20,placed,2026-03-05T10:00:00Z\n"
    + "4003,803,5.50,delivered,2026-03-05T10:00:00Z\n"
    + "4004,804,7,delivered,2026-03-05T10:00:00Z\n",
    chunk_size=2,
    rows_read=4,
    rows_written=4,
    bad_lines=0,
    written_ids=(4001, 4002, 4003, 4004),
)


def repeated_orders_csv(path: Path | str, rows: int, seed: int = 3) -> int:
    """A big messy orders CSV made fast: one generated 5,000-row block, repeated.

    Ids repeat from block to block, which does not matter for a memory measurement.
    Returns the file's size in bytes.
    """
    from depipe_course.data import write_orders_csv

    path = Path(path)
    block_rows = 5_000
    write_orders_csv(path, rows=block_rows, seed=seed)
    header, body = path.read_text(encoding="utf-8").split("\n", 1)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(header + "\n")
        for _ in range(max(1, rows // block_rows)):
            out.write(body)
    return path.stat().st_size


def drifting_orders_csv(path: Path | str, rows: int = 3_000, whole_rows: int = 2_000) -> Path:
    """Orders whose first ``whole_rows`` amounts are whole numbers and the rest have cents.

    A reader that infers types from its first block types ``amount`` as int64 and
    then fails on the first block with cents.
    """
    path = Path(path)
    lines = [HEADER]
    for i in range(rows):
        cents = "" if i < whole_rows else ".50"
        lines.append(f"{5_000_001 + i},{900 + i % 50},{10 + i % 90}{cents},placed,2026-03-06T10:00:00Z\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def well_formed_lines(text: str) -> list[list[str]]:
    """The data lines of a generated orders CSV that have exactly five fields, split."""
    rows = [line.split(",") for line in text.splitlines()[1:] if line]
    return [row for row in rows if len(row) == 5]


def write_two_row_group_dataset(base: Path | str, table: pa.Table) -> list[str]:
    """Write ``table`` hive-partitioned by ``date``, one file per day with two row groups.

    Row group 0 holds the day's placed/confirmed/delivered orders, row group 1 only
    its cancelled ones, so row-group statistics can rule either out. Returns the
    dates, sorted.
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    base = Path(base)
    dates = sorted(set(table.column("date").to_pylist()))
    for day in dates:
        rows = table.filter(pc.equal(table["date"], day)).drop_columns(["date"])
        cancelled = pc.equal(rows["status"], "cancelled")
        folder = base / f"date={day}"
        folder.mkdir(parents=True)
        with pq.ParquetWriter(folder / "part-0.parquet", rows.schema) as writer:
            writer.write_table(rows.filter(pc.invert(cancelled)))
            writer.write_table(rows.filter(cancelled))
    return dates


def trap_pages(
    path: Path | str, *, columns: set[str] | None = None, row_groups: set[int] | None = None
) -> int:
    """Overwrite the pages of the chosen column chunks, keeping the footer readable.

    ``None`` means every column / every row group. Returns the bytes overwritten.
    """
    import pyarrow.parquet as pq

    metadata = pq.ParquetFile(path).metadata
    overwritten = 0
    with open(path, "r+b") as handle:
        for index in range(metadata.num_row_groups):
            if row_groups is not None and index not in row_groups:
                continue
            group = metadata.row_group(index)
            for j in range(group.num_columns):
                chunk = group.column(j)
                if columns is not None and chunk.path_in_schema not in columns:
                    continue
                start = chunk.data_page_offset
                if chunk.has_dictionary_page and chunk.dictionary_page_offset:
                    start = min(start, chunk.dictionary_page_offset)
                handle.seek(start)
                handle.write(b"\xff" * chunk.total_compressed_size)
                overwritten += chunk.total_compressed_size
    return overwritten
