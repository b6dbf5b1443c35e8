"""Wrong answers for part 02: the mistakes its checks must catch."""

from __future__ import annotations

import io
import shutil
import uuid
import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from solutions.part02 import (
    CSV_COLUMN_TYPES,
    CSV_NULL_MARKERS,
    NULL_MARKERS,
    ORDER_DTYPES,
    ORDERS_SCHEMA,
    VALID_STATUSES,
    clean_chunk,
    exact_amounts,
)
from tests.wrong_versions import wrong

Writer = Callable[[pd.DataFrame], Any]

# ---------------------------------------------------------------- 02.1 clean_chunk


def _clean(df: pd.DataFrame, *, status: pd.Series, created_at: pd.Series, amount_ok: pd.Series) -> pd.DataFrame:
    return df.assign(status=status, created_at=created_at).loc[
        amount_ok & status.isin(VALID_STATUSES) & created_at.notna()
    ]


@wrong("02.1", "no status normalisation", catches="normalises status and keeps the four valid ones",
       requirement="status normalised: spaces stripped, lower-cased")
def clean_chunk_raw_status(df: pd.DataFrame) -> pd.DataFrame:
    out = df.drop_duplicates(subset="order_id")
    created = pd.to_datetime(out["created_at"], utc=True, format="ISO8601", errors="coerce")
    return _clean(out, status=out["status"], created_at=created, amount_ok=out["amount"] > 0)


@wrong("02.1", "to_datetime without errors='coerce'", catches="drops rows whose created_at cannot be parsed",
       requirement="rows whose created_at cannot be parsed are dropped")
def clean_chunk_no_coerce(df: pd.DataFrame) -> pd.DataFrame:
    out = df.drop_duplicates(subset="order_id")
    status = out["status"].str.strip().str.lower()
    created = pd.to_datetime(out["created_at"], utc=True, format="ISO8601")
    return _clean(out, status=status, created_at=created, amount_ok=out["amount"] > 0)


@wrong("02.1", "amount >= 0", catches="keeps only positive amounts",
       requirement="only amount > 0: zero, negative and missing amounts go")
def clean_chunk_keeps_zero(df: pd.DataFrame) -> pd.DataFrame:
    out = df.drop_duplicates(subset="order_id")
    status = out["status"].str.strip().str.lower()
    created = pd.to_datetime(out["created_at"], utc=True, format="ISO8601", errors="coerce")
    return _clean(out, status=status, created_at=created, amount_ok=out["amount"] >= 0)


def _clean_guessing_format(df: pd.DataFrame) -> pd.DataFrame:
    out = df.drop_duplicates(subset="order_id")
    status = out["status"].str.strip().str.lower()
    created = pd.to_datetime(out["created_at"], utc=True, errors="coerce")
    return _clean(out, status=status, created_at=created, amount_ok=out["amount"] > 0)


wrong("02.1", "coerce without a format drops other styles",
      catches="parses created_at to tz-aware UTC in all three styles",
      requirement="created_at ending in Z, in an offset or with no zone (UTC) is valid")(_clean_guessing_format)
wrong("02.1", "coerce without a format warns", catches="raises no pandas warnings",
      requirement="no pandas warnings")(_clean_guessing_format)


@wrong("02.1", "no utc=True", catches="parses created_at to tz-aware UTC in all three styles",
       requirement="created_at a tz-aware UTC datetime column")
def clean_chunk_no_utc(df: pd.DataFrame) -> pd.DataFrame:
    out = df.drop_duplicates(subset="order_id")
    status = out["status"].str.strip().str.lower()
    created = pd.to_datetime(out["created_at"], format="ISO8601", errors="coerce")
    return _clean(out, status=status, created_at=created, amount_ok=out["amount"] > 0)


@wrong("02.1", "assigns into the caller's frame", catches="leaves the input frame unchanged",
       requirement="the frame it is given is not changed")
def clean_chunk_mutates(df: pd.DataFrame) -> pd.DataFrame:
    df["status"] = df["status"].str.strip().str.lower()
    df["created_at"] = pd.to_datetime(df["created_at"], utc=True, format="ISO8601", errors="coerce")
    out = df.drop_duplicates(subset="order_id")
    return out[(out["amount"] > 0) & out["status"].isin(VALID_STATUSES) & out["created_at"].notna()]


@wrong("02.1", "keep='last'", catches="drops duplicate order_ids, keeping the first",
       requirement="duplicate order_ids dropped, keeping the first row of each")
