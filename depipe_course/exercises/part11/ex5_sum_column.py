"""11.5: ``sum_column(path, column)`` sums a CSV column exactly, in constant memory.

The sum is a Decimal, exact to the cent on large totals; nulls and malformed lines are
skipped, quoted fields read, any column summed; a missing column or a non-number raises
ValueError; ten times the rows need about the same peak memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from depipe_course.checking import expect
from depipe_course.exercises import exercise
from depipe_course.exercises._memory import expect_resident_flat, measure_peak
from depipe_course.exercises.part11._shared import _call, _describe, _raised, _silent_logs, _write

summing = exercise("11.5", "Sum a column of a file too big for memory", ["sum_column"])

_NULLS = frozenset({"", "NULL", "N/A", "n/a", "-"})
_SMALL_ROWS = 2_000
_FACTOR = 10
# The kernel's allowance on 10x the rows (``python -m benchmarks memory_guard``): the reference
# rises 12-16 KiB, the versions that read the whole file 7.7 MiB and more.
_RESIDENT_SLACK = 512 * 1024

_HANDMADE = (
    "order_id,customer_id,amount,status,created_at\n"
    "1,10,120.50,placed,2026-03-01T09:00:00Z\n"
    "2,11,,placed,2026-03-01T09:05:00Z\n"
    "3,12,NULL,placed,2026-03-01T09:10:00Z\n"
    "4,13,N/A,delivered,2026-03-01T09:15:00Z\n"
    "5,14,n/a,delivered,2026-03-01T09:20:00Z\n"
    "6,15,-,confirmed,2026-03-01T09:25:00Z\n"
    "7,16,1,234.50,placed,2026-03-01T09:30:00Z\n"
    "8,17,0.00,confirmed,2026-03-01T09:35:00Z\n"
    "9,18,-20.25,cancelled,2026-03-01T09:40:00Z\n"
    "10,19,99.99,delivered,2026-03-01T09:45:00Z\n"
    "10,19,99.99,delivered,2026-03-01T09:45:00Z\n"
    "11,20, 7.5 ,placed,2026-03-01T09:50:00Z\n"
    "12,21,2,500.00,confirmed,2026-03-01T09:55:00Z\n"
)
_HANDMADE_SUM = Decimal("307.73")  # 120.50 + 0.00 - 20.25 + 99.99 + 99.99 + 7.5

# Six amounts near 10**13-10**14: every float summation rounds the total to .75.
_LEDGER_AMOUNTS = ("37666263469906.87", "64636064807551.61", "21049248045033.53",
                   "24611682329190.13", "82104077165337.32", "65116046488003.32")


@cache
def _orders_text(rows: int) -> str:
    """A messy orders CSV from the course's generator (seeded: the same every time)."""
    import tempfile

    from depipe_course.data import write_orders_csv

    with tempfile.TemporaryDirectory(prefix="depipe-11-") as scratch:
        path = Path(scratch) / "orders.csv"
        write_orders_csv(path, rows, seed=11)
        return path.read_text(encoding="utf-8")


def _orders_file(tmp_path: Path, repeat: int = 1) -> Path:
    header, body = _orders_text(_SMALL_ROWS).split("\n", 1)
    path = tmp_path / f"orders-x{repeat}.csv"
    path.write_text(header + "\n" + body * repeat, encoding="utf-8")
    return path


@cache
def _expected_orders_sum() -> Decimal:
    rows = csv.reader(io.StringIO(_orders_text(_SMALL_ROWS)))
    header = next(rows)
    index = header.index("amount")
    return sum((Decimal(row[index]) for row in rows
                if len(row) == len(header) and row[index].strip() not in _NULLS), Decimal(0))


def _sum(sum_column: Callable[..., Any], path: Path, column: str = "amount") -> Any:
    return _call(sum_column, path, column)


def _expect_exact(got: Any, want: Decimal, what: str) -> None:
    expect(isinstance(got, Decimal), f"{what}: the sum must be a Decimal (floats lose cents)",
           expected="Decimal", seen=f"{type(got).__name__}: {got!r}")
    expect(got == want, f"{what}: the sum is not exact", expected=str(want), seen=str(got))


@summing.check("returns the exact Decimal sum of a messy generated file", points=2,
               hint="Read every field as text, skip empty cells, null spellings and malformed lines, "
                    "and add Decimal(cell): a float column rounds, and pd.read_csv stops at the "
                    "first malformed line unless told what to do with it.")
def _exact_generated(sum_column: Callable[..., Any], tmp_path: Path) -> None:
    _expect_exact(_sum(sum_column, _orders_file(tmp_path)), _expected_orders_sum(),
                  f"the {_SMALL_ROWS:,}-row orders file")


