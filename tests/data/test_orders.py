"""depipe_course.data.orders: seeded, messy, and streamable to any size."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pandas as pd
import pytest

from depipe_course.data import (
    VALID_STATUSES,
    clean_orders_table,
    messy_orders_frame,
    parse_size,
    write_orders_csv,
    write_orders_ndjson,
)


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    """Two files made with the same seed are byte-identical; another seed differs."""
    a, b, c = (tmp_path / n for n in "abc")
    write_orders_csv(a, 2_000, seed=3)
    write_orders_csv(b, 2_000, seed=3)
    write_orders_csv(c, 2_000, seed=4)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()


def test_every_kind_of_mess_is_present() -> None:
    """Duplicates, non-positive amounts, null spellings, bad statuses and timestamps all occur."""
    df = messy_orders_frame(20_000, seed=0)
    amounts = pd.to_numeric(df["amount"], errors="coerce")
    assert df["order_id"].duplicated().any()
    assert (amounts == 0).any() and (amounts < 0).any()
    assert {"", "NULL", "N/A", "n/a", "-"} <= set(df["amount"])
    assert (~df["status"].isin(VALID_STATUSES)).any()
    assert df["status"].str.strip().str.lower().isin(VALID_STATUSES).mean() > 0.95
    ts = df["created_at"]
    assert ts.str.endswith("Z").any() and ts.str.endswith("+05:30").any() and ts.str.contains(" ").any()
    assert pd.to_datetime(ts, utc=True, errors="coerce", format="ISO8601").isna().any()


def test_malformed_lines_have_one_field_too_many(tmp_path: Path) -> None:
    """Malformed lines are skipped by pandas as bad lines, and only those."""
    path = tmp_path / "o.csv"
    rows = write_orders_csv(path, 20_000, seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = pd.read_csv(path, dtype=str, keep_default_na=False, on_bad_lines="warn")
    skipped = sum(str(w.message).count("Skipping line") for w in caught)
    assert skipped > 0 and len(df) + skipped == rows


def test_size_target(tmp_path: Path) -> None:
    """A size target writes at least that many bytes and stops soon after."""
    path = tmp_path / "o.csv"
    write_orders_csv(path, None, seed=0, size_bytes=3_000_000)
    assert 3_000_000 <= path.stat().st_size < 6_500_000


def test_ndjson_lines_parse_except_the_broken_ones(tmp_path: Path) -> None:
    """NDJSON has one object per line; bad_line_rate adds blank and truncated lines."""
    path = tmp_path / "o.ndjson"
    write_orders_ndjson(path, 2_000, seed=0, bad_line_rate=0.01)
    frame = pd.read_json(io.StringIO("".join(
        line for line in path.read_text().splitlines(keepends=True) if line.strip().endswith("}"))), lines=True)
    assert 1_900 < len(frame) < 2_000


def test_clean_table_is_typed_for_parquet() -> None:
    """The clean table has the Parquet exercises' exact schema plus a date column."""
    table = clean_orders_table(100)
    assert str(table.schema.field("amount").type) == "decimal128(10, 2)"
    assert str(table.schema.field("created_at").type) == "timestamp[us, tz=UTC]"
    assert table.num_rows == 100


@pytest.mark.parametrize(("text", "size"), [("500KB", 500_000), ("100MB", 10**8), ("1GB", 10**9), ("42", 42)])
def test_parse_size(text: str, size: int) -> None:
    """Sizes use decimal units, as disks and clouds count them."""
    assert parse_size(text) == size


def test_parse_size_rejects_nonsense() -> None:
    """An unreadable size says what sizes look like."""
    with pytest.raises(ValueError, match="500KB, 100MB or 1GB"):
        parse_size("lots")
