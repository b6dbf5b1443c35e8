"""10.2: ``transform_payments(raw, dlq)`` yields a ``Payment`` per valid record and dead-letters the rest.

One record in, one payment out; each invalid record goes to the dead letter queue once,
unchanged, with its ValidationError and payment_id; an error from the source propagates,
and the input is never modified.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise
from depipe_course.exercises._errors import in_chain as _in_chain
from depipe_course.exercises.part10._shared import (
    _describe,
    _entry_payment_id,
    _field,
    _n,
    _payment_model,
    _quiet_time,
    _raw_payments,
    _recorder,
    _RecordingDLQ,
)
from depipe_course.judging.judge import fetch, in_worker

transform = exercise("10.2", "Validate payments, dead-letter the rest", ["transform_payments"],
                     uses=["09.3", "04.3"])


def _dump(item: Any) -> Any:
    dump = getattr(item, "model_dump", None)
    if not callable(dump):
        fail("yield Payment models (the validated objects), not dicts or tuples",
             expected="Payment(...)", seen=repr(item)[:120])
    return dump()


def _transform(transform_payments: Callable[..., Any], raw: Iterable[Any],
               cap: int = 5_000) -> tuple[list[Any], _RecordingDLQ]:
    dlq = _RecordingDLQ()
    with _quiet_time(_recorder()):
        out = list(itertools.islice(iter(transform_payments(raw, dlq)), cap))
    return out, dlq


@transform.check("yields a Payment for each valid record, in order", points=2,
                 hint="Payment.model_validate(record) for each record; yield the model.")
def _tr_valid(transform_payments: Callable[..., Any]) -> None:
    Payment = _payment_model()
    raw, invalid = _raw_payments()
    out, _ = _transform(transform_payments, raw)
    expected = [Payment.model_validate(r).model_dump() for r in raw if r["payment_id"] not in invalid]
    seen = [_dump(p) for p in out]
    expect(len(seen) == len(expected), "one Payment per valid record",
           expected=_n(len(expected), "payment"), seen=_n(len(seen), "payment"))
    for want, got in zip(expected, seen, strict=True):
        expect_equal(got, want, f"payment {want['payment_id']}")


@transform.check("dead-letters each invalid record once, exactly as it came", points=3,
                 hint="except ValidationError as error: dlq.write(record, error, context=...) with the raw "
                      "record itself, then continue with the next record.")
def _tr_invalid(transform_payments: Callable[..., Any]) -> None:
    raw, invalid = _raw_payments()
    _, dlq = _transform(transform_payments, raw)
    by_id = {r["payment_id"]: r for r in raw}
    ids = [_entry_payment_id(e.record, e.context) for e in dlq]
    expect(sorted(map(str, ids)) == sorted(invalid), "the dead letter queue should hold each invalid record once",
           expected=f"{len(invalid)} entries, one per invalid payment",
           seen=f"{len(ids)} entries: {Counter(map(str, ids)).most_common(3)}")
    changed = [i for i, e in zip(ids, dlq, strict=True) if e.record != by_id.get(i)]
    expect(not changed, "store the record as it came from the API, so it can be fixed and replayed",
           expected="the raw dict, unchanged", seen=f"{len(changed)} altered, e.g. {changed[:1]}")


@transform.check("a dead letter says why: the ValidationError and the payment_id", points=2,
                 hint="Pass the ValidationError itself as the error, and context={'payment_id': "
                      "record.get('payment_id'), ...} (None when the record has none).")
def _tr_context(transform_payments: Callable[..., Any]) -> None:
    from pydantic import ValidationError

    raw, invalid = _raw_payments()
    _, dlq = _transform(transform_payments, raw)
    expect(len(dlq) > 0, "nothing was dead-lettered", expected=f"{len(invalid)} entries", seen=0)
    for entry in dlq:
        expect(isinstance(entry.error, ValidationError), "the error of a dead letter should be the "
               "ValidationError: it names each failing field", expected="pydantic.ValidationError",
               seen=type(entry.error).__name__)
        record_id = _field(entry.record, "payment_id")
        expect(isinstance(entry.context, Mapping) and entry.context.get("payment_id") == record_id,
               "the context should name the payment, so it can be found at the gateway",
               expected={"payment_id": record_id}, seen=entry.context)


class _Pulled:
    """Records from ``items`` that count how many were taken, refusing more than ``limit``."""

    class TooMany(Exception):
        pass

    def __init__(self, items: list[Any], limit: int) -> None:
        self.items = items
        self.limit = limit
        self.taken = 0

    def __iter__(self) -> Iterator[Any]:
        for item in self.items:
            self.taken += 1
            if self.taken > self.limit:
                raise self.TooMany(f"read more than {self.limit} records")
            yield item


@transform.check("is lazy: one record in, one payment out", points=1,
                 hint="Loop over raw and yield each Payment as soon as it is validated; build no list.")
def _tr_lazy(transform_payments: Callable[..., Any]) -> None:
    raw, invalid = _raw_payments()
    first_valid = next(i for i, r in enumerate(raw) if r["payment_id"] not in invalid)
    source = _Pulled(raw, limit=first_valid + 5)
    with _quiet_time(_recorder()):
        try:
            first = next(iter(transform_payments(source, _RecordingDLQ())), None)
        except _Pulled.TooMany:
            fail("the first payment must come out before the rest of the input is read",
                 expected=f"{first_valid + 1} records read", seen="the whole input asked for")
    expect(first is not None and source.taken == first_valid + 1, "read only as far as the first valid record",
           expected=f"{first_valid + 1} records read", seen=f"{source.taken} read")


class _SourceDown(Exception):
    """Stands in for a fetch that gave up (say, an HTTPError after the last retry)."""


@transform.check("lets an error from the source propagate", points=1,
                 hint="Catch only ValidationError, around model_validate. A try around the whole loop "
                      "turns a failed fetch into a quiet, short run.")
def _tr_propagates(transform_payments: Callable[..., Any]) -> None:
    raw, invalid = _raw_payments()
    valid = [r for r in raw if r["payment_id"] not in invalid][:3]

    def failing_source() -> Iterator[dict[str, Any]]:
        yield from valid
        raise _SourceDown("the payments API gave up after 5 retries")

    got: list[Any] = []
    error: BaseException | None = None
    with _quiet_time(_recorder()):
        try:
            for payment in transform_payments(failing_source(), _RecordingDLQ()):
                got.append(payment)
        except NotImplementedError:
            raise
        except Exception as exc:
            error = exc
    expect(_in_chain(error, _SourceDown) is not None, "an error raised by the input is not a bad record: it must "
           "reach the caller", expected="_SourceDown raised after 3 payments",
           seen=f"{_describe(error)} after {_n(len(got), 'payment')}")


@transform.check("leaves the raw records unchanged", points=1,
                 hint="Validate the record as it is; never pop, rename or convert its keys in place.")
def _tr_no_mutation(transform_payments: Callable[..., Any]) -> None:
    import copy

    before, _ = _raw_payments()
    raw = in_worker(copy.deepcopy(before))  # kept where the learner's code runs: fetched to see what it did
    _transform(transform_payments, raw)
    changed = [b["payment_id"] for a, b in zip(fetch(raw), before, strict=True) if a != b]
    expect(not changed, "the input records were modified", expected="the same dicts, unchanged",
           seen=f"{len(changed)} changed, e.g. {changed[:1]}")
