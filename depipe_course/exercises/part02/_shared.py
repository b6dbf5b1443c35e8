"""What two or more of part 02's exercises use: the order columns, the checks that a result
is a DataFrame and which order_ids it holds, typed orders to write, the bucket name, the
helpers in the learner's process, and the comparison of peak memory on a small and a big file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from depipe_course.checking import expect
from depipe_course.exercises._memory import mib

ORDER_COLUMNS = ["order_id", "customer_id", "amount", "status", "created_at"]


def _expect_frame(value: Any, what: str) -> None:
    import pandas as pd

    expect(isinstance(value, pd.DataFrame), f"{what} must return a pandas DataFrame",
           expected="DataFrame", seen=type(value).__name__)


def _ids(frame: Any) -> list[int]:
    return sorted(int(v) for v in frame["order_id"])


def _typed_orders(rows: int = 250, *, floats: bool) -> Any:
    """Clean orders as a DataFrame (amount as Decimal or as float), without the date column."""
    from depipe_course.data import clean_orders_table

    frame = clean_orders_table(rows, seed=2).to_pandas().drop(columns=["date"])
    if floats:
        frame["amount"] = frame["amount"].astype("float64")
    return frame


_BUCKET = "course-data"


def _worker_side() -> Any:
    """``_worker_side``: what the checks set up or watch where the learner's code runs (its docstring says why)."""
    from depipe_course.judging.judge import learner_module

    return learner_module("depipe_course.exercises.worker_side.part02")


def _grows_with_the_file(fn: Callable[..., Any], small: Path, big: Path, what: str, resident_slack: int,
                         *args: Any, **kwargs: Any) -> None:
    """Fail if ``fn``'s peak memory on ``big`` clearly exceeds its peak on ``small``.

    Constant memory means the peak does not depend on the file's size. Both files
    hold several chunks (or blocks), so a reader that streams peaks the same on
    both, while one that holds the file peaks about four times higher on the big one. A
    first call on the small file comes before both measures: what only a first call
    costs (imports, Arrow's pool and threads, pandas' caches) is not the file's. The
    kernel may see the process peak at most ``resident_slack`` higher on the big file.
    """
    from depipe_course.exercises._memory import expect_resident_flat, measure_peak

    fn(small, *args, **kwargs)
    _, on_small = measure_peak(fn, small, *args, **kwargs)
    _, on_big = measure_peak(fn, big, *args, **kwargs)
    limit = int(1.2 * on_small.total) + 2**20
    expect(on_big.total <= limit,
           f"your function's memory grew with the file ({what}): on the "
           f"{small.stat().st_size / 1e6:.1f} MB file it peaked at {on_small}, on the "
           f"{big.stat().st_size / 1e6:.1f} MB file at {on_big}",
           expected=f"about the same peak on both (at most {mib(limit)})", seen=str(on_big))
    expect_resident_flat(on_small, on_big, resident_slack, f"the {big.stat().st_size / 1e6:.1f} MB file ({what})")
