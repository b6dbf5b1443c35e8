"""Part 02 — File I/O at scale: chunked CSV, Parquet, partitions, pushdown, S3, fsspec.

The checks write their own small files in the check's scratch folder, fake S3 with
moto (in process for boto3, on a loopback server for ``s3://`` URLs), and compare peak
memory on a small and a big file to tell a reader that streams from one that holds the
whole file.

One module per exercise, imported here in id order (``_shared`` holds what two or more use):

* ``ex1_clean_chunk``: 02.1, clean one chunk of orders.
* ``ex2_process_orders_in_chunks``: 02.2, a CSV in chunks, in flat memory.
* ``ex3_write_orders_to_parquet``: 02.3, Parquet with an explicit schema.
* ``ex4_write_partitioned_parquet``: 02.4, a date-partitioned dataset, written idempotently.
* ``ex5_read_recent_orders``: 02.5, projection and pushdown.
* ``ex6_s3_objects``: 02.6, read, write, list and probe S3 objects.
* ``ex7_read_parquet_from_any_cloud``: 02.7, Parquet from any filesystem through fsspec.
* ``ex8_csv_to_parquet``: 02.8, CSV to Parquet in constant memory.
"""

from __future__ import annotations

from depipe_course.exercises.part02 import (
    ex1_clean_chunk,
    ex2_process_orders_in_chunks,
    ex3_write_orders_to_parquet,
    ex4_write_partitioned_parquet,
    ex5_read_recent_orders,
    ex6_s3_objects,
    ex7_read_parquet_from_any_cloud,
    ex8_csv_to_parquet,
)
from depipe_course.exercises.part02._shared import ORDER_COLUMNS

__all__ = [
    "ORDER_COLUMNS",
    "ex1_clean_chunk",
    "ex2_process_orders_in_chunks",
    "ex3_write_orders_to_parquet",
    "ex4_write_partitioned_parquet",
    "ex5_read_recent_orders",
    "ex6_s3_objects",
    "ex7_read_parquet_from_any_cloud",
    "ex8_csv_to_parquet",
]
