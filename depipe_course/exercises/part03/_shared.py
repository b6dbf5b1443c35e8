"""What two or more of part 03's exercises use.

A fake with a request budget, a learner's stream collected with its failure explained by
the request the API refused, the checks on the request log (a timeout on every request,
each record exactly once, the first record after one request), time patched for the
checking thread only.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any
from unittest import mock

from depipe_course.checking import expect, fail

if TYPE_CHECKING:
    import requests

    from depipe_course.fakes.api import FakePaymentsAPI

_BUDGET = 200  # requests any one sub-check may make before it is cut off


def _fake(*, budget: int = _BUDGET, **kwargs: Any) -> FakePaymentsAPI:
    """A fake (``auth="none"`` unless given) whose request budget is ``api.faults``."""
    from depipe_course.fakes.api import FakePaymentsAPI, RequestBudget

    return FakePaymentsAPI(faults=RequestBudget(budget), **{"auth": "none", **kwargs})


def _fresh_budget(api: FakePaymentsAPI) -> None:
    """Start counting again: each run of the learner's code gets the whole budget."""
    from depipe_course.fakes.api import RequestBudget

    api.faults = RequestBudget(api.faults.limit if isinstance(api.faults, RequestBudget) else _BUDGET)


def _budget_blown(api: FakePaymentsAPI) -> bool:
    from depipe_course.fakes.api import RequestBudget

    return isinstance(api.faults, RequestBudget) and api.faults.exceeded


def _runaway(api: FakePaymentsAPI) -> None:
    from depipe_course.fakes.api import RequestBudget

    assert isinstance(api.faults, RequestBudget)
    fail(f"your code made more than {api.faults.limit} requests without finishing: "
         "does the loop stop after the last page?",
         expected="the loop ends after the last page", seen=f"more than {api.faults.limit} requests")


def _collect(make: Callable[[], Any], api: FakePaymentsAPI, cap: int) -> list[Any]:
    """Up to ``cap`` items from what ``make()`` returns; a runaway loop fails clearly."""
    _fresh_budget(api)
    return _explained(lambda: list(itertools.islice(iter(make()), cap)), api)


def _explained(run: Callable[[], Any], api: FakePaymentsAPI) -> Any:
    """``run()``, whose failure is reported by its cause when the log shows one.

    A learner's exception is often only the symptom: the API refused a request (a
    400 for ``page=0``) and the code then looked for ``"items"`` in the error body.
    The request log shows the refusal, so the failure names it instead of the
    KeyError that followed.
    """
    import requests

    first = len(api.calls)
    try:
        return run()
    except NotImplementedError:
        raise
    except requests.ConnectionError as exc:
        if _budget_blown(api):
            _runaway(api)
        _explain_refusal(api, first, exc)
        raise
    except Exception as exc:  # learner code may raise anything: look for the cause first
        _explain_refusal(api, first, exc)
        raise


def _refusal(api: FakePaymentsAPI, first: int) -> Any:
    """The first request from ``first`` on that the API answered with a 4xx other than 429."""
    for call in api.calls[first:]:
        if call.status is not None and 400 <= call.status < 500 and call.status != 429:
            return call
    return None


def _answer_to(call: Any) -> str:
    """What the fake said to ``call``: the log keeps no bodies, so the check asks again."""
    import requests

    try:
        body = requests.get(call.url, headers=dict(call.headers), timeout=5).json()
    except (requests.RequestException, ValueError):
        return ""
    return str(body.get("message", "")) if isinstance(body, Mapping) else ""


