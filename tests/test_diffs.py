"""depipe_course.diffs: record and frame differences a learner can read at a glance."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from depipe_course.checking import CheckFailed, expect_equal
from depipe_course.diffs import record_diff

ORDERS = [
    {"order_id": 1, "status": "delivered", "amount": Decimal("10.00")},
    {"order_id": 2, "status": "placed", "amount": Decimal("5.50")},
    {"order_id": 3, "status": "cancelled", "amount": Decimal("1.25")},
]


def _failure(seen: object, expected: object) -> CheckFailed:
    try:
        expect_equal(seen, expected, "the records")
    except CheckFailed as exc:
        return exc
    raise AssertionError("expect_equal passed two different values")


def test_first_differing_field_is_named_with_both_values_quoted() -> None:
    """The learner sees the record, the field and both values, spaces visible."""
    seen = [dict(ORDERS[0], status=" Delivered "), *ORDERS[1:]]
    exc = _failure(seen, ORDERS)
    assert exc.message == "the records: first difference in record with order_id=1, field 'status'"
    assert (exc.expected, exc.seen) == ("'delivered'", "' Delivered '")


def test_missing_and_extra_records_are_counted_by_id() -> None:
    """A dropped record shows as missing by its id, not as every later record being off by one."""
    seen = [ORDERS[0], ORDERS[2], {"order_id": 9, "status": "placed", "amount": Decimal("1.00")}]
    diff = record_diff(seen, ORDERS)
    assert diff is not None
    assert diff.message == "missing records with order_id=[2]; unexpected records with order_id=[9]"


def test_float_is_not_an_exact_decimal() -> None:
    """10.0 == Decimal('10.00') in Python, but a learner asked for exact money must see the difference."""
    seen = [dict(ORDERS[0], amount=10.0), *ORDERS[1:]]
    diff = record_diff(seen, ORDERS)
    assert diff is not None and diff.message == "first difference in record with order_id=1, field 'amount'"
    assert (diff.shown(diff.expected), diff.shown(diff.seen)) == ("Decimal('10.00')", "10.0")


def test_records_without_ids_are_compared_by_position() -> None:
    """Without an id field the first extra or missing record is shown by position."""
    diff = record_diff([{"a": 1}], [{"a": 1}, {"a": 2}])
    assert diff is not None and diff.message == "2 records expected, 1 seen; the first missing record is record 1"
    assert diff.shown(diff.expected) == "{'a': 2}" and diff.shown(diff.seen) is None


def test_a_none_value_is_shown_not_hidden() -> None:
    """A field that came out None shows None, not an empty 'seen'."""
    diff = record_diff([{"a": None}], [{"a": "x"}])
    assert diff is not None and diff.shown(diff.seen) == "None"


def test_frames_report_columns_then_dtypes_then_rows() -> None:
    """DataFrames are compared the way a person checks them: columns, dtypes, then the first row."""
    expected = pd.DataFrame(ORDERS).astype({"status": "string"})
    assert "missing ['amount']" in _failure(expected.drop(columns="amount"), expected).message
    as_float = expected.astype({"order_id": "float64"})
    assert "column 'order_id' has the wrong dtype" in _failure(as_float, expected).message
    changed = expected.copy()
    changed.loc[1, "status"] = "PLACED"
    exc = _failure(changed, expected)
    assert exc.message == "the records: first difference in row with order_id=2, field 'status'"
    assert (exc.expected, exc.seen) == ("'placed'", "'PLACED'")


def test_equal_frames_and_missing_values_pass() -> None:
    """Equal frames, NaN against NaN included, pass without a false difference."""
    frame = pd.DataFrame({"order_id": [1, 2], "x": [1.5, float("nan")]})
    expect_equal(frame.copy(), frame, "the frame")
    assert record_diff([{"a": float("nan")}], [{"a": None}]) is None


def test_other_values_keep_the_plain_comparison() -> None:
    """Scalars and plain lists fail with expected and seen as before."""
    exc = _failure(3, 4)
    assert exc.message == "the records is not what the exercise asks for" and (exc.expected, exc.seen) == ("4", "3")
