"""06.2: ``validate_orders`` and ``transform_orders`` are lazy stages of the orders pipeline.

``validate_orders`` keeps valid records unchanged and in order and drops each kind of
invalid one with a WARNING naming its ``order_id``, without raising. ``transform_orders``
gives int ids, a stripped lower-case status, a ``Decimal`` amount with exactly two
places rounded from its written value (not through float), and a tz-aware UTC
``created_at`` (an offset converted, not relabelled), without modifying its input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from depipe_course.checking import CheckFailed, expect, expect_equal, fail
from depipe_course.exercises import exercise
from depipe_course.exercises.part06._shared import _TEN_UTC, _captured_logs, _first_from, _no_stub, _Pulled, _take

clean = exercise("06.2", "Validate and transform lazily", ["validate_orders", "transform_orders"])


def _raw(order_id: Any = 1000001, *, customer_id: Any = 42, amount: Any = "380.50",
         status: Any = "delivered", created_at: Any = "2026-03-01T10:00:00Z") -> dict[str, Any]:
    return {"order_id": order_id, "customer_id": customer_id, "amount": amount,
            "status": status, "created_at": created_at}


_VALID = [
    _raw(1),
    _raw(2, status=" Delivered "),
    _raw(3, status="PLACED", created_at="2026-03-01T15:30:00+05:30"),
    _raw(4, amount=12, created_at="2026-03-01 10:00:00"),
    _raw(5, amount=2.675, status="Confirmed"),
    _raw(6, amount="0.01", status="cancelled "),
]

_INVALID = [
    ("amount null", _raw(11, amount=None)),
    ("amount '0.00'", _raw(12, amount="0.00")),
    ("amount '-25.00'", _raw(13, amount="-25.00")),
    ("amount 'abc'", _raw(14, amount="abc")),
    ("no order_id", {k: v for k, v in _raw().items() if k != "order_id"}),
    ("customer_id null", _raw(16, customer_id=None)),
    ("status 'deliverd'", _raw(17, status="deliverd")),
    ("status null", _raw(18, status=None)),
    ("status 'N/A'", _raw(19, status="N/A")),
    ("created_at null", _raw(20, created_at=None)),
    ("created_at 'not-a-date'", _raw(21, created_at="not-a-date")),
    ("created_at '2026-02-30T10:00:00' (no such day)", _raw(22, created_at="2026-02-30T10:00:00")),
    ("created_at 'yesterday'", _raw(23, created_at="yesterday")),
]


def _copy(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [dict(r) for r in records]


_BAD_DATA_RAISES = ("Bad data must not stop the stream: turn each field's conversion error "
                    "(InvalidOperation, ValueError, TypeError, KeyError) into 'invalid', log "
                    "the record and `continue`.")
_VALID_PASSES = ("Each valid form must pass: ids as ints or digit strings, amounts as numbers or "
                 "numeric strings, status in any case with spaces, created_at with 'Z', an "
                 "offset or no zone.")
_VALID_FORMS = ("transform_orders receives every form validate_orders accepts: ids as ints or "
                "digit strings, amounts as strings or JSON numbers, created_at with 'Z', an "
                "offset or no zone. The error says which conversion failed on which form.")


def _run_stage(stage: Callable[..., Iterable[Any]], records: Iterable[Any], name: str, *,
               what: str, hint: str, cap: int = 50) -> list[Any]:
    """At most ``cap`` results of ``stage(iter(records))``; an exception fails the sub-check
    with ``hint`` (what the exception means here), not the sub-check's own hint."""
    try:
        return _take(stage(iter(records)), cap)
    except Exception as exc:
        _no_stub(exc)
        fail(f"{name} raised {type(exc).__name__} on {what}: {exc}",
             expected=f"{name} to go on through the stream", seen=f"{type(exc).__name__}: {exc}",
             hint=hint)


@clean.check("validate_orders keeps valid records, unchanged and in order", points=2,
             hint="Yield the record itself when it passes; compare amounts as numbers "
                  "(Decimal(str(amount)) > 0), not strings with ints.")
