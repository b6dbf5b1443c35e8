"""08.1: ``clean_orders(df)`` returns the valid orders of a raw export, and nothing else changes.

The learner drops duplicate order_ids (the first row wins), amounts that are not positive,
statuses outside the four valid ones (after stripping and lower-casing) and times that do
not parse; times become tz-aware UTC. The checks also demand a pure function: the input
frame untouched, no file, database or network call, no pandas warning.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise
from depipe_course.judging.codec import raised_as
from depipe_course.judging.judge import fetch, in_worker, learner_module

ORDER_COLUMNS = ["order_id", "customer_id", "amount", "status", "created_at"]
_TS = "2026-03-01T10:00:00Z"


def _frame(rows: list[tuple[Any, ...]], index: list[int] | None = None, amount_dtype: str = "float64") -> Any:
    """An input frame from ``(order_id, amount, status, created_at)`` rows, typed as read from a CSV.

    ``amount_dtype="str"`` gives the amounts as numeric text, as an export without a schema has them.
    """
    import pandas as pd

    ids, amounts, statuses, created = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "order_id": pd.Series(ids, dtype="int64"),
            "customer_id": pd.Series([500 + i for i in ids], dtype="int64"),
            "amount": pd.Series(amounts, dtype=amount_dtype),
            "status": pd.Series(statuses, dtype="str"),
            "created_at": pd.Series(created, dtype="str"),
        }
    ).set_axis(index if index is not None else range(len(rows)))


def _cleaned(clean_orders: Callable[..., Any], rows: list[tuple[Any, ...]], amount_dtype: str = "float64") -> Any:
    import pandas as pd

    out = clean_orders(_frame(rows, amount_dtype=amount_dtype))
    expect(isinstance(out, pd.DataFrame), "clean_orders must return a pandas DataFrame",
           expected="DataFrame", seen=type(out).__name__)
    missing = [c for c in ORDER_COLUMNS if c not in out.columns]
    expect(not missing, "the cleaned frame lost columns", expected=ORDER_COLUMNS, seen=list(out.columns))
    return out


def _ids(frame: Any) -> list[int]:
    return [int(v) for v in frame["order_id"]]


clean = exercise("08.1", "A pure clean_orders", ["clean_orders"])


@clean.check("drops duplicate order_ids, keeping the first", points=1,
             hint="df.drop_duplicates(subset='order_id', keep='first'), before any other rule.")
def _dedupes(clean_orders: Callable[..., Any]) -> None:
    out = _cleaned(clean_orders, [(1, 10.0, "placed", _TS), (1, 20.0, "placed", _TS),
                                  (2, 30.0, "delivered", _TS), (2, 40.0, "delivered", _TS)])
    expect_equal(_ids(out), [1, 2], "the list of order_ids left")
    expect_equal([float(a) for a in out["amount"]], [10.0, 30.0], "the amounts left (the first row of each id)")
    out = _cleaned(clean_orders, [(3, 0.0, "placed", _TS), (3, 15.0, "placed", _TS), (4, 5.0, "placed", _TS)])
    expect(_ids(out) == [4], "order 3's first row has amount 0, yet a later duplicate of it was kept",
           expected="[4]: the first row of an order_id wins, and later rows are dropped before the other rules",
           seen=_ids(out),
           hint="Drop the duplicates first (keep='first'), then apply the rules: filtering first lets a "
                "later duplicate stand in for the first row.")


@clean.check("keeps only positive amounts", points=1,
             hint="Keep amount > 0: an amount of 0, a negative one or a missing one is not a sale.")
def _positive(clean_orders: Callable[..., Any]) -> None:
    out = _cleaned(clean_orders, [(1, 0.0, "placed", _TS), (2, -5.0, "placed", _TS),
                                  (3, None, "placed", _TS), (4, 0.01, "placed", _TS),
                                  (5, 12.5, "placed", _TS)])
    expect_equal(_ids(out), [4, 5], "the list of order_ids left (amounts 0, -5 and missing must go)")
    out = _cleaned(clean_orders, [(1, "0", "placed", _TS), (2, "-5.00", "placed", _TS),
                                  (3, None, "placed", _TS), (4, "0.01", "placed", _TS),
                                  (5, "12.50", "placed", _TS)], amount_dtype="str")
    expect_equal(_ids(out), [4, 5], "the order_ids left when amount is numeric text ('0', '-5.00', '12.50')",
                 hint="Compare numbers, not text: pd.to_numeric(df['amount'], errors='coerce') > 0.")


@clean.check("normalises status and keeps the four valid ones", points=1,
             hint="Strip and lower-case first (.str.strip().str.lower()), then keep "
                  "placed/confirmed/delivered/cancelled with .isin(...).")
def _status(clean_orders: Callable[..., Any]) -> None:
    out = _cleaned(clean_orders, [(1, 1.0, " Delivered ", _TS), (2, 1.0, "PLACED", _TS),
                                  (3, 1.0, "Confirmed", _TS), (4, 1.0, "cancelled ", _TS),
                                  (5, 1.0, "deliverd", _TS), (6, 1.0, "shipped", _TS),
                                  (7, 1.0, None, _TS)])
    expect_equal(_ids(out), [1, 2, 3, 4], "the list of order_ids left (typos, unknown and missing statuses go)")
    expect_equal(list(out["status"]), ["delivered", "placed", "confirmed", "cancelled"],
                 "the status of each row after cleaning")


@clean.check("parses created_at to tz-aware UTC, offsets included", points=1,
             hint="pd.to_datetime(..., utc=True, format='ISO8601', errors='coerce') converts "
                  "'Z', '+05:30' and zone-less text to the same UTC clock.")
def _utc(clean_orders: Callable[..., Any]) -> None:
    import pandas as pd

    out = _cleaned(clean_orders, [(1, 1.0, "placed", "2026-03-01T10:00:00Z"),
                                  (2, 1.0, "placed", "2026-03-01T15:30:00+05:30"),
                                  (3, 1.0, "placed", "2026-03-01 10:00:00")])
    dtype = out["created_at"].dtype
    expect(isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC",
           "created_at must be a tz-aware UTC datetime column", expected="datetime64[us, UTC]", seen=str(dtype))
    expect_equal(_ids(out), [1, 2, 3], "the list of order_ids left (Z, +05:30 and no zone are all valid)")
    expect_equal(sorted({str(t) for t in out["created_at"]}), ["2026-03-01 10:00:00+00:00"],
                 "the instants (all three rows are 10:00 UTC)")


@clean.check("drops rows whose created_at cannot be parsed", points=1,
             hint="errors='coerce' turns what cannot be parsed into NaT; keep only the rows "
                  "where created_at is not NaT.")
def _bad_dates(clean_orders: Callable[..., Any]) -> None:
    out = _cleaned(clean_orders, [(1, 1.0, "placed", "2026-03-01T10:00:00Z"),
                                  (2, 1.0, "placed", "not-a-date"),
                                  (3, 1.0, "placed", "2026-02-30T10:00:00"),
                                  (4, 1.0, "placed", None),
                                  (5, 1.0, "placed", "2026-03-02 08:00:00")])
    expect_equal(_ids(out), [1, 5], "the list of order_ids left (unparseable and missing dates go)")


@clean.check("keeps valid rows in order, other columns included, under a fresh index", points=1,
             hint="Filter with one boolean mask, then .reset_index(drop=True); do not sort and do "
                  "not drop columns you were not asked to touch.")
def _shape(clean_orders: Callable[..., Any]) -> None:
    import pandas as pd

    given = _frame([(9, 5.0, "placed", _TS), (3, 0.0, "placed", _TS), (7, 6.0, "delivered", _TS),
                    (5, 7.0, "cancelled", _TS)], index=[40, 30, 20, 10]).assign(channel=["web", "app", "app", "web"])
    out = clean_orders(given)
    expect(isinstance(out, pd.DataFrame), "clean_orders must return a pandas DataFrame",
           expected="DataFrame", seen=type(out).__name__)
    expect_equal(_ids(out), [9, 7, 5], "the order_ids left, in input order")
    expect_equal(list(out.columns), [*ORDER_COLUMNS, "channel"], "the columns (extra ones kept, in place)")
    expect_equal(list(out["customer_id"]), [509, 507, 505], "the customer_id of each row")
    expect_equal(list(out.index), [0, 1, 2], "the index (a fresh 0..n-1)")


@clean.check("leaves the input frame unchanged", points=1,
             hint="Build new columns with .assign(...) on the filtered frame; never assign into the "
                  "frame you were given.")
def _pure(clean_orders: Callable[..., Any]) -> None:
    given = _frame([(1, "10.00", " Delivered ", "2026-03-01T15:30:00+05:30"), (1, "11", "placed", _TS),
                    (2, "0", "PLACED", "bad"), (3, "5.5", "shipped", "2026-03-01 10:00:00")], amount_dtype="str")
    given = in_worker(given)  # kept where clean_orders runs: fetched back to see what it did
    before = fetch(given).copy(deep=True)
    clean_orders(given)
    given = fetch(given)
    if not (given.equals(before) and list(given.dtypes) == list(before.dtypes)
            and list(given.columns) == list(before.columns)):
        changed = [c for c in before.columns if c not in given.columns or not given[c].equals(before[c])]
        added = [c for c in given.columns if c not in before.columns]
        fail("clean_orders changed the frame it was given", expected="the input untouched",
             seen=f"columns changed: {changed}, columns added: {added}")


def _worker_side() -> Any:
    """``_worker_side`` as ``clean_orders`` sees it: in the worker under the judge, else this process."""
    return learner_module("depipe_course.exercises.worker_side.part08")


@clean.check("does no I/O: no files, no database, no network", points=1,
             hint="clean_orders only transforms the frame it is given: reading the CSV and writing "
                  "the result belong to the thin I/O functions around it.")
def _no_io(clean_orders: Callable[..., Any], tmp_path: Path) -> None:
    attempts: list[str] = []
    with contextlib.chdir(tmp_path), _worker_side().io_refused(attempts.append):
        try:
            clean_orders(_frame([(1, 10.0, "placed", _TS), (2, 0.0, "placed", _TS)]))
        except Exception as exc:
            if not raised_as(exc, "IOAttempt"):  # the refusal itself ends the call; anything else is reported
                raise
    written = sorted(p.name for p in tmp_path.iterdir())
    expect(not attempts, "clean_orders tried to do I/O", expected="no file, database or network call",
           seen=", ".join(dict.fromkeys(attempts)))
    expect(not written, "clean_orders wrote files into the working folder", expected="no files", seen=written)


@clean.check("raises no pandas warnings", points=1,
             hint="Give to_datetime a format (format='ISO8601') and avoid inplace=True or chained "
                  "assignment: both warn under pandas 3.")
def _no_warnings(clean_orders: Callable[..., Any]) -> None:
    rows = [(1, 1.0, "placed", "not-a-date"), (2, 2.0, " Delivered ", "2026-03-01T10:00:00Z"),
            (3, 3.0, "placed", "2026-03-01T15:30:00+05:30"), (4, 4.0, None, None)]
    seen: list[str] = []
    with _worker_side().warnings_noted(seen.append):
        clean_orders(_frame(rows))
    expect(not seen, "clean_orders raised warnings", expected="no warnings", seen=seen)
