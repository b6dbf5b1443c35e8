"""Say how two collections of records differ, the way a person would look for it.

A failed check that prints two 300-character dumps leaves the learner hunting for
``' Delivered '`` against ``'delivered'`` by eye. For lists of records (dicts) and
for DataFrames, ``record_diff`` names what a person checks first: the columns, the
number of records missing and extra, then the first record that differs, the field,
and the two values side by side.

Records are matched by their id field when both sides have one (``order_id``,
``payment_id``, ``id``), so one dropped record shows as "missing", not as every later
record being off by one; otherwise by position.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_MAX_LISTED = 3


class _Absent:
    """Stands for a field one record has and the other lacks."""

    def __repr__(self) -> str:
        return "(no such field)"


ABSENT = _Absent()
_UNSET: Any = object()  # "nothing to show on this side", unlike a value that is None


@dataclass(frozen=True)
class RecordDiff:
    """The first difference between two collections of records, in words and values."""

    message: str
    expected: Any = _UNSET
    seen: Any = _UNSET

    @staticmethod
    def shown(value: Any) -> str | None:
        """``repr`` of a value, so that ``' Delivered '`` shows its spaces; ``None`` when unset."""
        return None if value is _UNSET else repr(value)


def record_diff(seen: Any, expected: Any) -> RecordDiff | None:
    """A readable difference when both sides are records (or frames), else ``None``.

    ``None`` also when the collections are equal: callers ask only after ``!=``.
    """
    if _is_frame(seen) and _is_frame(expected):
        return _frame_diff(seen, expected)
    if _is_records(seen) and _is_records(expected):
        return _records_diff(list(seen), list(expected), what="record")
    return None


def _is_frame(value: Any) -> bool:
    # By name, so that comparing plain lists never imports pandas.
    return type(value).__name__ == "DataFrame" and hasattr(value, "to_dict")


def _is_records(value: Any) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, (str, bytes))
        and all(isinstance(item, Mapping) for item in value)
        and len(value) > 0
    )


def _frame_diff(seen: Any, expected: Any) -> RecordDiff:
    seen_cols, expected_cols = [str(c) for c in seen.columns], [str(c) for c in expected.columns]
    if seen_cols != expected_cols:
        missing = [c for c in expected_cols if c not in seen_cols]
        extra = [c for c in seen_cols if c not in expected_cols]
        parts = [f"missing {missing}"] if missing else []
        parts += [f"unexpected {extra}"] if extra else []
        message = "the columns differ: " + (", ".join(parts) if parts else "same columns in another order")
        return RecordDiff(message, expected=expected_cols, seen=seen_cols)
    for column in expected.columns:
        if str(seen[column].dtype) != str(expected[column].dtype):
            return RecordDiff(f"column {column!r} has the wrong dtype",
                              expected=str(expected[column].dtype), seen=str(seen[column].dtype))
    diff = _records_diff(seen.to_dict("records"), expected.to_dict("records"), what="row")
    if diff is None:
        return RecordDiff("the frames differ in their index", expected=list(expected.index[:5]),
                          seen=list(seen.index[:5]))
    return diff


def _key_field(seen: list[Mapping[str, Any]], expected: list[Mapping[str, Any]]) -> str | None:
    """An id field present, hashable and unique on both sides, if there is one."""
    if not seen or not expected:
        return None
    candidates = [k for k in expected[0] if str(k) == "id" or str(k).endswith("_id")]
    for key in candidates:
        try:
            seen_keys = [r[key] for r in seen]
            expected_keys = [r[key] for r in expected]
            if len(set(seen_keys)) == len(seen_keys) and len(set(expected_keys)) == len(expected_keys):
                return key
        except (KeyError, TypeError):
            continue
    return None


def _records_diff(seen: list[Mapping[str, Any]], expected: list[Mapping[str, Any]], *, what: str) -> RecordDiff | None:
    key = _key_field(seen, expected)
    counts = f"{len(expected)} {what}s expected, {len(seen)} seen"
    missing: list[Any] = []
    extra: list[Any] = []
    if key is None:
        pairs = list(zip(seen, expected, strict=False))
        labels = [f"{what} {i}" for i in range(len(pairs))]
    else:
        seen_by = {r[key]: r for r in seen}
        expected_by = {r[key]: r for r in expected}
        missing = [k for k in expected_by if k not in seen_by]
        extra = [k for k in seen_by if k not in expected_by]
        common = [k for k in expected_by if k in seen_by]
        pairs = [(seen_by[k], expected_by[k]) for k in common]
        labels = [f"{what} with {key}={k!r}" for k in common]
    presence = _presence(key, missing, extra, what)
    if len(seen) != len(expected):
        presence = [counts, *presence]
    for label, (got, want) in zip(labels, pairs, strict=True):
        field_diff = _first_field_diff(got, want)
        if field_diff:
            field, want_value, got_value = field_diff
            prefix = "".join(f"{p}; " for p in presence)
            return RecordDiff(f"{prefix}first difference in {label}, field {field!r}",
                              expected=want_value, seen=got_value)
    if key is None and len(seen) != len(expected):
        return _positional_tail(seen, expected, counts, what)
    if presence:
        return RecordDiff("; ".join(presence))
    if key is not None and [r[key] for r in seen] != [r[key] for r in expected]:
        return RecordDiff(f"the same {what}s in another order (by {key})",
                          expected=[r[key] for r in expected][:10], seen=[r[key] for r in seen][:10])
    return None


def _presence(key: str | None, missing: list[Any], extra: list[Any], what: str) -> list[str]:
    parts = [f"missing {what}s with {key}={_listed(missing)}"] if missing else []
    if extra:
        parts.append(f"unexpected {what}s with {key}={_listed(extra)}")
    return parts


Records = list[Mapping[str, Any]]


def _positional_tail(seen: Records, expected: Records, counts: str, what: str) -> RecordDiff:
    n = min(len(seen), len(expected))
    if len(expected) > n:
        return RecordDiff(f"{counts}; the first missing {what} is {what} {n}", expected=dict(expected[n]))
    return RecordDiff(f"{counts}; the first unexpected {what} is {what} {n}", seen=dict(seen[n]))


def _listed(values: list[Any]) -> str:
    shown = ", ".join(repr(v) for v in values[:_MAX_LISTED])
    more = f" and {len(values) - _MAX_LISTED} more" if len(values) > _MAX_LISTED else ""
    return f"[{shown}]{more}"


def _first_field_diff(seen: Mapping[str, Any], expected: Mapping[str, Any]) -> tuple[str, Any, Any] | None:
    """The first field (in the expected record's order) whose values differ, or that is missing/extra."""
    for field in expected:
        if field not in seen:
            return str(field), expected[field], ABSENT
        if not _same(seen[field], expected[field]):
            return str(field), expected[field], seen[field]
    for field in seen:
        if field not in expected:
            return str(field), ABSENT, seen[field]
    return None


def _same(a: Any, b: Any) -> bool:
    """Equality as a learner means it: two missing values (None, NaN, NaT, NA) are the same,
    and a float is not the same as an exact ``Decimal`` even when ``==`` says so."""
    if _missing(a) and _missing(b):
        return True
    try:
        equal = bool(a == b)
    except (TypeError, ValueError):
        return False
    if not equal or type(a) is type(b):
        return equal
    exact = {"Decimal", "float", "bool", "str"}
    return not ({type(a).__name__, type(b).__name__} & exact)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and NaT are not equal to themselves
    except TypeError:
        return True  # pd.NA: its comparison is NA, whose truth value raises
    except ValueError:
        return False  # an array: not a missing scalar