def _keeps_valid(validate_orders: Callable[..., Any]) -> None:
    got = _run_stage(validate_orders, _copy(_VALID), "validate_orders", what="valid records",
                     hint=_VALID_PASSES)
    same_ids = [r.get("order_id") if isinstance(r, dict) else r for r in got] == [
        r["order_id"] for r in _VALID]
    expect_equal(got, _VALID, "the records validate_orders let through",
                 hint="Yield each valid record as it came: validate_orders only decides, and "
                      "cleaning (strip, lower, types) is transform_orders' job." if same_ids
                 else None)


@clean.check("validate_orders drops each kind of invalid record, without raising", points=3,
             hint="A filter: for a bad record, log it and `continue`. Check every field: ids, "
                  "amount > 0, status (after strip/lower) in the four, created_at parseable.")
def _drops_invalid(validate_orders: Callable[..., Any]) -> None:
    kept, raised = [], []
    for label, record in _INVALID:
        try:
            with _captured_logs():
                if _take(validate_orders(iter([dict(record)])), 5):
                    kept.append(label)
        except Exception as exc:
            _no_stub(exc)
            raised.append(f"{label}: {type(exc).__name__}")
    expect(not raised, f"validate_orders raised on {len(raised)} of {len(_INVALID)} kinds of "
           "bad data instead of dropping the record", expected="every invalid record dropped, "
           "no exception", seen=_first_few(raised),
           hint="Bad data must not stop the stream: turn each field's conversion error "
                "(InvalidOperation, ValueError, TypeError, KeyError) into 'invalid', log the "
                "record and `continue`.")
    expect(not kept, f"validate_orders kept {len(kept)} of {len(_INVALID)} kinds of invalid "
           "record", expected="every invalid record dropped", seen=_first_few(kept))
    stream = [r for pair in zip(_copy(_VALID), _copy(r for _, r in _INVALID[:6]), strict=True)
              for r in pair]
    with _captured_logs():
        got = _run_stage(validate_orders, stream, "validate_orders",
                         what="a stream mixing valid and invalid records", hint=_BAD_DATA_RAISES)
    # Only which records stay is judged here; "unchanged" is the first sub-check's business.
    expect_equal([{"order_id": r.get("order_id")} for r in got],
                 [{"order_id": r["order_id"]} for r in _VALID],
                 "the records kept from a stream mixing valid and invalid ones")


@clean.check("validate_orders rejects a non-ISO date like '17/03/2026 10:00'", points=1,
             hint="Accept ISO-8601 only (datetime.fromisoformat): 17/03/2026 is day-first, and "
                  "03/04/2026 could be March or April. Guessing corrupts data silently.")
def _non_iso(validate_orders: Callable[..., Any]) -> None:
    with _captured_logs():
        kept = _run_stage(validate_orders, [_raw(24, created_at="17/03/2026 10:00")],
                          "validate_orders", what="created_at '17/03/2026 10:00'",
                          hint=_BAD_DATA_RAISES)
    expect(not kept, "a day-first date is not ISO-8601 and must be dropped",
           expected="dropped", seen="kept")


@clean.check("validate_orders logs each dropped record at WARNING with its order_id", points=2,
             hint="logger.warning('dropping order %s: %s', record.get('order_id'), reason) "
                  "for every record you drop.")
def _logs_dropped(validate_orders: Callable[..., Any]) -> None:
    with _captured_logs() as logs:
        kept = _run_stage(validate_orders, _copy(r for _, r in _INVALID), "validate_orders",
                          what="invalid records, so their warnings could not be counted",
                          hint=_BAD_DATA_RAISES)
    # Judge the records this validate_orders did drop: keeping some is another sub-check's.
    dropped = [r for _, r in _INVALID if r not in kept]
    expect(logs.count >= len(dropped), "every dropped record needs its own warning",
           expected=f"at least {len(dropped)} warnings, one per record dropped",
           seen=f"{logs.count}")
    ids = [r["order_id"] for r in dropped if "order_id" in r]
    missing = [i for i in ids if not logs.mentions(i)]
    expect(not missing, "a warning must name the order_id of the record it dropped",
           expected=f"order_ids {ids[0]}..{ids[-1]} in the warnings", seen=f"missing: {missing}")


