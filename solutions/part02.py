"""Part 02 — File I/O at scale: reference solutions."""

# %% [02.1]
import pandas as pd

VALID_STATUSES = ("placed", "confirmed", "delivered", "cancelled")


def clean_chunk(df: pd.DataFrame) -> pd.DataFrame:
    """Keep the valid orders of one chunk, normalised and typed; ``df`` is left as it was.

    Takes the columns as the chunked reader of 02.2 delivers them: ``order_id`` and
    ``customer_id`` as integers, ``amount`` as numbers (text that is not a number
    counts as missing), ``status`` and ``created_at`` as text. ``created_at`` may end
    in ``Z``, in an offset such as ``+05:30``, or carry no zone (taken as UTC);
    whatever is not ISO 8601 becomes NaT and its row is dropped.
    """
    out = df.drop_duplicates(subset="order_id", keep="first")
    amount = pd.to_numeric(out["amount"], errors="coerce")
    status = out["status"].str.strip().str.lower()
    created_at = pd.to_datetime(out["created_at"], utc=True, format="ISO8601", errors="coerce")
    valid = (amount > 0) & status.isin(VALID_STATUSES) & created_at.notna()
    return out.assign(amount=amount, status=status, created_at=created_at).loc[valid]


# %% [02.2]
import logging
import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

logger = logging.getLogger(__name__)

ORDER_DTYPES = {
    "order_id": "int64",
    "customer_id": "int64",
    "amount": "float64",
    "status": "str",
    "created_at": "str",  # parsed per chunk by clean_chunk, which knows the formats
}
NULL_MARKERS = ["", "NULL", "N/A", "n/a", "-"]
_SKIPPED_LINE = re.compile(r"Skipping line \d+")


def _chunks(filepath: Path | str, chunk_size: int, bad_lines: list[str]) -> Iterator[pd.DataFrame]:
    """Yield typed chunks; each malformed line the parser skips is appended to ``bad_lines``.

    With ``on_bad_lines="warn"`` the C parser reports skipped lines as ParserWarnings
    ("Skipping line 7: expected 5 fields, saw 6"), several per warning. Only the
    parser's own call is wrapped, so warnings from the caller's code pass untouched.
    """
    reader = pd.read_csv(
        filepath,
        chunksize=chunk_size,
        dtype=ORDER_DTYPES,
        na_values=NULL_MARKERS,
        keep_default_na=False,  # exactly these markers are missing, nothing else
        on_bad_lines="warn",
        encoding="utf-8",
    )
    with reader:
        while True:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", pd.errors.ParserWarning)
                chunk = next(reader, None)
            for warning in caught:
                if issubclass(warning.category, pd.errors.ParserWarning):
                    bad_lines.extend(_SKIPPED_LINE.findall(str(warning.message)))
                else:
                    warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
            if chunk is None:
                return
            yield chunk


def process_orders_in_chunks(
    filepath: Path | str,
    write_chunk: Callable[[pd.DataFrame], object],
    chunk_size: int = 100_000,
) -> dict[str, int]:
    """Clean a CSV of orders chunk by chunk and hand each cleaned chunk to ``write_chunk``.

    Memory holds one chunk at a time, whatever the file's size. Returns the counts:
    ``rows_read`` (rows parsed), ``rows_written``, ``chunks`` and ``bad_lines``
    (malformed lines skipped).
    """
    stats = {"rows_read": 0, "rows_written": 0, "chunks": 0, "bad_lines": 0}
    bad_lines: list[str] = []
    for chunk in _chunks(filepath, chunk_size, bad_lines):
        cleaned = clean_chunk(chunk)
        write_chunk(cleaned)
        stats["rows_read"] += len(chunk)
        stats["rows_written"] += len(cleaned)
        stats["chunks"] += 1
    stats["bad_lines"] = len(bad_lines)
    logger.info("processed %s: %s", filepath, stats)
    return stats


