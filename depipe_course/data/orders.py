"""Orders the way real exports deliver them: mostly fine, with every classic mess.

Rows are generated in blocks with numpy, each block from its own seeded generator
(``default_rng([seed, block])``), so a 1 GB file streams out in constant memory.

The mess, each at a small rate (see ``Mess``): duplicate ``order_id``s, zero and
negative amounts, the five null spellings (``''``, ``NULL``, ``N/A``, ``n/a``,
``-``), status typos and case/whitespace variants, unparseable timestamps, three
timestamp styles mixing offsets (``Z``, ``+05:30``, naive), and malformed lines whose
amount carries an unquoted thousands separator (one field too many).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

ORDER_COLUMNS = ("order_id", "customer_id", "amount", "status", "created_at")
VALID_STATUSES = ("placed", "confirmed", "delivered", "cancelled")
NULL_SPELLINGS = ("", "NULL", "N/A", "n/a", "-")
STATUS_VARIANTS = (" Delivered ", "PLACED", "Confirmed", "cancelled ", " placed")
STATUS_TYPOS = ("deliverd", "canceled", "shipped", "pending", "placd")
BAD_TIMESTAMPS = ("not-a-date", "2026-02-30T10:00:00", "yesterday", "17/03/2026 10:00")

FIRST_ORDER_ID = 1_000_001
START = np.datetime64("2026-03-01T00:00:00", "s")
BLOCK_ROWS = 50_000


@dataclass(frozen=True)
class Mess:
    """Per-row probabilities of each kind of dirt; ``Mess.none()`` gives clean data."""

    duplicate_id: float = 0.01
    zero_amount: float = 0.005
    negative_amount: float = 0.005
    null_amount: float = 0.005
    status_variant: float = 0.10
    status_typo: float = 0.01
    null_status: float = 0.005
    bad_timestamp: float = 0.005
    null_timestamp: float = 0.003
    malformed_line: float = 0.002

    @classmethod
    def none(cls) -> Mess:
        return cls(*(0.0,) * 10)


def _block(seed: int, index: int, rows: int, days: int, mess: Mess) -> pd.DataFrame:
    """One block of rows as strings, exactly as they would sit in a CSV export."""
    import pandas as pd

    rng = np.random.default_rng([seed, index])
    first = FIRST_ORDER_ID + index * BLOCK_ROWS
    ids = np.arange(first, first + rows, dtype=np.int64)
    dup = rng.random(rows) < mess.duplicate_id
    dup[0] = False
    ids[dup] = ids[np.flatnonzero(dup) - 1]  # repeat the previous row's id
    cents = rng.integers(100, 500_000, rows)
    cents[rng.random(rows) < mess.zero_amount] = 0
    negative = rng.random(rows) < mess.negative_amount
    cents[negative] = -cents[negative]
    magnitude = np.abs(cents)
    amount = (
        pd.Series(np.where(cents < 0, "-", ""))
        + pd.Series(magnitude // 100).astype(str)
        + "."
        + pd.Series(magnitude % 100).astype(str).str.zfill(2)
    )
    status = pd.Series(np.array(VALID_STATUSES)[rng.integers(0, len(VALID_STATUSES), rows)])
    status = _sprinkle(rng, status, mess.status_variant, STATUS_VARIANTS)
    status = _sprinkle(rng, status, mess.status_typo, STATUS_TYPOS)
    status = _sprinkle(rng, status, mess.null_status, NULL_SPELLINGS)
    frame = pd.DataFrame(
        {
            "order_id": ids.astype(str),
            "customer_id": rng.integers(1, 50_001, rows).astype(str),
            "amount": _sprinkle(rng, amount, mess.null_amount, NULL_SPELLINGS),
            "status": status,
            "created_at": _timestamps(rng, rows, days, mess),
        }
    )
    return frame


def _timestamps(rng: np.random.Generator, rows: int, days: int, mess: Mess) -> pd.Series:
    import pandas as pd

    seconds = rng.integers(0, days * 86_400, rows)
    utc = START + seconds.astype("timedelta64[s]")
    style = rng.integers(0, 3, rows)
    zulu = pd.Series(utc.astype(str)) + "Z"
    india = pd.Series((utc + np.timedelta64(19_800, "s")).astype(str)) + "+05:30"
    naive = pd.Series(utc.astype(str)).str.replace("T", " ", regex=False)
    text = zulu.where(style == 0, india.where(style == 1, naive))
    text = _sprinkle(rng, text, mess.bad_timestamp, BAD_TIMESTAMPS)
    return _sprinkle(rng, text, mess.null_timestamp, NULL_SPELLINGS)


def _sprinkle(rng: np.random.Generator, values: pd.Series, rate: float, choices: tuple[str, ...]) -> pd.Series:
    hit = rng.random(len(values)) < rate
    if not hit.any():
        return values
    out = values.copy()
    out[hit] = np.array(choices)[rng.integers(0, len(choices), int(hit.sum()))]
    return out


def _blocks(rows: int | None, seed: int, days: int, mess: Mess) -> Iterator[pd.DataFrame]:
    index = 0
    while rows is None or index * BLOCK_ROWS < rows:
        size = BLOCK_ROWS if rows is None else min(BLOCK_ROWS, rows - index * BLOCK_ROWS)
        yield _block(seed, index, size, days, mess)
        index += 1


def messy_orders_frame(rows: int = 1_000, seed: int = 0, *, days: int = 30, mess: Mess | None = None) -> pd.DataFrame:
    """The rows of ``write_orders_csv`` as a DataFrame of strings (no malformed lines)."""
    import pandas as pd

    return pd.concat(list(_blocks(rows, seed, days, mess or Mess())), ignore_index=True)


def _csv_lines(block: pd.DataFrame, rng: np.random.Generator, rate: float) -> str:
    text = block.to_csv(header=False, index=False, lineterminator="\n")
    if rate <= 0:
        return text
    lines = text.splitlines(keepends=True)
    for at in np.flatnonzero(rng.random(len(lines)) < rate):
        order_id, customer_id, _, status, created = lines[at].rstrip("\n").split(",")
        lines[at] = f"{order_id},{customer_id},1,234.50,{status},{created}\n"
    return "".join(lines)


def write_orders_csv(
    path: Path | str,
    rows: int | None = 1_000,
    seed: int = 0,
    *,
    size_bytes: int | None = None,
    days: int = 30,
    mess: Mess | None = None,
) -> int:
    """Write a messy orders CSV of ``rows`` rows, or of at least ``size_bytes``.

    Returns the number of data lines written (malformed ones included).
    """
    mess = mess or Mess()
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(ORDER_COLUMNS) + "\n")
        for index, block in enumerate(_blocks(None if size_bytes else rows, seed, days, mess)):
            rng = np.random.default_rng([seed, index, 1])
            out.write(_csv_lines(block, rng, mess.malformed_line))
            written += len(block)
            if size_bytes and out.tell() >= size_bytes:
                break
    return written


def write_orders_ndjson(
    path: Path | str,
    rows: int = 1_000,
    seed: int = 0,
    *,
    days: int = 30,
    mess: Mess | None = None,
    bad_line_rate: float = 0.0,
) -> int:
    """Write orders as NDJSON (one object per line), optionally with broken lines.

    Null spellings become JSON ``null``; ``bad_line_rate`` adds blank lines and
    truncated JSON the way a half-written export has them.
    """
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        for index, block in enumerate(_blocks(rows, seed, days, mess or Mess())):
            rng = np.random.default_rng([seed, index, 2])
            for record in block.to_dict("records"):
                record = {k: (None if v in NULL_SPELLINGS and k != "status" else v) for k, v in record.items()}
                record["order_id"] = int(record["order_id"])
                record["customer_id"] = int(record["customer_id"])
                line = json.dumps(record)
                roll = rng.random()
                if roll < bad_line_rate / 2:
                    out.write("\n")
                elif roll < bad_line_rate:
                    line = line[: len(line) // 2]
                out.write(line + "\n")
                written += 1
    return written


def clean_orders_table(rows: int = 1_000, seed: int = 0, *, days: int = 30) -> pa.Table:
    """Valid, typed orders with a ``date`` column: input for the Parquet exercises."""
    import pandas as pd
    import pyarrow as pa

    frame = messy_orders_frame(rows, seed, days=days, mess=Mess.none())
    created = pd.to_datetime(frame["created_at"], utc=True, format="ISO8601")
    cents = (frame["amount"].str.replace(".", "", regex=False)).astype("int64")
    from decimal import Decimal

    return pa.table(
        {
            "order_id": pa.array(frame["order_id"].astype("int64")),
            "customer_id": pa.array(frame["customer_id"].astype("int64")),
            "amount": pa.array([Decimal(int(c)).scaleb(-2) for c in cents], pa.decimal128(10, 2)),
            "status": pa.array(frame["status"].tolist(), pa.string()),
            "created_at": pa.array(created, pa.timestamp("us", tz="UTC")),
            "date": pa.array(created.dt.strftime("%Y-%m-%d").tolist(), pa.string()),
        }
    )


def write_partitioned_orders(base: Path | str, rows: int = 3_000, seed: int = 0, *, days: int = 30) -> None:
    """A hive-partitioned dataset ``base/date=YYYY-MM-DD/*.parquet`` of clean orders."""
    import pyarrow.parquet as pq

    pq.write_to_dataset(
        clean_orders_table(rows, seed, days=days),
        root_path=str(base),
        partition_cols=["date"],
        existing_data_behavior="delete_matching",
    )


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMG]?B)?\s*$", re.IGNORECASE)
_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9}


def parse_size(text: str) -> int:
    """``'100MB'`` → 100_000_000 (decimal units, as disks and clouds count)."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"size must look like 500KB, 100MB or 1GB, got {text!r}")
    return int(float(match.group(1)) * _UNITS[(match.group(2) or "B").upper()])