def clean_chunk_keeps_last(df: pd.DataFrame) -> pd.DataFrame:
    return clean_chunk(df.iloc[::-1]).iloc[::-1]


@wrong("02.1", "inplace fillna on a column", catches="raises no pandas warnings",
       requirement="no pandas warnings")
def clean_chunk_chained_inplace(df: pd.DataFrame) -> pd.DataFrame:
    out = clean_chunk(df)
    out["status"].fillna("placed", inplace=True)  # pandas 3: does nothing, warns
    return out


def _clean_with(df: pd.DataFrame, *, out: pd.DataFrame | None = None, keep_status: bool = False,
                naive: bool = False, keep_nat: bool = False, amount_ok: Callable[[pd.Series], pd.Series] | None = None
                ) -> pd.DataFrame:
    """The reference's steps with one of them changed."""
    out = df.drop_duplicates(subset="order_id", keep="first") if out is None else out
    amount = pd.to_numeric(out["amount"], errors="coerce")
    status = out["status"].str.strip().str.lower()
    created = pd.to_datetime(out["created_at"], utc=True, format="ISO8601", errors="coerce")
    if naive:
        created = created.dt.tz_localize(None)
    valid = amount_ok(amount) if amount_ok is not None else amount > 0
    if not keep_status:
        valid &= status.isin(VALID_STATUSES)
    if not keep_nat:
        valid &= created.notna()
    return out.assign(amount=amount, status=status, created_at=created).loc[valid]


@wrong("02.1", "keeps every status once normalised", catches="normalises status and keeps the four valid ones",
       requirement="only placed, confirmed, delivered and cancelled kept")
def clean_chunk_any_status(df: pd.DataFrame) -> pd.DataFrame:
    return _clean_with(df, keep_status=True)


@wrong("02.1", "naive timestamps (UTC, zone dropped)", catches="parses created_at to tz-aware UTC in all three styles",
       requirement="created_at a tz-aware UTC datetime column")
def clean_chunk_naive(df: pd.DataFrame) -> pd.DataFrame:
    return _clean_with(df, naive=True)


@wrong("02.1", "coerces but keeps the NaT rows", catches="drops rows whose created_at cannot be parsed",
       requirement="rows whose created_at cannot be parsed are dropped")
def clean_chunk_keeps_nat(df: pd.DataFrame) -> pd.DataFrame:
    return _clean_with(df, keep_nat=True)


@wrong("02.1", "~(amount <= 0) keeps missing amounts", catches="keeps only positive amounts",
       requirement="only amount > 0: zero, negative and missing amounts go")
def clean_chunk_keeps_missing_amount(df: pd.DataFrame) -> pd.DataFrame:
    return _clean_with(df, amount_ok=lambda amount: ~(amount <= 0))


@wrong("02.1", "drop_duplicates() on whole rows", catches="drops duplicate order_ids, keeping the first",
       requirement="duplicate order_ids dropped, keeping the first row of each")
def clean_chunk_whole_row_duplicates(df: pd.DataFrame) -> pd.DataFrame:
    return _clean_with(df, out=df.drop_duplicates())


@wrong("02.1", "drop_duplicates(inplace=True) on the input", catches="leaves the input frame unchanged",
       requirement="the frame it is given is not changed")
def clean_chunk_dedupes_in_place(df: pd.DataFrame) -> pd.DataFrame:
    df.drop_duplicates(subset="order_id", keep="first", inplace=True)
    return _clean_with(df, out=df)


# ---------------------------------------------------------------- 02.2 process_orders_in_chunks


def _stats(rows_read: int, rows_written: int, chunks: int, bad_lines: int = 0) -> dict[str, int]:
    return {"rows_read": rows_read, "rows_written": rows_written, "chunks": chunks, "bad_lines": bad_lines}


@wrong("02.2", "whole-file read_csv", catches="keeps memory flat: never reads the whole file",
       requirement="memory stays flat: never the whole file at once")