@clean.check("validate_orders and transform_orders are lazy", points=2,
             hint="Write each as a generator (`for record in records: ... yield ...`); "
                  "never list(records).")
def _lazy_stages(validate_orders: Callable[..., Any], transform_orders: Callable[..., Any]) -> None:
    for name, stage in (("validate_orders", validate_orders), ("transform_orders", transform_orders)):
        source = _Pulled(_raw(1))
        try:
            with _captured_logs():
                _first_from(stage, source)
        except Exception as exc:
            _no_stub(exc)
            if isinstance(exc, CheckFailed):
                raise
            fail(f"{name} raised {type(exc).__name__} on valid records: {exc}",
                 expected=f"{name} to go on through the stream",
                 seen=f"{type(exc).__name__}: {exc}",
                 hint=_VALID_FORMS if name == "transform_orders" else _VALID_PASSES)
        expect(source.count == 1, f"{name} must pull one record to produce one",
               expected="1 record pulled", seen=f"{source.count} pulled")


def _first_few(items: list[str], shown: int = 4) -> str:
    more = f"; and {len(items) - shown} more" if len(items) > shown else ""
    return "; ".join(items[:shown]) + more


def _transformed(transform_orders: Callable[..., Any], records: list[dict[str, Any]]) -> list[Any]:
    got = _run_stage(transform_orders, _copy(records), "transform_orders", what="valid records",
                     hint=_VALID_FORMS, cap=len(records) + 5)
    expect(len(got) == len(records), "transform_orders must yield one order per input record",
           expected=len(records), seen=len(got))
    for order in got:
        expect(isinstance(order, dict), "each transformed order must be a dict",
               expected="dict", seen=type(order).__name__)
    return got


@clean.check("transform_orders: int ids, stripped lower-case status", points=2,
             hint="int(record['order_id']); record['status'].strip().lower().")
def _ids_and_status(transform_orders: Callable[..., Any]) -> None:
    records = [_raw("1000001", customer_id="42", status=" Delivered "), _raw(7, status="PLACED")]
    got = _transformed(transform_orders, records)
    not_int = [f"{field} {o.get(field)!r} ({type(o.get(field)).__name__})" for o in got
               for field in ("order_id", "customer_id") if type(o.get(field)) is not int]
    expect(not not_int, "order_id and customer_id must be ints", expected="int ids such as "
           "1000001 and 42", seen=_first_few(not_int),
           hint="int(record['order_id']): an id that arrives as the text '1000001' becomes "
                "the int 1000001.")
    seen = [{k: o.get(k) for k in ("order_id", "customer_id", "status")} for o in got]
    expected = [{"order_id": 1000001, "customer_id": 42, "status": "delivered"},
                {"order_id": 7, "customer_id": 42, "status": "placed"}]
    expect_equal(seen, expected, "the orders made from order_id '1000001', customer_id '42', "
                 "status ' Delivered ' and from status 'PLACED'")


def _amounts(transform_orders: Callable[..., Any], cases: list[tuple[Any, str]]) -> None:
    got = _transformed(transform_orders, [_raw(i + 1, amount=a) for i, (a, _) in enumerate(cases)])
    not_decimal = [f"{given!r} -> {order.get('amount')!r}"
                   for (given, _), order in zip(cases, got, strict=True)
                   if not isinstance(order.get("amount"), Decimal)]
    expect(not not_decimal, "amount must be a Decimal, the exact type for money",
           expected=f"{cases[0][0]!r} -> Decimal('{cases[0][1]}')", seen=_first_few(not_decimal),
           hint="Decimal(str(value)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP): a float "
                "cannot hold cents exactly, and a string cannot be summed.")
    # str() shows the places: Decimal('380.5') == Decimal('380.50'), but they print apart.
    seen = [{"order_id": i + 1, "amount": str(order["amount"])} for i, order in enumerate(got)]
    expected = [{"order_id": i + 1, "amount": want} for i, (_, want) in enumerate(cases)]
    made_from = ", ".join(f"{given!r}" for given, _ in cases)
    expect_equal(seen, expected, f"str(amount) of orders 1 to {len(cases)}, made from {made_from}")