def _explain_refusal(api: FakePaymentsAPI, first: int, exc: BaseException) -> None:
    """Fail naming the refused request, if there was one; return otherwise."""
    from depipe_course.fakes.api import routes

    call = _refusal(api, first)
    if call is None:
        return
    answer = _answer_to(call)
    raised = f"{type(exc).__name__}: {exc}"[:120]
    seen = f"the API answered {call.status}{f' ({answer})' if answer else ''}; then your code raised {raised}"
    page = call.params.get("page")
    if call.route == routes.ORDERS and page in ("0", ["0"]):
        which = "first request" if call is api.calls[first] else "requests"
        fail(f"pages start at 1: your {which} asked for page=0", expected="page=1 on the first request",
             seen=seen, hint="Start the page counter at 1: this API numbers its pages from 1 and refuses "
                             "page=0 with a 400. Call response.raise_for_status() after each request, so "
                             "an error answer stops your code at once instead of failing later on a missing "
                             "'items'.")
    fail(f"the API refused one of your requests with {call.status}, and your code then failed",
         expected="an answer of 200 to every request", seen=seen,
         hint="The API's message names the parameter it could not accept: compare your request with "
              "the endpoint's description above. Call response.raise_for_status() after each request, so "
              "an error answer stops your code at once instead of failing later on a missing key.")


def _ids(records: Iterable[Any], key: str, what: str) -> list[Any]:
    ids = []
    for record in records:
        if not isinstance(record, Mapping) or key not in record:
            fail(f"yield each {what} as the dict the API sent (with its {key!r})",
                 expected=f"a dict with {key!r}", seen=repr(record)[:120])
        ids.append(record[key])
    return ids


def _expect_each_once(ids: list[Any], expected: list[Any], what: str) -> None:
    counts = Counter(ids)
    wanted = set(expected)
    missing = len(wanted - counts.keys())
    outside = len(counts.keys() - wanted)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    if missing or outside or duplicates:
        fail(f"not every {what} arrived exactly once",
             expected=f"{len(wanted)} {what}s, each once",
             seen=f"{len(ids)} yielded: {missing} missing, {duplicates} duplicates, "
                  f"{outside} not in the requested window")


def _n(count: int, noun: str) -> str:
    """``1 payment``, ``2 payments``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _day_ts(day: str) -> int:
    from datetime import UTC, date, datetime
    from datetime import time as dtime

    return int(datetime.combine(date.fromisoformat(day), dtime(), UTC).timestamp())


def _expect_timeouts(api: FakePaymentsAPI) -> None:
    expect(len(api.calls) > 0, "no request reached the API", expected="at least one request", seen=0)
    missing = [c.url for c in api.calls if not c.timeout_passed]
    expect(not missing, "a request without timeout= can hang for ever on a stalled connection",
           expected="timeout= on every request", seen=f"{len(missing)} of {len(api.calls)} requests "
           f"without one, e.g. {missing[0] if missing else ''}")


def _expect_lazy(make: Callable[[], Any], api: FakePaymentsAPI, what: str) -> None:
    first = _explained(lambda: next(iter(make()), None), api)
    expect(first is not None, f"no {what} came out at all", expected=f"a first {what}", seen="nothing")
    expect(api.count() == 1, f"the first {what} should arrive after one request, with the other pages "
           "fetched only when the consumer gets to them", expected="1 request",
           seen=f"{_n(api.count(), 'request')} before the first {what}")


@contextlib.contextmanager
def _patched_time(
    *, clock: Callable[[], float] | None = None, sleep: Callable[[float], None] | None = None
) -> Iterator[None]:
    """Route ``time.monotonic``/``time.time``/``time.perf_counter`` and/or ``time.sleep``
    to fakes, for the checking thread only."""
    owner = threading.get_ident()

    def for_owner(fake: Callable[..., Any], real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            return fake(*args) if threading.get_ident() == owner else real(*args)

        return call

    with contextlib.ExitStack() as stack:
        if clock is not None:
            for name in ("monotonic", "time", "perf_counter"):
                stack.enter_context(mock.patch.object(time, name, for_owner(clock, getattr(time, name))))
        if sleep is not None:
            stack.enter_context(mock.patch.object(time, "sleep", for_owner(sleep, time.sleep)))
        yield


def _session() -> requests.Session:
    import requests

    return requests.Session()


