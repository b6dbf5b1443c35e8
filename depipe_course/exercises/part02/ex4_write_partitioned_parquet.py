"""02.4: ``write_partitioned_parquet(df, base_path)`` writes one ``date=YYYY-MM-DD`` folder per day.

Every row lands in its own day's folder, and the write is idempotent: running it twice,
or rewriting one day, replaces that day's rows and leaves the other days alone.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise

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
