"""depipe_course.exercises._files: part 02's fixtures say what they claim to hold."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from depipe_course.data import clean_orders_table
from depipe_course.exercises import _files
from solutions.part02 import process_orders_in_chunks

CASES = [_files.BASIC, _files.NULLS, _files.MALFORMED, _files.WHOLE_NUMBERS]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_line_counts_match_the_text(case: _files.CsvCase) -> None:
    """rows_read counts the five-field lines and bad_lines the others, as the csv module sees them."""
    rows = list(csv.reader(io.StringIO(case.text)))[1:]
    assert sum(len(row) == 5 for row in rows) == case.rows_read
    assert sum(len(row) != 5 for row in rows) == case.bad_lines


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_expected_figures_agree_with_the_reference(case: _files.CsvCase, tmp_path: Path) -> None:
    """The hand-written counts and ids are what the reference chunked reader produces."""
    written: list = []
    stats = process_orders_in_chunks(case.write(tmp_path), written.append, chunk_size=case.chunk_size)
    assert stats == {"rows_read": case.rows_read, "rows_written": case.rows_written,
                     "chunks": len(written), "bad_lines": case.bad_lines}
    assert sorted(int(i) for frame in written for i in frame["order_id"]) == list(case.written_ids)


def test_repeated_orders_csv_has_the_rows_asked_for(tmp_path: Path) -> None:
    """The repeated file holds exactly the requested number of data lines and reports its size."""
    path = tmp_path / "big.csv"
    size = _files.repeated_orders_csv(path, 20_000)
    assert size == path.stat().st_size
    assert len(path.read_text(encoding="utf-8").splitlines()) == 20_001


def test_drifting_csv_switches_from_whole_numbers_to_cents(tmp_path: Path) -> None:
    """The first whole_rows amounts have no decimal point; every later one has cents."""
    path = _files.drifting_orders_csv(tmp_path / "drift.csv", rows=30, whole_rows=20)
    amounts = [row[2] for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8")))][1:]
    assert all("." not in a for a in amounts[:20])
    assert all(a.endswith(".50") for a in amounts[20:])


def test_well_formed_lines_drops_six_field_lines() -> None:
    """Only the lines with five fields are kept, split into fields."""
    lines = _files.well_formed_lines(_files.MALFORMED.text)
    assert [row[0] for row in lines] == ["3001", "3003", "3005"]


def test_two_row_group_dataset_separates_cancelled_orders(tmp_path: Path) -> None:
    """Every day's file has row group 0 without cancelled orders and row group 1 with only them."""
    table = clean_orders_table(600, seed=5, days=3)
    dates = _files.write_two_row_group_dataset(tmp_path, table)
    assert dates == sorted(set(table.column("date").to_pylist()))
    for day in dates:
        parquet = pq.ParquetFile(tmp_path / f"date={day}" / "part-0.parquet")
        assert parquet.metadata.num_row_groups == 2
        first, second = (parquet.read_row_group(i, columns=["status"]).column(0).to_pylist() for i in (0, 1))
        assert "cancelled" not in first
        assert set(second) == {"cancelled"}


def test_trapped_pages_keep_the_footer_and_break_only_their_columns(tmp_path: Path) -> None:
    """After trapping created_at, metadata and other columns read fine and created_at fails."""
    path = tmp_path / "orders.parquet"
    pq.write_table(clean_orders_table(500, seed=1), path, row_group_size=200)
    overwritten = _files.trap_pages(path, columns={"created_at"}, row_groups={1})
    assert overwritten > 0
    assert pq.read_metadata(path).num_rows == 500
    assert pq.read_table(path, columns=["order_id", "status"]).num_rows == 500
    assert pq.ParquetFile(path).read_row_group(0, columns=["created_at"]).num_rows == 200
    with pytest.raises((OSError, pa.ArrowException)):
        pq.ParquetFile(path).read_row_group(1, columns=["created_at"])
