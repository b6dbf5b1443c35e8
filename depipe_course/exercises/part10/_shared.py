"""What part 10's exercises share: the fake API with a request budget, time that does not
pass (``_quiet_time``), a dead letter queue kept in memory, the reference ``Payment``,
the gateway's wire records, and the way to what is built in the learner's process
(``_worker_side``: the HTTP session, the counting SQLite connection).
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from unittest import mock

from depipe_course.checking import fail
from depipe_course.exercises._waiting import RecordingSleep

if TYPE_CHECKING:
    import requests

    from depipe_course.fakes.api import FakePaymentsAPI, FaultSchedule


_BUDGET = 150  # data requests one run may make before every answer becomes a reset
_MAX_WAITS = 60


def _fake(*, faults: FaultSchedule | None = None, limit: int = _BUDGET, **kwargs: Any) -> FakePaymentsAPI:
    """A payments-only fake with HTTP Basic auth; its schedule is wrapped in a budget."""
    from depipe_course.fakes.api import FakePaymentsAPI, RequestBudget

    settings: dict[str, Any] = {"orders": 0, "accounts": 0, "auth": "basic", **kwargs}
    return FakePaymentsAPI(faults=RequestBudget(limit, faults), **settings)


def _runaway(api: FakePaymentsAPI) -> None:
    from depipe_course.fakes.api import RequestBudget

    if isinstance(api.faults, RequestBudget) and api.faults.exceeded:
        fail(f"your code made more than {api.faults.limit} requests without finishing: does the loop "
             "stop when next_cursor is null, and does each retry loop stop after max_retries?",
             expected="the loop ends after the last page", seen=f"more than {api.faults.limit} requests")


def _recorder() -> RecordingSleep:
    """A recording sleep allowing as many waits as a hostile run of the reference needs."""
    return RecordingSleep(_MAX_WAITS)


class _LogSink(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        pass


def _worker_side() -> Any:
    """``_worker_side`` as the learner's code sees it: in the worker under the judge, else this process."""
    from depipe_course.judging.judge import learner_module

    return learner_module("depipe_course.exercises.worker_side.part10")


_REAL_SLEEP = time.sleep


def _sleep_defaults(reach: Any) -> contextlib.AbstractContextManager[Any]:
    """``reach``'s ``sleep=time.sleep`` defaults (and its namespace's) follow the patched ``time.sleep``.

    Done where the learner's functions are defined (see ``_worker_side.sleep_defaults``).
    """
    if reach is None:
        return contextlib.nullcontext()
    return _worker_side().sleep_defaults(reach)  # type: ignore[no-any-return]


@contextlib.contextmanager
def _quiet_time(sleeps: Callable[[float], None], reach: Any = None) -> Iterator[None]:
    """``time.sleep`` for the checking thread goes to ``sleeps``; logs and stderr go nowhere.

    ``reach`` is the learner's function: it, and the functions of its namespace, reach
    ``sleeps`` through a ``sleep=time.sleep`` default too (see ``_sleep_defaults``).
    """
    owner = threading.get_ident()

    def patched(seconds: float) -> None:
        if threading.get_ident() == owner:
            sleeps(seconds)
        else:
            _REAL_SLEEP(seconds)

    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    root.handlers = [_LogSink()]
    root.setLevel(logging.WARNING)
    try:
        with (mock.patch.object(time, "sleep", patched), _sleep_defaults(reach),
              contextlib.redirect_stderr(io.StringIO())):
            yield
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)


def _payment_model() -> Any:
    """The reference ``Payment`` of exercise 09.3 (the learner's own in a learner edition)."""
    from depipe_course import edition

    return edition.stand_in("09.3", "Payment")


def _session(kill_at: int | None = None, kill_on: str | None = None) -> requests.Session:
    """A ``requests.Session`` made where the learner's code runs (see ``_worker_side.session``)."""
    return _worker_side().session(kill_at, kill_on)  # type: ignore[no-any-return]


def _n(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _describe(error: BaseException | None) -> str:
    return "no exception" if error is None else f"{type(error).__name__}: {str(error)[:150]}"


@dataclass
class _Entry:
    record: Any
    error: BaseException
    context: Any


@dataclass
class _RecordingDLQ:
    """A dead letter queue that keeps the entries (and the exception objects) in memory."""

    entries: list[_Entry] = field(default_factory=list)

    def write(self, record: Any, error: BaseException, context: Mapping[str, Any] | None = None) -> None:
        self.entries.append(_Entry(record, error, context))

    def __iter__(self) -> Iterator[_Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


def _field(obj: Any, name: str) -> Any:
    """``obj[name]`` for a mapping, ``obj.name`` for a model; None when absent."""
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _entry_payment_id(record: Any, context: Any) -> Any:
    """The payment a dead letter is about: from the context, else from the record."""
    found = _field(context, "payment_id") if isinstance(context, Mapping) else None
    return found if found is not None else _field(record, "payment_id")


_T_SEED = 102


def _raw_payments(payments: int = 60, invalid: int = 10, seed: int = _T_SEED) -> tuple[list[dict[str, Any]], set[str]]:
    """Wire records (invalid ones among them) and the ids of the invalid ones."""
    from depipe_course.fakes.api import FakePaymentsAPI

    api = FakePaymentsAPI(seed=seed, orders=0, accounts=0, payments=payments, invalid_payments=invalid)
    return api.state.payment_records(), set(api.state.invalid_payments())


def _expected_rows(payments: Iterable[Any]) -> list[Any]:
    from datetime import UTC

    def text(value: Any) -> str:
        return str(getattr(value, "value", value))

    rows = [(p.payment_id, p.merchant_id, Decimal(p.amount), text(p.currency), text(p.status), text(p.method),
             None if p.captured_at is None else p.captured_at.astimezone(UTC)) for p in payments]
    return sorted(rows, key=lambda row: row[0])
