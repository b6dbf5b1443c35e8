"""02.3: ``write_orders_to_parquet(df, output_path, row_group_size)`` writes orders with an explicit Arrow schema.

The file must hold exact decimal amounts (also from float input), the five columns and
no index, row groups of row_group_size, snappy compression and min/max statistics.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from depipe_course.checking import expect, expect_equal
from depipe_course.exercises import exercise
from depipe_course.exercises.part02._shared import ORDER_COLUMNS, _ids, _typed_orders

parquet = exercise("02.3", "Write Parquet with an explicit schema", ["write_orders_to_parquet"])

_EXPECTED_TYPES = {
    "order_id": "int64",
    "customer_id": "int64",
    "amount": "decimal128(10, 2)",
    "status": "string",
    "created_at": "timestamp[us, tz=UTC]",
}


@parquet.check("writes the explicit schema", points=2,
               hint="Build pa.schema([...]) with pa.int64(), pa.decimal128(10, 2), pa.string() and "
                    "pa.timestamp('us', tz='UTC') and pass it: inference gives large_string "
                    "for pandas 3 text and a precision that depends on the data.")
def _schema(write_orders_to_parquet: Callable[..., Any], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "orders.parquet"
    write_orders_to_parquet(_typed_orders(floats=False), path)
    schema = pq.read_schema(path)
    seen = {name: str(schema.field(name).type) for name in schema.names}
    expect_equal(seen, _EXPECTED_TYPES, "the schema of the file")


@parquet.check("stores exact decimal amounts, also from floats", points=2,
               hint="Arrow refuses float → decimal in from_pandas. Turn each amount into "
                    "Decimal(str(x)).quantize(Decimal('0.01')) first: str() of a float is "
                    "the shortest text that reads back as that float.")
def _decimals(write_orders_to_parquet: Callable[..., Any], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    floats = [0.1 + 0.2, 19.99, 1234.5, 0.07, 99_999.99, 1.1 * 3]
    expected = [Decimal(v) for v in ("0.30", "19.99", "1234.50", "0.07", "99999.99", "3.30")]
    frame = _typed_orders(len(floats), floats=True).assign(amount=floats)
    path = tmp_path / "amounts.parquet"
    write_orders_to_parquet(frame, path)
    seen = pq.read_table(path, columns=["amount"]).column("amount").to_pylist()
    expect(seen == expected and all(isinstance(v, Decimal) for v in seen),
           "the amounts read back are not the exact decimals", expected=[str(v) for v in expected],
           seen=[str(v) for v in seen])


@parquet.check("keeps every row and only the five columns", points=1,
               hint="preserve_index=False: a filtered frame's index would become a "
                    "'__index_level_0__' column.")
def _rows(write_orders_to_parquet: Callable[..., Any], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    frame = _typed_orders(floats=False)
    frame = frame[frame["order_id"] % 3 != 0]  # a filtered frame: its index has irregular gaps
    path = tmp_path / "rows.parquet"
    write_orders_to_parquet(frame, path)
    table = pq.read_table(path)
    expect_equal(table.column_names, ORDER_COLUMNS, "the list of columns in the file")
    expect_equal(sorted(table.column("order_id").to_pylist()), _ids(frame), "the list of order_ids in the file")
    seen = [t.isoformat() for t in table.column("created_at").to_pylist()[:3]]
    expect_equal(seen, [t.isoformat() for t in frame["created_at"].iloc[:3]],
                 "the list of the first three created_at values")


@parquet.check("splits the file into row groups of row_group_size", points=1,
               hint="pq.write_table(table, path, row_group_size=row_group_size, ...).")
def _row_groups(write_orders_to_parquet: Callable[..., Any], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "groups.parquet"
    write_orders_to_parquet(_typed_orders(250, floats=False), path, row_group_size=100)
    expect_equal(pq.ParquetFile(path).metadata.num_row_groups, 3, "the number of row groups for 250 rows "
                 "with row_group_size=100")


@parquet.check("compresses with snappy and writes statistics", points=1,
               hint="compression='snappy', write_statistics=True: statistics are what let a "
                    "reader skip row groups.")
def _codec(write_orders_to_parquet: Callable[..., Any], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "codec.parquet"
    write_orders_to_parquet(_typed_orders(floats=False), path)
    group = pq.ParquetFile(path).metadata.row_group(0)
    columns = [group.column(j) for j in range(group.num_columns)]
    codecs = sorted({c.compression for c in columns})
    expect_equal(codecs, ["SNAPPY"], "the compression of the column chunks")
    without = [c.path_in_schema for c in columns if c.statistics is None or not c.statistics.has_min_max]
    expect(not without, "some columns have no min/max statistics", expected="statistics on every column",
           seen=without)
