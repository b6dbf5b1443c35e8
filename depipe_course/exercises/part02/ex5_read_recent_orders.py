"""02.5: ``read_recent_orders(parquet_dir, since_date, status)`` reads four columns of the recent orders with a status.

Beyond the right rows and columns, the filter and the projection must reach the scanner:
the checks make unreadable the partitions, the column and the row groups it should
never decode.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import _files, exercise
from depipe_course.exercises.part02._shared import _expect_frame, _ids

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
