"""06.3: ``batch_records(records, batch_size)`` groups a stream into lists of ``batch_size``.

Full batches come first, then the final partial one, never an empty one; each batch is
a new list, lists and generators both work, the first batch comes after pulling only
``batch_size`` records, and ``batch_size < 1`` raises ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise
from depipe_course.exercises.part06._shared import _first_from, _no_stub, _Pulled, _worker_side

batch = exercise("06.3", "Batch a stream", ["batch_records"])


def _gen(n: int) -> Iterator[int]:
    yield from range(n)


@dataclass
class _Handed:
    """The batches a consumer received: each as it was when handed over, the type of each,
    what each holds once the generator went on (a generator that reuses one list changes
    the earlier ones), and whether one list object was handed out again and again."""

    as_handed: list[list[Any]]
    kinds: list[str]
    now: list[Any]
    reused: bool


def _handed_over(batches: Iterable[Any], cap: int = 10) -> _Handed:
    """Take at most ``cap`` batches, copying each one the moment it arrives.

    The consumer runs where the learner's code runs (``_worker_side.handed_over``), so
    the batch objects themselves are there to look at again. Every sub-check but "each
    batch is a new list" judges the copies, so a generator that empties its list after
    yielding it loses points once, where that is checked.
    """
    seen = _worker_side().handed_over(batches, cap)
    return _Handed(seen["as_handed"], seen["kinds"], seen["now"], seen["reused"])


def _full(batches: list[Any]) -> list[Any]:
    """The batches without empty ones at the end: "no empty batch" judges those."""
    end = len(batches)
    while end and batches[end - 1] == []:
        end -= 1
    return batches[:end]


def _batches_equal(got: list[list[Any]], want: list[list[Any]], what: str) -> None:
    """Compare batches, saying first what a person would look for: a missing last batch."""
    if got == want:
        return
    if got == want[:-1]:
        fail(f"{what}: the final, shorter batch is missing", expected=want, seen=got,
             hint="After the loop, the records that did not fill a batch are still in your "
                  "list: yield it when it is not empty.")
    if got[:-1] == want and got[-1:] == [[]]:
        fail(f"{what}: an empty batch came at the end", expected=want, seen=got,
             hint="Yield the leftover batch only `if batch:`: an empty batch costs the writer "
                  "a needless transaction.")
    expect_equal(got, want, what)


@batch.check("yields full batches, then the final partial batch", points=2,
             hint="Append to a list; yield it when it is full; after the loop, yield what is "
                  "left if anything is.")
def _partial(batch_records: Callable[..., Any]) -> None:
    got = _handed_over(batch_records(_gen(25), 10)).as_handed
    _batches_equal(got, [list(range(10)), list(range(10, 20)), list(range(20, 25))],
                   "the batches of 25 numbers with batch_size=10")
    got = _handed_over(batch_records(_gen(3))).as_handed
    _batches_equal(got, [[0, 1, 2]], "the batches of 3 numbers with the default size")


@batch.check("no empty batch: none at the end, none for empty input", points=1,
             hint="Only yield the leftover batch `if batch:`.")
def _no_empty(batch_records: Callable[..., Any]) -> None:
    got = _handed_over(batch_records(_gen(20), 10)).as_handed
    _batches_equal(got, [list(range(10)), list(range(10, 20))],
                   "the batches of 20 numbers with batch_size=10")
    expect_equal(_handed_over(batch_records(_gen(0), 10)).as_handed, [],
                 "the batches of an empty input")


@batch.check("each batch is a new list", points=1,
             hint="Start a fresh list after yielding (batch = []), never batch.clear(): the "
                  "consumer may still hold the batch you yielded.")
def _new_lists(batch_records: Callable[..., Any]) -> None:
    handed = _handed_over(batch_records(_gen(6), 3))  # no partial batch: not judged here
    kinds = handed.kinds
    expect(all(kind == "list" for kind in kinds), "each batch must be a list",
           expected=["list"] * len(kinds), seen=kinds,
           hint="itertools.batched and islice-into-tuple give tuples: yield list(batch), "
                "which write_batch and the consumer can treat as a list.")
    now = handed.now
    changed = [i for i, (then, later) in enumerate(zip(handed.as_handed, now, strict=True))
               if then != later]
    if changed:
        how = "emptied" if all(not now[i] for i in changed) else "changed"
        fail(f"batches were {how} after they were handed over: a consumer that keeps each "
             f"batch finds the earlier ones {how}",
             expected=f"the batches as handed over: {handed.as_handed}",
             seen=f"the same batches once the generator went on: {now}"
                  + (" (one list object, yielded again and again)" if handed.reused else ""))
    _batches_equal(_full(handed.as_handed), [[0, 1, 2], [3, 4, 5]],
                   "the batches of 6 numbers with batch_size=3")


@batch.check("works on a list as well as on a generator", points=1,
             hint="Call iter(records) once: islice on a list starts from the beginning each time.")
def _any_iterable(batch_records: Callable[..., Any]) -> None:
    got = _full(_handed_over(batch_records(list(range(6)), 2)).as_handed)
    _batches_equal(got, [[0, 1], [2, 3], [4, 5]],
                   "the batches of the list [0, 1, 2, 3, 4, 5] with batch_size=2")


@batch.check("is lazy: the first batch comes after pulling batch_size records", points=2,
             hint="A generator that yields each batch as soon as it is full.")
def _lazy_batches(batch_records: Callable[..., Any]) -> None:
    source = _Pulled()
    first = _first_from(batch_records, source, 4)
    expect_equal(list(first), [1, 2, 3, 4], "the first batch of an endless stream")
    expect(source.count == 4, "the first batch must be handed out as soon as it is full",
           expected="4 records pulled", seen=f"{source.count} pulled")


@batch.check("rejects batch_size < 1 with ValueError", points=2,
             hint="if batch_size < 1: raise ValueError(...). Raising when called is best; a "
                  "generator function can only raise on the first next().")
def _rejects(batch_records: Callable[..., Any]) -> None:
    for size in (0, -1):
        try:
            out = batch_records(_gen(3), size)
            first = next(iter(out))
        except ValueError:
            continue
        except StopIteration:
            first = "no batches at all"
        except Exception as exc:
            _no_stub(exc)
            fail(f"batch_size={size} raised {type(exc).__name__}, not ValueError",
                 expected="ValueError", seen=f"{type(exc).__name__}: {exc}",
                 hint="A bad argument is a ValueError: callers catch that. `assert` is for "
                      "bugs in your own code, and `python -O` removes it altogether.")
        fail(f"batch_size={size} was accepted", expected="ValueError", seen=f"first batch: {first!r}")