# %% [02.3]
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ORDERS_SCHEMA = pa.schema(
    [
        pa.field("order_id", pa.int64(), nullable=False),
        pa.field("customer_id", pa.int64(), nullable=False),
        pa.field("amount", pa.decimal128(10, 2), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("created_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)
CENT = Decimal("0.01")


def exact_amounts(amounts: pd.Series) -> list[Decimal]:
    """Each amount as a Decimal with exactly two places.

    ``str()`` of a float is the shortest text that reads back as the same float, so
    ``0.1 + 0.2`` gives ``'0.30000000000000004'`` and rounds to ``0.30``, and ``19.99``
    stays ``19.99``: the value the writer of the number meant, not its binary noise.
    """
    return [Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_EVEN) for value in amounts]


def write_orders_to_parquet(df: pd.DataFrame, output_path: Path | str, row_group_size: int = 100_000) -> None:
    """Write orders to one Parquet file with the course's explicit schema.

    The schema, not pandas' inference, decides every type; amounts become exact
    decimals first, because ``Table.from_pandas`` refuses to convert a float column to decimal.
    """
    frame = df[ORDERS_SCHEMA.names].assign(amount=exact_amounts(df["amount"]))
    table = pa.Table.from_pandas(frame, schema=ORDERS_SCHEMA, preserve_index=False)
    pq.write_table(
        table,
        output_path,
        row_group_size=row_group_size,
        compression="snappy",
        write_statistics=True,  # min/max per row group: what lets readers skip them
    )


# %% [02.4]
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def write_partitioned_parquet(df: pd.DataFrame, base_path: Path | str) -> None:
    """Write orders as a hive-partitioned dataset ``base_path/date=YYYY-MM-DD/part-0.parquet``.

    ``delete_matching`` first empties each partition this frame writes to, so running
    the job again for the same days replaces their rows instead of adding copies,
    and days this frame does not touch stay as they are.
    """
    table = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_to_dataset(
        table,
        root_path=str(base_path),
        partition_cols=["date"],
        existing_data_behavior="delete_matching",
        basename_template="part-{i}.parquet",
        compression="snappy",
    )


# %% [02.5]
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds

RECENT_ORDER_COLUMNS = ["order_id", "customer_id", "amount", "status"]


def read_recent_orders(
    parquet_dir: Path | str, since_date: str | date, status: str = "delivered"
) -> pd.DataFrame:
    """Orders with ``date >= since_date`` and the given status, four columns only.

    The filter goes to the scanner, not to pandas: partitions before ``since_date``
    are pruned from their folder names without being opened, and row groups whose
    min/max statistics rule out ``status`` are skipped. Each comparison sits in its
    own parentheses because ``&`` binds tighter than ``>=`` and ``==`` in Python.
    """
    dataset = ds.dataset(str(parquet_dir), format="parquet", partitioning="hive")
    wanted = (ds.field("date") >= str(since_date)) & (ds.field("status") == status)
    return dataset.to_table(columns=RECENT_ORDER_COLUMNS, filter=wanted).to_pandas()


# %% [02.6]
import io
from typing import Any

import pandas as pd
from botocore.exceptions import ClientError


def read_csv_from_s3(s3: Any, bucket: str, key: str) -> pd.DataFrame:
    """Read a CSV object; pandas pulls the body as a stream instead of one big bytes copy."""
    response = s3.get_object(Bucket=bucket, Key=key)
    with response["Body"] as body:
        return pd.read_csv(body)


def write_parquet_to_s3(s3: Any, df: pd.DataFrame, bucket: str, key: str) -> None:
    """Write ``df`` as one Parquet object.

    Parquet's footer comes last, so the file is built in memory first; one PUT takes up
    to 5 GB (beyond a few hundred MB, ``s3.upload_fileobj`` sends it in parallel parts).
    """
    buffer = io.BytesIO()
    df.to_parquet(buffer, engine="pyarrow", compression="snappy", index=False)
    s3.put_object(Bucket=bucket, Key=key, Body=buffer.getvalue())


def list_s3_files(s3: Any, bucket: str, prefix: str) -> list[str]:
    """Every key under ``prefix``: one listing call returns at most 1,000, so follow the pages."""
    paginator = s3.get_paginator("list_objects_v2")
    return [
        item["Key"]
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])  # a page of an empty prefix has no Contents
    ]


def s3_file_exists(s3: Any, bucket: str, key: str) -> bool:
    """True if the object exists, False if S3 says 404; any other error is raised.

    ``head_object`` has no response body, so a missing key arrives as a ClientError
    with code ``'404'`` (not ``NoSuchKey``). A 403 means "you may not look", which
    is a configuration problem to surface, not a missing file.
    """
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status == 404 or error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
            return False
        raise
    return True


# %% [02.7]
from typing import Any

import fsspec
import pandas as pd


def read_parquet_from_any_cloud(path: str, storage_options: dict[str, Any] | None = None) -> pd.DataFrame:
    """Read a Parquet file from any fsspec URL: ``file://``, ``memory://``, ``s3://``, ``gs://``...

    ``storage_options`` go to the filesystem unchanged (credentials, endpoint, region),
    so the same function reads from a laptop, a test fake and production.
    """
    with fsspec.open(path, "rb", **(storage_options or {})) as handle:
        return pd.read_parquet(handle)


# %% [02.8]
import logging
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

logger = logging.getLogger(__name__)

CSV_COLUMN_TYPES = {
    "order_id": pa.int64(),
    "customer_id": pa.int64(),
    "amount": pa.decimal128(10, 2),
    "status": pa.string(),
    "created_at": pa.string(),
}
CSV_NULL_MARKERS = ["", "NULL", "N/A", "n/a", "-"]


def csv_to_parquet(csv_path: Path | str, parquet_path: Path | str, block_size: int = 4 << 20) -> int:
    """Convert a CSV of orders to Parquet one block at a time; return the rows written.

    Memory is bounded by ``block_size`` (the reader keeps a few dozen blocks in
    flight), not by the file: each block becomes a record batch and is written as
    it comes. The column types are fixed up front so that every block has the same
    schema; malformed lines are skipped and counted.
    """
    skipped = 0

    def skip_malformed(row: pacsv.InvalidRow) -> str:
        nonlocal skipped
        skipped += 1
        return "skip"

    reader = pacsv.open_csv(
        csv_path,
        read_options=pacsv.ReadOptions(block_size=block_size),
        parse_options=pacsv.ParseOptions(invalid_row_handler=skip_malformed),
        convert_options=pacsv.ConvertOptions(
            column_types=CSV_COLUMN_TYPES, null_values=CSV_NULL_MARKERS, strings_can_be_null=True
        ),
    )
    rows = 0
    with reader, pq.ParquetWriter(parquet_path, reader.schema, compression="snappy") as writer:
        for batch in reader:
            writer.write_batch(batch)
            rows += batch.num_rows
    logger.info("converted %s: %d rows, %d malformed lines skipped", csv_path, rows, skipped)
    return rows
