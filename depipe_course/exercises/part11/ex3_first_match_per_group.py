"""11.3: ``first_match_per_group(groups, predicate)`` yields the first match of each group, lazily.

A group without a match is skipped (no StopIteration ending the generator), a falsy match
is still yielded, a group is read no further than its first match, and groups are read
one per item wanted.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from depipe_course.checking import expect, expect_equal
from depipe_course.exercises import exercise
from depipe_course.exercises.part11._shared import _silent_logs

firsts = exercise("11.3", "The first match of each group, in a generator", ["first_match_per_group"])


def _is_delivered(order: Any) -> bool:
    return isinstance(order, dict) and order.get("status") == "delivered"


def _orders(*statuses: str, start: int = 1) -> list[dict[str, Any]]:
    return [{"order_id": start + i, "status": s} for i, s in enumerate(statuses)]


def _collect(first_match_per_group: Callable[..., Any], groups: Iterable[Any],
             predicate: Callable[[Any], bool]) -> list[Any]:
    with _silent_logs():
        out = first_match_per_group(groups, predicate)
        expect(isinstance(out, Iterable), "first_match_per_group must return an iterator (write it "
               "as a generator)", expected="a generator", seen=type(out).__name__)
        return list(itertools.islice(out, 1_000))


@firsts.check("yields the first match of each group, in order", points=2,
              hint="for group in groups: for item in group: if predicate(item): yield item; break")
def _first_of_each(first_match_per_group: Callable[..., Any]) -> None:
    groups = [_orders("placed", "delivered", "delivered", start=1),
              _orders("delivered", start=10),
              _orders("cancelled", "placed", "delivered", start=20)]
    got = _collect(first_match_per_group, groups, _is_delivered)
    expect_equal([o.get("order_id") for o in got], [2, 10, 22], "the order_ids yielded")


@firsts.check("a group without a match is skipped and the next groups are still read", points=3,
              hint="next(...) without a default raises StopIteration when nothing matches; inside a "
                   "generator Python turns it into RuntimeError (PEP 479), and catching it to "
                   "`return` ends the whole generator. Use a for loop with break, or next(it, sentinel).")
def _no_match(first_match_per_group: Callable[..., Any]) -> None:
    groups = [_orders("placed", "delivered", start=1), _orders("cancelled", "placed", start=10), [],
              _orders("delivered", start=20), _orders("placed", start=30), _orders("delivered", start=40)]
    got = _collect(first_match_per_group, iter(groups), _is_delivered)
    expect_equal([o.get("order_id") for o in got], [2, 20, 40],
                 "the order_ids yielded when groups 2, 3 and 5 have no delivered order")


@firsts.check("a match that is falsy or None is still yielded", points=1,
              hint="Test for 'no match' with a sentinel (`missing = object()`; "
                   "`next(it, missing) is not missing`) or a for/break loop, not with "
                   "`if match:` or `is not None`: 0, '' and None can be real items.")
def _falsy(first_match_per_group: Callable[..., Any]) -> None:
    groups = [[5, 0, 7], [3, 9], ["", "x"], [None, 4]]
    got = _collect(first_match_per_group, groups, lambda x: not x)
    expect_equal(got, [0, "", None], "the items yielded for the predicate `not x`")


class _CountingGroup:
    """A group that counts how many of its items were pulled."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items
        self.pulled = 0

    def __iter__(self) -> Iterator[Any]:
        for item in self.items:
            self.pulled += 1
            yield item


@firsts.check("stops reading a group at its first match", points=1,
              hint="Break out of the group as soon as an item matches: the rest of a group may be "
                   "a whole file. No list of every match.")
def _stops_early(first_match_per_group: Callable[..., Any]) -> None:
    group = _CountingGroup(_orders("placed", "delivered", *["delivered"] * 998))
    got = _collect(first_match_per_group, [group], _is_delivered)
    expect_equal([o.get("order_id") for o in got], [2], "the order_ids yielded")
    expect(group.pulled == 2, "the group was read past its first match",
           expected="2 items pulled", seen=f"{group.pulled} items pulled")


@firsts.check("lazy: one group read per item wanted", points=1,
              hint="Loop over groups directly; no list(groups), which never ends on a stream.")
def _lazy(first_match_per_group: Callable[..., Any]) -> None:
    pulled = 0

    def endless() -> Iterator[list[dict[str, Any]]]:
        nonlocal pulled
        for n in itertools.count():
            pulled += 1
            if pulled > 1_000:
                raise RuntimeError("read 1,000 groups from an endless stream")
            yield _orders("delivered", start=n)

    with _silent_logs():
        got = list(itertools.islice(first_match_per_group(endless(), _is_delivered), 3))
    expect_equal([o.get("order_id") for o in got], [0, 1, 2], "the first three items of an endless stream")
    expect(pulled <= 4, "more groups were read than the items asked for needed",
           expected="at most 4 groups read for 3 items", seen=f"{pulled} groups read")
