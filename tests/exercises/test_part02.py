"""depipe_course.exercises.part02: other correct answers earn full points, and the checks
leave the process (Arrow's memory pool, tracemalloc, fsspec's memory store) as they found it."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

import fsspec
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from depipe_course import exercises, reference
from depipe_course.checking import Result
from depipe_course.exercises import _memory
from solutions.part02 import ORDERS_SCHEMA, VALID_STATUSES
from tests.judged import judged


def _allocations_bypass_every_proxy() -> bool:
    """A fresh Arrow allocation lands in none of the proxy pools the checks created."""
    before = [pool.bytes_allocated() for pool in _memory._POOLS]
    buffer = pa.allocate_buffer(4096)
    after = [pool.bytes_allocated() for pool in _memory._POOLS]
    del buffer
    return before == after


def _grade(exercise_id: str, objects: dict[str, Any]) -> Result:
    ex = exercises.get(exercise_id)
    merged = {**reference.objects(ex), **objects}
    return judged(ex, merged)


def clean_chunk_with_copy(df: pd.DataFrame) -> pd.DataFrame:
    out = df.drop_duplicates("order_id").copy()
    out["status"] = out["status"].str.strip().str.lower()
    out["created_at"] = pd.to_datetime(out["created_at"], utc=True, errors="coerce", format="mixed")
    out = out[(out["amount"] > 0) & out["status"].isin(VALID_STATUSES)]
    return out.dropna(subset=["created_at"])


def write_with_arrow_cast(df: pd.DataFrame, output_path: Path | str, row_group_size: int = 100_000) -> None:
    arrays = [
        pa.array(df["order_id"], pa.int64()),
        pa.array(df["customer_id"], pa.int64()),
        pa.array(df["amount"].astype("float64")).cast(pa.decimal128(10, 2)),
        pa.array(df["status"], pa.string()),
        pa.array(df["created_at"]).cast(pa.timestamp("us", tz="UTC")),
    ]
    pq.write_table(pa.Table.from_arrays(arrays, schema=ORDERS_SCHEMA), output_path, row_group_size=row_group_size)


def write_with_write_dataset(df: pd.DataFrame, base_path: Path | str) -> None:
    ds.write_dataset(pa.Table.from_pandas(df, preserve_index=False), str(base_path), format="parquet",
                     partitioning=["date"], partitioning_flavor="hive", existing_data_behavior="delete_matching")


def read_with_pandas_filters(parquet_dir: Path | str, since_date: str, status: str = "delivered") -> pd.DataFrame:
    return pd.read_parquet(parquet_dir, columns=["order_id", "customer_id", "amount", "status"],
                           filters=[("date", ">=", since_date), ("status", "==", status)])


def list_with_continuation_tokens(s3: Any, bucket: str, prefix: str) -> list[str]:
    keys: list[str] = []
    request = {"Bucket": bucket, "Prefix": prefix}
    while True:
        page = s3.list_objects_v2(**request)
        keys += [item["Key"] for item in page.get("Contents", [])]
        if not page.get("IsTruncated"):
            return keys
        request["ContinuationToken"] = page["NextContinuationToken"]


def read_with_pandas_options(path: str, storage_options: dict | None = None) -> pd.DataFrame:
    return pd.read_parquet(path, storage_options=storage_options)


ALTERNATIVES = [
    ("02.1", "clean_chunk", clean_chunk_with_copy),
    ("02.3", "write_orders_to_parquet", write_with_arrow_cast),
    ("02.4", "write_partitioned_parquet", write_with_write_dataset),
    ("02.5", "read_recent_orders", read_with_pandas_filters),
    ("02.6", "list_s3_files", list_with_continuation_tokens),
    ("02.7", "read_parquet_from_any_cloud", read_with_pandas_options),
]


@pytest.mark.parametrize(("exercise_id", "name", "answer"), ALTERNATIVES,
                         ids=[f"{a[0]}-{a[2].__name__}" for a in ALTERNATIVES])
def test_other_correct_answers_pass(exercise_id: str, name: str, answer: Any) -> None:
    """A correct answer written another way than the reference earns every point."""
    result = _grade(exercise_id, {name: answer})
    assert result.status == "passed", str(result)


@pytest.mark.parametrize("exercise_id", ["02.2", "02.8"])
def test_memory_checks_restore_tracemalloc_and_the_arrow_pool(exercise_id: str) -> None:
    """After a memory check, tracemalloc is off again and Arrow's default pool is the original."""
    ex = exercises.get(exercise_id)
    result = judged(ex, reference.objects(ex))
    assert result.status == "passed", str(result)
    assert not tracemalloc.is_tracing()
    assert _allocations_bypass_every_proxy()


def test_fsspec_checks_leave_the_memory_filesystem_empty() -> None:
    """The 02.7 checks remove what they put into fsspec's shared memory:// store."""
    before = set(fsspec.filesystem("memory").store)
    result = _grade("02.7", {})
    assert result.status == "passed", str(result)
    assert set(fsspec.filesystem("memory").store) == before
