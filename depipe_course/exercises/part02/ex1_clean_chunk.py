"""02.1: ``clean_chunk(df)`` returns a cleaned copy of one chunk of orders.

It keeps the first row of each order_id, positive amounts only, the four valid statuses
(after stripping and lower-casing), and created_at parsed to UTC in all three styles,
dropping dates it cannot parse; the input frame stays untouched and pandas stays silent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise
from depipe_course.exercises.part02._shared import ORDER_COLUMNS, _expect_frame, _ids, _worker_side
from depipe_course.judging.judge import fetch, in_worker

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
    given = in_worker(_chunk(rows))  # kept where clean_chunk runs, to see what it does to it
    before = fetch(given).copy(deep=True)
    clean_chunk(given)
    given = fetch(given)
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
    # Warnings are raised where clean_chunk runs: they are recorded there.
    seen = _worker_side().warnings_raised(clean_chunk, _chunk(rows))
    expect(not seen, "clean_chunk raised warnings (the first created_at of this chunk is unparseable)",
           expected="no warnings", seen=seen)