def process_whole_file(filepath: Path | str, write_chunk: Writer, chunk_size: int = 100_000) -> dict:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        df = pd.read_csv(filepath, dtype=ORDER_DTYPES, na_values=NULL_MARKERS, keep_default_na=False,
                         on_bad_lines="warn")
    bad = sum(str(w.message).count("Skipping line") for w in caught)
    written = 0
    for start in range(0, len(df), chunk_size):
        cleaned = clean_chunk(df.iloc[start:start + chunk_size])
        write_chunk(cleaned)
        written += len(cleaned)
    return _stats(len(df), written, -(-len(df) // chunk_size), bad)


@wrong("02.2", "collects every chunk before writing", catches="keeps memory flat: never reads the whole file",
       requirement="memory stays flat: never the whole file at once")
def process_collects_chunks(filepath: Path | str, write_chunk: Writer, chunk_size: int = 100_000) -> dict:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        with pd.read_csv(filepath, chunksize=chunk_size, dtype=ORDER_DTYPES, na_values=NULL_MARKERS,
                         keep_default_na=False, on_bad_lines="warn") as reader:
            chunks = list(reader)
    cleaned = [clean_chunk(c) for c in chunks]
    for frame in cleaned:
        write_chunk(frame)
    bad = sum(str(w.message).count("Skipping line") for w in caught)
    return _stats(sum(map(len, chunks)), sum(map(len, cleaned)), len(chunks), bad)


def _chunked(filepath: Path | str, write_chunk: Writer, chunk_size: int, **read: Any) -> dict:
    options = {"dtype": ORDER_DTYPES, "na_values": NULL_MARKERS, "keep_default_na": False,
               "on_bad_lines": "warn", **read}
    stats = _stats(0, 0, 0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        with pd.read_csv(filepath, chunksize=chunk_size, **options) as reader:
            for chunk in reader:
                cleaned = clean_chunk(chunk)
                write_chunk(cleaned)
                stats["rows_read"] += len(chunk)
                stats["rows_written"] += len(cleaned)
                stats["chunks"] += 1
    stats["bad_lines"] = sum(str(w.message).count("Skipping line") for w in caught)
    return stats


@wrong("02.2", "no na_values", catches="reads the five null markers as missing",
       requirement="the five null markers read as missing")
def process_default_nulls(filepath: Path | str, write_chunk: Writer, chunk_size: int = 100_000) -> dict:
    return _chunked(filepath, write_chunk, chunk_size, na_values=None, keep_default_na=True)


@wrong("02.2", "no dtypes", catches="declares dtypes: amount is a float in every chunk",
       requirement="explicit dtypes: the same types in every chunk")
def process_inferred_dtypes(filepath: Path | str, write_chunk: Writer, chunk_size: int = 100_000) -> dict:
    return _chunked(filepath, write_chunk, chunk_size, dtype=None)


@wrong("02.2", "default on_bad_lines='error'", catches="skips and counts malformed lines",
       requirement="malformed lines skipped")
def process_fails_on_bad_lines(filepath: Path | str, write_chunk: Writer, chunk_size: int = 100_000) -> dict:
    return _chunked(filepath, write_chunk, chunk_size, on_bad_lines="error")


@wrong("02.2", "skips bad lines without counting", catches="skips and counts malformed lines",
       requirement="bad_lines counts the malformed lines skipped")
def process_uncounted_bad_lines(filepath: Path | str, write_chunk: Writer, chunk_size: int = 100_000) -> dict:
    return _chunked(filepath, write_chunk, chunk_size, on_bad_lines="skip")


@wrong("02.2", "counts rows after cleaning as read", catches="counts rows read and written",
       requirement="rows_read counts rows parsed, before cleaning")
def process_miscounts(filepath: Path | str, write_chunk: Writer, chunk_size: int = 100_000) -> dict:
    stats = _chunked(filepath, write_chunk, chunk_size)
    return {**stats, "rows_read": stats["rows_written"]}


@wrong("02.2", "never calls write_chunk",
       catches="reads in chunks of chunk_size and hands each cleaned chunk to write_chunk",
       requirement="each cleaned chunk handed to write_chunk")
def process_forgets_to_write(filepath: Path | str, write_chunk: Writer, chunk_size: int = 100_000) -> dict:
    return _chunked(filepath, lambda chunk: None, chunk_size)


@wrong("02.2", "chunksize hard-coded", catches="reads in chunks of chunk_size and hands each cleaned chunk to "
       "write_chunk", requirement="read in chunks of chunk_size rows")
def process_fixed_chunks(filepath: Path | str, write_chunk: Writer, chunk_size: int = 100_000) -> dict:
    return _chunked(filepath, write_chunk, 100_000)


@wrong("02.2", "hands the raw chunk to write_chunk", catches="reads in chunks of chunk_size and hands each cleaned "
       "chunk to write_chunk", requirement="each chunk cleaned with clean_chunk")
def process_writes_raw(filepath: Path | str, write_chunk: Writer, chunk_size: int = 100_000) -> dict:
    stats = _chunked(filepath, lambda chunk: None, chunk_size)
    with pd.read_csv(filepath, chunksize=chunk_size, dtype=ORDER_DTYPES, na_values=NULL_MARKERS,
                     keep_default_na=False, on_bad_lines="skip") as reader:
        for chunk in reader:
            write_chunk(chunk)
    return stats


@wrong("02.2", "rows_written counts rows read", catches="counts rows read and written",
       requirement="rows_written counts rows handed to write_chunk")
def process_written_is_read(filepath: Path | str, write_chunk: Writer, chunk_size: int = 100_000) -> dict:
    stats = _chunked(filepath, write_chunk, chunk_size)
    return {**stats, "rows_written": stats["rows_read"]}


@wrong("02.2", "chunks never counted", catches="reads in chunks of chunk_size and hands each cleaned chunk to "
       "write_chunk", requirement="chunks counts the write_chunk calls")
def process_no_chunk_count(filepath: Path | str, write_chunk: Writer, chunk_size: int = 100_000) -> dict:
    return {**_chunked(filepath, write_chunk, chunk_size), "chunks": 0}


@wrong("02.2", "counts ParserWarnings, not the lines they name", catches="skips and counts malformed lines",
       requirement="bad_lines counts the malformed lines skipped")
def process_counts_warnings(filepath: Path | str, write_chunk: Writer, chunk_size: int = 100_000) -> dict:
    stats = _stats(0, 0, 0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        with pd.read_csv(filepath, chunksize=chunk_size, dtype=ORDER_DTYPES, na_values=NULL_MARKERS,
                         keep_default_na=False, on_bad_lines="warn") as reader:
            for chunk in reader:
                cleaned = clean_chunk(chunk)
                write_chunk(cleaned)
                stats["rows_read"] += len(chunk)
                stats["rows_written"] += len(cleaned)
                stats["chunks"] += 1
    stats["bad_lines"] = sum(1 for w in caught if issubclass(w.category, pd.errors.ParserWarning))
    return stats


# ---------------------------------------------------------------- 02.3 write_orders_to_parquet

_WRITE = {"compression": "snappy", "write_statistics": True}


@wrong("02.3", "from_pandas straight from a float column", catches="stores exact decimal amounts, also from floats",
       requirement="amounts exact decimals, also when the frame holds floats")
def write_parquet_float_to_decimal(df: pd.DataFrame, output_path: Path | str, row_group_size: int = 100_000) -> None:
    table = pa.Table.from_pandas(df[ORDERS_SCHEMA.names], schema=ORDERS_SCHEMA, preserve_index=False)
    pq.write_table(table, output_path, row_group_size=row_group_size, **_WRITE)


@wrong("02.3", "no explicit schema", catches="writes the explicit schema",
       requirement="the explicit schema: int64 ids, decimal128(10, 2) amount, string status, UTC timestamps")
def write_parquet_inferred(df: pd.DataFrame, output_path: Path | str, row_group_size: int = 100_000) -> None:
    frame = df.assign(amount=exact_amounts(df["amount"]))
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, output_path, row_group_size=row_group_size, **_WRITE)


@wrong("02.3", "Decimal(float) without quantize", catches="stores exact decimal amounts, also from floats",
       requirement="amounts exact decimals, also when the frame holds floats")
def write_parquet_binary_decimals(df: pd.DataFrame, output_path: Path | str, row_group_size: int = 100_000) -> None:
    frame = df[ORDERS_SCHEMA.names].assign(amount=[Decimal(v) for v in df["amount"]])
    table = pa.Table.from_pandas(frame, schema=ORDERS_SCHEMA, preserve_index=False)
    pq.write_table(table, output_path, row_group_size=row_group_size, **_WRITE)


@wrong("02.3", "keeps the index", catches="keeps every row and only the five columns",
       requirement="every row, and only the five columns (no index)")
def write_parquet_with_index(df: pd.DataFrame, output_path: Path | str, row_group_size: int = 100_000) -> None:
    frame = df[ORDERS_SCHEMA.names].assign(amount=exact_amounts(df["amount"]))
    schema = ORDERS_SCHEMA.append(pa.field("__index_level_0__", pa.int64()))
    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=True)
    pq.write_table(table, output_path, row_group_size=row_group_size, **_WRITE)


@wrong("02.3", "ignores row_group_size", catches="splits the file into row groups of row_group_size",
       requirement="row groups of row_group_size rows")
def write_parquet_one_row_group(df: pd.DataFrame, output_path: Path | str, row_group_size: int = 100_000) -> None:
    frame = df[ORDERS_SCHEMA.names].assign(amount=exact_amounts(df["amount"]))
    table = pa.Table.from_pandas(frame, schema=ORDERS_SCHEMA, preserve_index=False)
    pq.write_table(table, output_path, **_WRITE)


@wrong("02.3", "no compression, no statistics", catches="compresses with snappy and writes statistics",
       requirement="snappy compression")
def write_parquet_plain(df: pd.DataFrame, output_path: Path | str, row_group_size: int = 100_000) -> None:
    frame = df[ORDERS_SCHEMA.names].assign(amount=exact_amounts(df["amount"]))
    table = pa.Table.from_pandas(frame, schema=ORDERS_SCHEMA, preserve_index=False)
    pq.write_table(table, output_path, row_group_size=row_group_size, compression="none", write_statistics=False)


def _exact_table(df: pd.DataFrame, schema: pa.Schema = ORDERS_SCHEMA) -> pa.Table:
    frame = df[schema.names].assign(amount=exact_amounts(df["amount"]))
    return pa.Table.from_pandas(frame, schema=schema, preserve_index=False)


@wrong("02.3", "gzip instead of snappy", catches="compresses with snappy and writes statistics",
       requirement="snappy compression")
def write_parquet_gzip(df: pd.DataFrame, output_path: Path | str, row_group_size: int = 100_000) -> None:
    pq.write_table(_exact_table(df), output_path, row_group_size=row_group_size, compression="gzip",
                   write_statistics=True)


@wrong("02.3", "snappy without statistics", catches="compresses with snappy and writes statistics",
       requirement="statistics written")
def write_parquet_no_statistics(df: pd.DataFrame, output_path: Path | str, row_group_size: int = 100_000) -> None:
    pq.write_table(_exact_table(df), output_path, row_group_size=row_group_size, compression="snappy",
                   write_statistics=False)


@wrong("02.3", "timestamps in nanoseconds", catches="writes the explicit schema",
       requirement="the explicit schema: int64 ids, decimal128(10, 2) amount, string status, UTC timestamps")
def write_parquet_ns(df: pd.DataFrame, output_path: Path | str, row_group_size: int = 100_000) -> None:
    schema = ORDERS_SCHEMA.set(4, pa.field("created_at", pa.timestamp("ns", tz="UTC"), nullable=False))
    pq.write_table(_exact_table(df, schema), output_path, row_group_size=row_group_size, **_WRITE)


# ---------------------------------------------------------------- 02.4 write_partitioned_parquet


@wrong("02.4", "overwrite_or_ignore with unique file names", catches="running it twice leaves the same rows",
       requirement="running it twice with the same frame leaves the same rows")
def write_partitioned_duplicates(df: pd.DataFrame, base_path: Path | str) -> None:
    pq.write_to_dataset(pa.Table.from_pandas(df, preserve_index=False), root_path=str(base_path),
                        partition_cols=["date"], existing_data_behavior="overwrite_or_ignore",
                        basename_template=f"{uuid.uuid4().hex}-{{i}}.parquet")


@wrong("02.4", "deletes base_path before writing", catches="rewriting a day leaves the other days alone",
       requirement="writing some days leaves the other days untouched")
def write_partitioned_wipes(df: pd.DataFrame, base_path: Path | str) -> None:
    shutil.rmtree(base_path, ignore_errors=True)
    pq.write_to_dataset(pa.Table.from_pandas(df, preserve_index=False), root_path=str(base_path),
                        partition_cols=["date"])


@wrong("02.4", "directory partitioning, not hive", catches="writes one date=YYYY-MM-DD folder per day",
       requirement="hive layout: one date=YYYY-MM-DD folder per day")
def write_partitioned_no_hive(df: pd.DataFrame, base_path: Path | str) -> None:
    ds.write_dataset(pa.Table.from_pandas(df, preserve_index=False), str(base_path), format="parquet",
                     partitioning=["date"], existing_data_behavior="delete_matching")


@wrong("02.4", "partitions by the local day", catches="puts every row in its own day's folder",
       requirement="each row in the folder of its date")
def write_partitioned_by_local_day(df: pd.DataFrame, base_path: Path | str) -> None:
    # The day of created_at in India, not the frame"s UTC date: rows land in the wrong folders.
    local_day = df["created_at"].dt.tz_convert("Asia/Kolkata").dt.strftime("%Y-%m-%d")
    pq.write_to_dataset(pa.Table.from_pandas(df.assign(date=local_day), preserve_index=False),
                        root_path=str(base_path), partition_cols=["date"],
                        existing_data_behavior="delete_matching")


# ---------------------------------------------------------------- 02.5 read_recent_orders

_RECENT = ["order_id", "customer_id", "amount", "status"]


@wrong("02.5", "unparenthesised a >= b & c == d", catches="returns the orders with date >= since_date and the status",
       requirement="the orders with date >= since_date and the given status")
def read_recent_unparenthesised(parquet_dir: Path | str, since_date: str, status: str = "delivered") -> pd.DataFrame:
    dataset = ds.dataset(str(parquet_dir), format="parquet", partitioning="hive")
    wanted = ds.field("date") >= since_date & ds.field("status") == status  # the trap itself
    return dataset.to_table(columns=_RECENT, filter=wanted).to_pandas()


@wrong("02.5", "reads everything, filters in pandas", catches="never reads partitions before since_date",
       requirement="the date condition reaches the scanner: partitions before since_date never read")
def read_recent_in_pandas(parquet_dir: Path | str, since_date: str, status: str = "delivered") -> pd.DataFrame:
    df = pd.read_parquet(parquet_dir)
    keep = (df["date"].astype(str) >= since_date) & (df["status"] == status)
    return df.loc[keep, _RECENT].reset_index(drop=True)


@wrong("02.5", "selects columns after reading", catches="reads only the four columns from disk",
       requirement="the column list reaches the scanner: other columns never read")
def read_recent_late_projection(parquet_dir: Path | str, since_date: str, status: str = "delivered") -> pd.DataFrame:
    dataset = ds.dataset(str(parquet_dir), format="parquet", partitioning="hive")
    wanted = (ds.field("date") >= since_date) & (ds.field("status") == status)
    return dataset.to_table(filter=wanted).to_pandas()[_RECENT]


@wrong("02.5", "status filtered in pandas", catches="skips row groups whose statistics rule out the status",
       requirement="the status condition reaches the scanner: row groups it rules out never read")
def read_recent_status_in_pandas(parquet_dir: Path | str, since_date: str, status: str = "delivered") -> pd.DataFrame:
    dataset = ds.dataset(str(parquet_dir), format="parquet", partitioning="hive")
    df = dataset.to_table(columns=_RECENT, filter=ds.field("date") >= since_date).to_pandas()
    return df[df["status"] == status].reset_index(drop=True)


@wrong("02.5", "returns the date column too", catches="returns only order_id, customer_id, amount, status",
       requirement="exactly the columns order_id, customer_id, amount, status, in that order")
def read_recent_with_date(parquet_dir: Path | str, since_date: str, status: str = "delivered") -> pd.DataFrame:
    dataset = ds.dataset(str(parquet_dir), format="parquet", partitioning="hive")
    wanted = (ds.field("date") >= since_date) & (ds.field("status") == status)
    return dataset.to_table(columns=[*_RECENT, "date"], filter=wanted).to_pandas()


@wrong("02.5", "date > since_date", catches="returns the orders with date >= since_date and the status",
       requirement="the orders with date >= since_date and the given status")
def read_recent_exclusive(parquet_dir: Path | str, since_date: str, status: str = "delivered") -> pd.DataFrame:
    dataset = ds.dataset(str(parquet_dir), format="parquet", partitioning="hive")
    wanted = (ds.field("date") > since_date) & (ds.field("status") == status)
    return dataset.to_table(columns=_RECENT, filter=wanted).to_pandas()


@wrong("02.5", "status argument ignored (always delivered)",
       catches="returns the orders with date >= since_date and the status",
       requirement="the orders with date >= since_date and the given status")
def read_recent_always_delivered(parquet_dir: Path | str, since_date: str, status: str = "delivered") -> pd.DataFrame:
    dataset = ds.dataset(str(parquet_dir), format="parquet", partitioning="hive")
    wanted = (ds.field("date") >= since_date) & (ds.field("status") == "delivered")
    return dataset.to_table(columns=_RECENT, filter=wanted).to_pandas()


@wrong("02.5", "columns in another order", catches="returns only order_id, customer_id, amount, status",
       requirement="exactly the columns order_id, customer_id, amount, status, in that order")
def read_recent_reordered(parquet_dir: Path | str, since_date: str, status: str = "delivered") -> pd.DataFrame:
    dataset = ds.dataset(str(parquet_dir), format="parquet", partitioning="hive")
    wanted = (ds.field("date") >= since_date) & (ds.field("status") == status)
    return dataset.to_table(columns=["order_id", "status", "customer_id", "amount"], filter=wanted).to_pandas()


# ---------------------------------------------------------------- 02.6 S3


@wrong("02.6", "one list_objects_v2 call", catches="lists every key under the prefix, across pages",
       name="list_s3_files",
       requirement="list_s3_files: every key under prefix, however many pages")
def list_s3_files_one_page(s3: Any, bucket: str, prefix: str) -> list[str]:
    response = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
    return [item["Key"] for item in response.get("Contents", [])]


@wrong("02.6", "page['Contents'] on an empty page", catches="lists nothing for an empty prefix",
       name="list_s3_files",
       requirement="list_s3_files: [] for a prefix that holds nothing")
def list_s3_files_assumes_contents(s3: Any, bucket: str, prefix: str) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return [item["Key"] for page in pages for item in page["Contents"]]


@wrong("02.6", "except Exception: return False", catches="raises for 403 and other errors instead of returning False",
       name="s3_file_exists",
       requirement="s3_file_exists: every other error (403, 500) reaches the caller")
def s3_file_exists_swallows(s3: Any, bucket: str, key: str) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
        return True
    except Exception:
        return False


@wrong("02.6", "catches NoSuchKey only", catches="returns True for an existing key and False for a missing one",
       name="s3_file_exists",
       requirement="s3_file_exists: True if the object exists, False for a 404")
def s3_file_exists_no_such_key(s3: Any, bucket: str, key: str) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
        return True
    except s3.exceptions.NoSuchKey:
        return False


@wrong("02.6", "writes the index", catches="writes a Parquet object that reads back", name="write_parquet_to_s3",
       requirement="write_parquet_to_s3: df as one Parquet object, without the index")
def write_parquet_to_s3_with_index(s3: Any, df: pd.DataFrame, bucket: str, key: str) -> None:
    buffer = io.BytesIO()
    df.to_parquet(buffer)
    s3.put_object(Bucket=bucket, Key=key, Body=buffer.getvalue())


@wrong("02.6", "writes CSV, not Parquet", catches="writes a Parquet object that reads back", name="write_parquet_to_s3",
       requirement="write_parquet_to_s3: df as one Parquet object, without the index")
def write_parquet_to_s3_as_csv(s3: Any, df: pd.DataFrame, bucket: str, key: str) -> None:
    s3.put_object(Bucket=bucket, Key=key, Body=df.to_csv(index=False).encode())


@wrong("02.6", "header=None", catches="reads a CSV object into a DataFrame", name="read_csv_from_s3",
       requirement="read_csv_from_s3: the CSV object as a DataFrame")
def read_csv_from_s3_skips_header(s3: Any, bucket: str, key: str) -> pd.DataFrame:
    return pd.read_csv(s3.get_object(Bucket=bucket, Key=key)["Body"], header=None)


@wrong("02.6", "Prefix not passed: the whole bucket", catches="lists every key under the prefix, across pages",
       name="list_s3_files", requirement="list_s3_files: every key under prefix, however many pages")
def list_s3_files_whole_bucket(s3: Any, bucket: str, prefix: str) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


# ---------------------------------------------------------------- 02.7 fsspec


@wrong("02.7", "ignores storage_options", catches="hands storage_options to the filesystem",
       requirement="storage_options passed to the filesystem unchanged")
def read_parquet_ignoring_options(path: str, storage_options: dict | None = None) -> pd.DataFrame:
    import fsspec

    with fsspec.open(path, "rb") as handle:
        return pd.read_parquet(handle)


@wrong("02.7", "builtin open", catches="reads a memory:// URL",
       requirement="any fsspec URL: file://, memory://, s3://")
def read_parquet_with_open(path: str, storage_options: dict | None = None) -> pd.DataFrame:
    with open(path, "rb") as handle:
        return pd.read_parquet(handle)


@wrong("02.7", "**storage_options when it is None", catches="reads a local file:// URL",
       requirement="storage_options=None means no options")
def read_parquet_unpacks_none(path: str, storage_options: dict | None = None) -> pd.DataFrame:
    import fsspec

    with fsspec.open(path, "rb", **storage_options) as handle:  # type: ignore[arg-type]
        return pd.read_parquet(handle)


# ---------------------------------------------------------------- 02.8 csv_to_parquet


def _reader(csv_path: Path | str, block_size: int, **convert: Any) -> pacsv.CSVStreamingReader:
    return pacsv.open_csv(
        csv_path,
        read_options=pacsv.ReadOptions(block_size=block_size),
        parse_options=pacsv.ParseOptions(invalid_row_handler=lambda row: "skip"),
        convert_options=pacsv.ConvertOptions(**convert),
    )


def _stream(reader: pacsv.CSVStreamingReader, parquet_path: Path | str) -> int:
    rows = 0
    with reader, pq.ParquetWriter(parquet_path, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


_CONVERT = {"column_types": CSV_COLUMN_TYPES, "null_values": CSV_NULL_MARKERS, "strings_can_be_null": True}


@wrong("02.8", "whole-file read_csv", catches="streams in memory bounded by block_size",
       requirement="one batch at a time: memory bounded by block_size, not by the file")
def csv_to_parquet_whole(csv_path: Path | str, parquet_path: Path | str, block_size: int = 1 << 20) -> int:
    table = pacsv.read_csv(csv_path, parse_options=pacsv.ParseOptions(invalid_row_handler=lambda row: "skip"),
                           convert_options=pacsv.ConvertOptions(**_CONVERT))
    pq.write_table(table, parquet_path)
    return table.num_rows


@wrong("02.8", "pandas whole-file round trip", catches="streams in memory bounded by block_size",
       requirement="one batch at a time: memory bounded by block_size, not by the file")
def csv_to_parquet_pandas(csv_path: Path | str, parquet_path: Path | str, block_size: int = 1 << 20) -> int:
    df = pd.read_csv(csv_path, na_values=CSV_NULL_MARKERS, keep_default_na=False, on_bad_lines="skip",
                     dtype={"status": "str", "created_at": "str"})
    df.to_parquet(parquet_path, index=False)
    return len(df)


@wrong("02.8", "types inferred from the first block", catches="keeps the schema stable across blocks",
       requirement="order_id, customer_id int64 and amount decimal128(10, 2) in every block")
def csv_to_parquet_inferred(csv_path: Path | str, parquet_path: Path | str, block_size: int = 1 << 20) -> int:
    return _stream(_reader(csv_path, block_size, null_values=CSV_NULL_MARKERS, strings_can_be_null=True), parquet_path)


@wrong("02.8", "default null values", catches="types ids as int64, amount as decimal128(10, 2), null markers as nulls",
       requirement="the five null markers are nulls")
def csv_to_parquet_default_nulls(csv_path: Path | str, parquet_path: Path | str, block_size: int = 1 << 20) -> int:
    return _stream(_reader(csv_path, block_size, column_types=CSV_COLUMN_TYPES), parquet_path)


@wrong("02.8", "fails on malformed lines", catches="skips malformed lines instead of failing",
       requirement="malformed lines skipped")
def csv_to_parquet_strict(csv_path: Path | str, parquet_path: Path | str, block_size: int = 1 << 20) -> int:
    reader = pacsv.open_csv(csv_path, read_options=pacsv.ReadOptions(block_size=block_size),
                            convert_options=pacsv.ConvertOptions(**_CONVERT))
    return _stream(reader, parquet_path)


@wrong("02.8", "returns the batch count", catches="returns the number of rows written",
       requirement="returns the number of rows written")
def csv_to_parquet_counts_batches(csv_path: Path | str, parquet_path: Path | str, block_size: int = 1 << 20) -> int:
    reader = _reader(csv_path, block_size, **_CONVERT)
    batches = 0
    with reader, pq.ParquetWriter(parquet_path, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
            batches += 1
    return batches


@wrong("02.8", "amount typed float64", catches="types ids as int64, amount as decimal128(10, 2), null markers as "
       "nulls", requirement="order_id, customer_id int64 and amount decimal128(10, 2) in every block")
def csv_to_parquet_float_amount(csv_path: Path | str, parquet_path: Path | str, block_size: int = 1 << 20) -> int:
    types = {**CSV_COLUMN_TYPES, "amount": pa.float64()}
    return _stream(_reader(csv_path, block_size, **{**_CONVERT, "column_types": types}), parquet_path)


@wrong("02.8", "ignores block_size", catches="streams in memory bounded by block_size",
       requirement="one batch at a time: memory bounded by block_size, not by the file")
def csv_to_parquet_default_blocks(csv_path: Path | str, parquet_path: Path | str, block_size: int = 1 << 20) -> int:
    return _stream(_reader(csv_path, 1 << 22, **_CONVERT), parquet_path)
