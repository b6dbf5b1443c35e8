"""09.2: ``parse_orders(raw_records)`` splits a batch into ``Order`` models and failures.

Every record ends up on one side, in input order, read in one pass; a failure keeps the
original record and a JSON-ready list of every failing field (loc, msg, type), and the
v2 API raises no deprecation warning.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise
from depipe_course.exercises._remote import instance_of
from depipe_course.exercises.part09._shared import _recording_deprecations
from depipe_course.judging.judge import fetch, in_worker, learner_module

batch = exercise("09.2", "Parse a batch, dead-letter the failures", ["parse_orders"], uses=["09.1"])

# Input order is neither order_id nor created_at order, so sorting either way shows.
_GOOD = (
    {"order_id": 1004, "customer_id": 7, "amount": "₹1,234.50", "status": "delivered",
     "created_at": "2026-03-17T14:44:32Z"},
    {"order_id": 1001, "customer_id": 8, "amount": 380, "status": " Placed ",
     "created_at": "2026-03-17 09:00:00", "promo_code": "DIWALI10"},
    {"order_id": 1002, "customer_id": 9, "amount": 99.5, "status": "CANCELLED",
     "created_at": "2026-03-18T01:00:00+05:30"},
)
_GOOD_IDS = [1004, 1001, 1002]
_BAD_TWO_FIELDS = {"order_id": 1003, "customer_id": 9, "amount": "abc", "status": "shipped",
                   "created_at": "2026-03-17T10:00:00Z"}
# A null as the exports write it: a failure must keep it, not tidy it away.
_BAD_MISSING = {"order_id": 1005, "amount": "-5", "status": "placed", "created_at": "2026-03-17T10:00:00Z",
                "promo_code": None}


def _batch() -> list[dict[str, Any]]:
    return copy.deepcopy([_BAD_TWO_FIELDS, _GOOD[0], _GOOD[1], _BAD_MISSING, _GOOD[2]])


def _parsed(parse_orders: Callable[..., Any], records: list[Any]) -> tuple[list[Any], list[Any]]:
    out = parse_orders(records)
    expect(isinstance(out, tuple) and len(out) == 2, "parse_orders must return a pair (orders, failures)",
           expected="(list of Order, list of dict)", seen=f"{type(out).__name__}: {out!r}")
    valid, failed = out
    expect(isinstance(valid, list) and isinstance(failed, list), "both halves must be lists",
           expected="(list, list)", seen=f"({type(valid).__name__}, {type(failed).__name__})")
    return valid, failed


def _failure_records(failed: list[Any]) -> list[Any]:
    expect(all(isinstance(f, dict) and "record" in f for f in failed),
           "each failure must be a dict with the original record under 'record'",
           expected="{'record': raw, 'errors': [...]}", seen=failed[:2])
    return [f["record"] for f in failed]


@batch.check("every record ends up as an Order or a failure, in input order", points=1,
             hint="Loop over the records; try Order.model_validate(raw) and append the Order, or "
                  "catch ValidationError and append a failure: one bad record must not stop the batch.")
def _splits(parse_orders: Callable[..., Any]) -> None:
    valid, failed = _parsed(parse_orders, _batch())
    ids = [getattr(o, "order_id", o) for o in valid]
    expect_equal(ids, _GOOD_IDS, "the order_ids of the valid orders (input order)")
    expect_equal(len(failed), 2, "the number of failures")
    expect_equal(_failure_records(failed), [_BAD_TWO_FIELDS, _BAD_MISSING], "the failed records, in order")


@batch.check("reads raw_records once, so a generator works too", points=1,
             hint="raw_records may be a generator (lines of a file, pages of an API) that can be "
                  "read only once: validate each record in a single loop, not one pass for the "
                  "valid records and another for the failures.")
def _one_pass(parse_orders: Callable[..., Any]) -> None:
    valid, failed = _parsed(parse_orders, (record for record in _batch()))
    expect_equal(([getattr(o, "order_id", o) for o in valid], len(failed)), (_GOOD_IDS, 2),
                 "(order_ids of the valid orders, number of failures) for a generator of the same records")


@batch.check("valid records come back as Order models, not dicts", points=1,
             hint="Append the model Order.model_validate(raw) returns; the rest of the pipeline relies "
                  "on its types (Decimal amount, OrderStatus, aware created_at).")
def _returns_models(parse_orders: Callable[..., Any]) -> None:
    base_model, of_type = learner_module("pydantic").BaseModel, learner_module("builtins").type
    valid, _ = _parsed(parse_orders, _batch())
    expect(valid, "no valid orders came back", expected="3 Orders", seen=valid)
    wrong = [o for o in valid if not (instance_of(o, base_model) and of_type(o).__name__ == "Order")]
    expect(not wrong, "the valid records must be Order instances", expected="Order(...)", seen=wrong[:2])
    expect_equal(valid[0].amount, Decimal("1234.50"), "the first order's amount")


@batch.check("each failure keeps the original record, unchanged", points=1,
             hint="Store the raw record itself under 'record', and never modify the input: the "
                  "dead-letter queue is where someone replays it after a fix.")
def _keeps_record(parse_orders: Callable[..., Any]) -> None:
    before = _batch()
    records = in_worker(_batch())  # kept where parse_orders runs, to see what it does to them
    _, failed = _parsed(parse_orders, records)
    expect_equal(fetch(records), before, "the input records after parse_orders (it must not modify them)")
    expect_equal(_failure_records(failed), [before[0], before[3]], "the records kept in the failures")


def _errors_of(failure: Any) -> list[dict[str, Any]]:
    errors = failure.get("errors") if isinstance(failure, dict) else None
    expect(isinstance(errors, list) and errors and all(isinstance(e, dict) for e in errors),
           "each failure must hold a non-empty list of errors under 'errors'",
           expected="{'record': raw, 'errors': [{'loc': ('amount',), 'msg': ..., 'type': ...}]}",
           seen=failure)
    for error in errors:
        loc = error.get("loc")
        expect(isinstance(loc, tuple | list) and all(isinstance(p, str | int) for p in loc)
               and isinstance(error.get("msg"), str) and isinstance(error.get("type"), str),
               "each error needs loc (a tuple of field names), msg and type",
               expected="{'loc': ('amount',), 'msg': 'Input should be ...', 'type': 'decimal_parsing'}",
               seen=error)
    return errors


@batch.check("each failure lists every field that failed: loc, msg and type", points=2,
             hint="ValidationError.errors() has one dict per failing field, with 'loc', 'msg' and "
                  "'type'. str(exc) is one blob of text: nobody can count failures per field from it.")
def _field_errors(parse_orders: Callable[..., Any]) -> None:
    _, failed = _parsed(parse_orders, _batch())
    expect_equal(len(failed), 2, "the number of failures")
    first, second = (_errors_of(f) for f in failed)
    expect_equal(sorted(tuple(e["loc"]) for e in first), [("amount",), ("status",)],
                 "the error locations for a record with a bad amount and a bad status")
    expect_equal(sorted(tuple(e["loc"]) for e in second), [("amount",), ("customer_id",)],
                 "the error locations for a record with no customer_id and a negative amount")
    types = {tuple(e["loc"]): e["type"] for e in second}
    expect_equal(types.get(("customer_id",)), "missing", "the error type for the missing customer_id")


@batch.check("the dead-letter entries can be written as JSON", points=1,
             hint="exc.errors() also holds 'ctx' and 'input', which can carry a Decimal or the "
                  "exception object: keep loc, msg and type (or call errors(include_context=False, "
                  "include_input=False, include_url=False)).")
def _json_ready(parse_orders: Callable[..., Any]) -> None:
    _, failed = _parsed(parse_orders, _batch() + [{**_GOOD[0], "order_id": 1006, "amount": 19.999}])
    try:
        json.dumps(failed)
    except (TypeError, ValueError) as exc:
        fail("json.dumps(failures) failed: the dead-letter queue could not store them",
             expected="plain JSON types only", seen=f"{type(exc).__name__}: {exc}")


@batch.check("a record that is not an object is dead-lettered too", points=1,
             hint="Order(**raw) raises TypeError for None or a list, outside pydantic; "
                  "Order.model_validate(raw) reports it as a ValidationError like any other bad record.")
def _non_dicts(parse_orders: Callable[..., Any]) -> None:
    odd: list[Any] = [None, "order 1007", [1007, 7]]
    valid, failed = _parsed(parse_orders, [odd[0], copy.deepcopy(_GOOD[0]), odd[1], odd[2]])
    expect_equal(len(valid), 1, "the number of valid orders")
    expect_equal(_failure_records(failed), odd, "the records kept in the failures")
    for failure in failed:
        _errors_of(failure)


@batch.check("uses the v2 API: no deprecation warnings", points=1,
             hint="Order.parse_obj(raw), .dict() and .json() are v1 names and warn "
                  "PydanticDeprecatedSince20: use Order.model_validate(raw), .model_dump(), .model_dump_json().")
def _no_deprecations(parse_orders: Callable[..., Any]) -> None:
    with _recording_deprecations() as deprecations:
        _parsed(parse_orders, _batch())
    expect(not deprecations, "parse_orders raised deprecation warnings", expected="no warnings",
           seen="; ".join(dict.fromkeys(deprecations)))
