"""Seeded generators for the course's data: the same seed gives the same bytes."""

from depipe_course.data.orders import (
    ORDER_COLUMNS,
    VALID_STATUSES,
    Mess,
    clean_orders_table,
    messy_orders_frame,
    parse_size,
    write_orders_csv,
    write_orders_ndjson,
    write_partitioned_orders,
)

__all__ = [
    "ORDER_COLUMNS",
    "VALID_STATUSES",
    "Mess",
    "clean_orders_table",
    "messy_orders_frame",
    "parse_size",
    "write_orders_csv",
    "write_orders_ndjson",
    "write_partitioned_orders",
]