@summing.check("skips null spellings and malformed lines, keeps zero and negative amounts",
               points=2,
               hint="Skip '', 'NULL', 'N/A', 'n/a' and '-'; skip a row whose field count differs "
                    "from the header's (an unquoted '1,234.50' splits it); add everything else, "
                    "0.00 and -20.25 included.")
def _skips(sum_column: Callable[..., Any], tmp_path: Path) -> None:
    path = _write(tmp_path, "handmade.csv", _HANDMADE)
    _expect_exact(_sum(sum_column, path), _HANDMADE_SUM,
                  "120.50 + 0.00 - 20.25 + 99.99 + 99.99 + 7.5 (five nulls and two malformed lines skipped)")


@summing.check("exact to the cent for large totals", points=1,
               hint="round(float_total, 2) does not give the cents back: at 10**14 a float's "
                    "spacing is 1/64. Parse each cell with Decimal(cell).")
def _large(sum_column: Callable[..., Any], tmp_path: Path) -> None:
    lines = ["merchant_id,amount"] + [f"m{i},{a}" for i, a in enumerate(_LEDGER_AMOUNTS, start=1)]
    path = _write(tmp_path, "ledger.csv", "\n".join(lines) + "\n")
    want = sum((Decimal(a) for a in _LEDGER_AMOUNTS), Decimal(0))
    _expect_exact(_sum(sum_column, path), want, "six amounts near 10**14")


@summing.check("reads quoted fields", points=1,
               hint="Use the csv module (or pandas): line.split(',') keeps the quotes of a field "
                    "written as \"120.50\".")
def _quoted(sum_column: Callable[..., Any], tmp_path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for row in csv.reader(io.StringIO(_HANDMADE)):
        if len(row) == 5:
            writer.writerow(row)
    path = _write(tmp_path, "quoted.csv", buffer.getvalue())
    _expect_exact(_sum(sum_column, path), _HANDMADE_SUM, "a file with every field quoted")


@summing.check("sums any column; a missing column or a non-number raises ValueError", points=1,
               hint="Find the column's position in the header (a clear error when it is absent); "
                    "Decimal('abc') raises decimal.InvalidOperation, which is not a ValueError: "
                    "catch it and raise ValueError naming the line (or at least the value).")
def _column_and_errors(sum_column: Callable[..., Any], tmp_path: Path) -> None:
    path = _write(tmp_path, "handmade.csv", _HANDMADE)
    ids = _sum(sum_column, path, "customer_id")
    expect(ids == Decimal(168), "the sum of customer_id (its well-formed rows) is wrong",
           expected="168", seen=repr(ids))
    missing = _raised(sum_column, path, "price")
    expect(isinstance(missing, ValueError | KeyError) and "price" in str(missing),
           "a column the file does not have must raise an error naming it",
           expected="ValueError or KeyError mentioning 'price'", seen=_describe(missing))
    bad = _write(tmp_path, "bad.csv", _HANDMADE.replace("99.99,delivered", "ninety,delivered", 1))
    exc = _raised(sum_column, bad, "amount")
    expect(isinstance(exc, ValueError) and ("line 11" in str(exc) or "ninety" in str(exc)),
           "a cell that is not a number (line 11 holds 'ninety') must raise ValueError naming its "
           "line or the value, not be skipped or summed",
           expected="ValueError mentioning 'line 11' or 'ninety'", seen=_describe(exc))


@summing.check("constant memory: 10x the rows, about the same peak", points=3,
               hint="Hold a row (or a chunk of at most 1,000 rows) at a time: csv.reader, or "
                    "pd.read_csv(..., chunksize=1_000). Reading the whole file, with pandas or "
                    "list(reader), makes the peak grow with the file.")
def _constant_memory(sum_column: Callable[..., Any], tmp_path: Path) -> None:
    # Measured where the learner's code runs: its rows, frames and Arrow buffers are there.
    want = _expected_orders_sum()
    peaks = []
    for repeat in (1, _FACTOR):
        path = _orders_file(tmp_path, repeat)
        with _silent_logs():
            got, peak = measure_peak(sum_column, path, "amount")
        _expect_exact(got, want * repeat, f"the file repeated {repeat}x")
        peaks.append(peak)
    small, large = (peak.total for peak in peaks)
    expect(large <= 2 * small + 64 * 1024,
           f"the peak grew with the file: {_FACTOR}x the rows ({_SMALL_ROWS * _FACTOR:,}) should need "
           f"about the same memory as {_SMALL_ROWS:,}",
           expected=f"at most 2x the small file's {small // 1024:,} KiB",
           seen=f"{large // 1024:,} KiB ({large / max(small, 1):.1f}x)")
    expect_resident_flat(*peaks, _RESIDENT_SLACK, f"{_FACTOR}x the rows")
