"""The work each benchmark measures, one function per task, run by ``_measure.in_child``.

Every task prints one JSON object; ``_seconds`` is the time of the work itself,
without the interpreter's start-up and imports.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def chunked(csv_path: str) -> dict[str, Any]:
    """Reference ``process_orders_in_chunks``, cleaning included, writing nowhere."""
    from solutions.part02 import process_orders_in_chunks

    return process_orders_in_chunks(csv_path, lambda chunk: None)


def whole_file_clean(csv_path: str) -> dict[str, Any]:
    """The whole-file version: one ``read_csv`` of everything, then the same cleaning."""
    import pandas as pd

    from solutions.part02 import clean_chunk

    frame = pd.read_csv(csv_path, na_values=["", "NULL", "N/A", "n/a", "-"], on_bad_lines="skip",
                        dtype={"order_id": "int64", "customer_id": "int64", "status": "string"})
    frame["amount"] = pd.to_numeric(frame["amount"], errors="coerce")
    return {"rows_written": len(clean_chunk(frame))}


def whole_file_read(csv_path: str) -> dict[str, Any]:
    """The engine's own speed: a whole-file ``read_csv`` doing no cleaning at all."""
    import pandas as pd

    return {"rows": len(pd.read_csv(csv_path, on_bad_lines="skip"))}


def csv_to_parquet(csv_path: str) -> dict[str, Any]:
    """Reference streaming conversion."""
    from solutions.part02 import csv_to_parquet as convert

    with tempfile.TemporaryDirectory() as scratch:
        return {"rows": convert(csv_path, Path(scratch) / "out.parquet")}


def engine_csv_to_parquet(csv_path: str) -> dict[str, Any]:
    """pyarrow's own streaming reader straight into a ParquetWriter: the ceiling."""
    import pyarrow.csv as pv
    import pyarrow.parquet as pq

    rows = 0
    parse = pv.ParseOptions(invalid_row_handler=lambda row: "skip")
    with tempfile.TemporaryDirectory() as scratch, pv.open_csv(csv_path, parse_options=parse) as reader:
        with pq.ParquetWriter(Path(scratch) / "out.parquet", reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
                rows += batch.num_rows
    return {"rows": rows}


def generator_pipeline(ndjson_path: str) -> dict[str, Any]:
    """Reference part-06 ``run_pipeline`` into a file-backed SQLite database."""
    from depipe_course import db
    from solutions.part06 import run_pipeline

    with tempfile.TemporaryDirectory() as scratch:
        conn = db.connect(Path(scratch) / "orders.db")
        db.create_orders_table(conn)
        try:
            return run_pipeline(ndjson_path, conn)
        finally:
            conn.close()


def list_pipeline(ndjson_path: str) -> dict[str, Any]:
    """The list version of part 06: every record in memory before the first write."""
    from depipe_course import db
    from solutions.part06 import batch_records, read_ndjson, transform_orders, validate_orders, write_batch

    records = list(transform_orders(validate_orders(list(read_ndjson(ndjson_path)))))
    with tempfile.TemporaryDirectory() as scratch:
        conn = db.connect(Path(scratch) / "orders.db")
        db.create_orders_table(conn)
        written = sum(write_batch(batch, conn) for batch in batch_records(records))
        conn.close()
    return {"rows_written": written}


TASKS: dict[str, Callable[..., dict[str, Any]]] = {
    f.__name__: f
    for f in (chunked, whole_file_clean, whole_file_read, csv_to_parquet, engine_csv_to_parquet,
              generator_pipeline, list_pipeline)
}


def main(argv: list[str]) -> None:
    import logging

    logging.disable(logging.CRITICAL)  # the references log per batch; figures only here
    name, *args = argv
    start = time.perf_counter()
    result = dict(TASKS[name](*args))
    result["_seconds"] = time.perf_counter() - start
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