@clean.check("transform_orders: amount is a Decimal with exactly two places", points=2,
             hint="Decimal(text).quantize(Decimal('0.01')): '380.5' becomes Decimal('380.50').")
def _two_places(transform_orders: Callable[..., Any]) -> None:
    _amounts(transform_orders, [("380.5", "380.50"), ("12", "12.00"), (7, "7.00"),
                                ("0.1", "0.10"), ("380.50", "380.50")])


@clean.check("transform_orders: amount is rounded from its text, not through float", points=2,
             hint="float('2.675') is 2.67499999...: round() then gives 2.67. Quantize the "
                  "Decimal made from the text instead: Decimal('2.675') rounds to 2.68.")
def _no_float(transform_orders: Callable[..., Any]) -> None:
    _amounts(transform_orders, [("2.675", "2.68"), ("1.015", "1.02"),
                                ("99999999999999.99", "99999999999999.99")])


@clean.check("transform_orders: a JSON number amount (the float 2.675) keeps its written value",
             points=1,
             hint="Decimal(2.675) exposes the float's binary error; Decimal(str(2.675)) starts "
                  "from '2.675', the shortest text that reads back as that float.")
def _float_input(transform_orders: Callable[..., Any]) -> None:
    _amounts(transform_orders, [(2.675, "2.68"), (380.5, "380.50"), (0.1, "0.10")])


def _times(transform_orders: Callable[..., Any], texts: list[str]) -> None:
    got = _transformed(transform_orders, [_raw(i + 1, created_at=t) for i, t in enumerate(texts)])
    not_datetime = [f"{text!r} -> {order.get('created_at')!r}"
                    for text, order in zip(texts, got, strict=True)
                    if not isinstance(order.get("created_at"), datetime)]
    expect(not not_datetime, "created_at must be a datetime", expected="datetime(2026, 3, 1, 10, "
           "0, tzinfo=UTC)", seen=_first_few(not_datetime),
           hint="datetime.fromisoformat(text), then make it UTC: .replace(tzinfo=UTC) when it "
                "is naive, .astimezone(UTC) when it has an offset.")
    # isoformat() shows both the instant and the zone it is expressed in.
    seen = [{"order_id": i + 1, "created_at": order["created_at"].isoformat()}
            for i, order in enumerate(got)]
    expected = [{"order_id": i + 1, "created_at": _TEN_UTC.isoformat()} for i in range(len(texts))]
    made_from = ", ".join(repr(text) for text in texts)
    expect_equal(seen, expected, f"created_at.isoformat() of orders 1 to {len(texts)}, made from "
                 f"{made_from} (the same instant, 10:00 UTC)")


@clean.check("transform_orders: created_at is tz-aware UTC (Z and naive input)", points=2,
             hint="datetime.fromisoformat(text); a naive result is UTC already: "
                  ".replace(tzinfo=UTC).")
def _utc_naive(transform_orders: Callable[..., Any]) -> None:
    _times(transform_orders, ["2026-03-01T10:00:00Z", "2026-03-01 10:00:00",
                              "2026-03-01T10:00:00"])


@clean.check("transform_orders: an offset like +05:30 is converted to UTC, not relabelled",
             points=2,
             hint="tz_localize('UTC') raises on a timestamp that already has an offset, and "
                  "replace(tzinfo=utc) relabels 15:30 as UTC. Convert: .astimezone(UTC) "
                  "(pandas: .tz_convert('UTC')).")
def _utc_offset(transform_orders: Callable[..., Any]) -> None:
    _times(transform_orders, ["2026-03-01T15:30:00+05:30", "2026-03-01T05:00:00-05:00",
                              "2026-03-01T10:00:00+00:00"])


@clean.check("transform_orders does not modify its input records", points=1,
             hint="Build and yield a new dict instead of assigning into the record.")
def _no_mutation(transform_orders: Callable[..., Any]) -> None:
    from depipe_course.judging.judge import fetch, in_worker

    records = in_worker(_copy(_VALID))  # kept where the learner's code runs, to be looked at afterwards
    _run_stage(transform_orders, records, "transform_orders", what="valid records",
               hint=_VALID_FORMS)
    expect_equal(fetch(records), _VALID, "the input records after transform_orders ran")
