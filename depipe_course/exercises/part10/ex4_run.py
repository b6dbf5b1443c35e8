"""10.4: ``run`` wires the stages into a pipeline that can be re-run and restarted.

Against a faulty API it loads exactly the valid payments, publishes the window's dead
letters, returns counts and whether they reconcile with the API's summary (asked with
auth, a timeout and retries); a second run or a restart after a kill changes nothing,
an API that stays down fails loudly, and its settings reach the stages.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest import mock

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise
from depipe_course.exercises._errors import in_chain as _in_chain
from depipe_course.exercises._waiting import TooManyWaits
from depipe_course.exercises.part10._shared import (
    _BUDGET,
    _describe,
    _entry_payment_id,
    _expected_rows,
    _fake,
    _n,
    _payment_model,
    _quiet_time,
    _recorder,
    _runaway,
    _session,
    _worker_side,
)
from depipe_course.exercises.worker_side.part10 import Killed

if TYPE_CHECKING:
    import requests

    from depipe_course.fakes.api import FakePaymentsAPI


pipeline = exercise("10.4", "Run, reconcile, re-run, restart", ["run"],
                    uses=["10.1", "10.2", "10.3", "04.2", "04.3"])

_R_SEED, _R_PAYMENTS, _R_INVALID = 104, 160, 8
_R_KW: dict[str, Any] = {"batch_size": 40, "count": 20}
_SUMMARY = "/payments/summary"


def _killing_session(kill_at: int | None = None, kill_on: str | None = None) -> requests.Session:
    """A ``requests.Session`` whose ``kill_at``-th request (or any to ``kill_on``) dies, as the process would."""
    return _session(kill_at, kill_on)


def _hostile(limit: int = _BUDGET) -> FakePaymentsAPI:
    from depipe_course.fakes.api import ConnectionReset, RandomFaults, RateLimited, ServerError, TimedOut

    faults = RandomFaults({RateLimited(1): 0.08, ServerError(503): 0.08, TimedOut(): 0.05, ConnectionReset(): 0.04},
                          seed=_R_SEED, max_in_a_row=2)
    return _fake(seed=_R_SEED, payments=_R_PAYMENTS, invalid_payments=_R_INVALID, faults=faults, limit=limit)


@dataclass
class _Outcome:
    result: Any
    error: BaseException | None
    waits: list[float]
    time_sleeps: list[float]
    executemany: int = 0


def _open(path: Path, kill_after: int | None = None, *, table: bool = True, refuse: str | None = None) -> Any:
    """The run's connection: counting, killable, with the table made (unless ``table=False``).

    ``refuse`` names a payment the table refuses by a rule of its own (a trigger), one the
    model lets through: what a warehouse's constraint does to a record nobody foresaw. The
    check sets the warehouse up with its own connection, then opens the learner's where the
    learner's code runs (``_worker_side.connection``).
    """
    from depipe_course import db

    own = db.connect(path)
    try:
        if table:
            db.create_payments_table(own)
        if refuse is not None:
            with db.transaction(own):
                own.execute(f"CREATE TRIGGER IF NOT EXISTS refuse_one BEFORE INSERT ON payments "
                            f"WHEN NEW.payment_id = '{refuse}' "
                            "BEGIN SELECT RAISE(ABORT, 'refused by the warehouse: payment under review'); END")
    finally:
        own.close()
    return _worker_side().connection(path, kill_after=kill_after)


def _run(run: Callable[..., Any], api: FakePaymentsAPI, db_path: Path, dlq_path: Path, *,
         session: requests.Session | None = None, kill_after: int | None = None, table: bool = True,
         refuse: str | None = None, **overrides: Any) -> _Outcome:
    """One run of the learner's pipeline; the connection is closed without a commit afterwards."""
    sleeps, time_sleeps = _recorder(), _recorder()
    conn = _open(db_path, kill_after, table=table, refuse=refuse)
    result, error = None, None
    try:
        with _quiet_time(time_sleeps, run), (session or _session()) as http:
            try:
                result = run(http, api.base_url, api.basic_auth, *api.window, conn, dlq_path, sleep=sleeps,
                             **{**_R_KW, **overrides})
            except (TooManyWaits, NotImplementedError):
                raise
            except Exception as exc:
                error = exc
    except Killed as killed:  # under the judge a kill in the learner's process arrives as an Exception
        error = killed
    finally:
        writes = Counter(conn.written)["executemany"]
        conn.close()  # a dead process commits nothing: what was not committed is gone
    _runaway(api)
    return _Outcome(result, error, sleeps.waits, time_sleeps.waits, writes)


def _table(db_path: Path) -> list[Any]:
    from depipe_course import db

    conn = db.connect(db_path)
    try:
        return db.read_payments(conn)
    finally:
        conn.close()


def _dead_letters(dlq_path: Path, *, missing_ok: bool = False) -> list[Any]:
    """The payment_id of each entry of the dead letter file (None where it names none)."""
    if not dlq_path.exists():
        if missing_ok:
            return []
        fail("run should leave the window's dead letters at dlq_path", expected=f"a file at {dlq_path.name}",
             seen="no file")
    ids = []
    for line in dlq_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            ids.append(_entry_payment_id(entry.get("record"), entry.get("context")))
    return ids


def _expected_table(api: FakePaymentsAPI, refused: Iterable[str] = ()) -> list[Any]:
    Payment = _payment_model()
    left_out = set(api.state.invalid_payments()) | set(refused)
    records = api.state.payment_records()
    return _expected_rows(Payment.model_validate(r) for r in records if r["payment_id"] not in left_out)


def _summary_error(error: BaseException | None) -> BaseException | None:
    """The requests error of a summary request in ``error``'s chain, if that is what failed."""
    import requests

    found = _in_chain(error, requests.RequestException)
    request = getattr(found, "request", None)
    return found if _SUMMARY in str(getattr(request, "url", "")) else None


def _expect_ran(out: _Outcome, message: str = "the run should succeed against the faults (429s, 503s, "
                "timeouts, resets)") -> None:
    if out.error is not None:
        if isinstance(out.error, sqlite3.OperationalError) and "no such table" in str(out.error):
            fail("run was handed a database without the payments table and did not create it",
                 expected="db.create_payments_table(conn) at the start of run", seen=_describe(out.error),
                 hint="Call db.create_payments_table(conn) first: it creates the table if it is missing and "
                      "does nothing if it is there, so every run can call it.")
        if _summary_error(out.error) is not None:
            fail("the summary request failed and the run gave up: the summary meets the same 429s, 503s and "
                 "timeouts as the pages", expected="the summary asked again until it answers",
                 seen=_describe(out.error),
                 hint="Wrap the summary request in a retry: with_retry(max_attempts=max_retries + 1, "
                      "sleep=sleep) from 04.2, with raise_for_status() inside.")
        fail(message, expected="a result dict", seen=_describe(out.error))
    expect(isinstance(out.result, Mapping), "run must return a dict",
           expected="{'fetched', 'loaded', 'dead_lettered', 'reconciled'}", seen=repr(out.result)[:120])


def _expect_state(api: FakePaymentsAPI, db_path: Path, dlq_path: Path, after: str,
                  refused: tuple[str, ...] = ()) -> None:
    expected = _expected_table(api, refused)
    rows = _table(db_path)
    if rows != expected:
        want, got = {r[0]: r for r in expected}, {r[0]: r for r in rows}
        differ = sum(1 for key in want.keys() & got.keys() if want[key] != got[key])
        fail(f"after {after} the table should hold exactly the valid payments",
             expected=_n(len(expected), "row"),
             seen=f"{_n(len(rows), 'row')}: {len(want.keys() - got.keys())} missing, "
                  f"{len(got.keys() - want.keys())} not valid, {differ} with other values")
    invalid = [*api.state.invalid_payments(), *refused]
    ids = _dead_letters(dlq_path, missing_ok=not invalid)
    if not invalid:
        expect(not ids, f"after {after} the dead letter file should be empty: it still holds the last run's "
               "list", expected="no entries (an empty file)", seen=_n(len(ids), "entry", "entries"),
               hint="Rebuild dlq_path on every run, also when nothing was dead-lettered: touch the fresh file "
                    "before os.replace, so an empty file replaces the last run's list.")
        return
    what = "each invalid payment once" + (", and the payment the table refused" if refused else "")
    expect(sorted(map(str, ids)) == sorted(invalid), f"after {after} the dead letter file should list {what}",
           expected=f"{_n(len(invalid), 'entry', 'entries')}, one per payment",
           seen=f"{_n(len(ids), 'entry', 'entries')}, {len(set(ids) & set(invalid))} distinct of those expected")


@pipeline.check("loads exactly the valid payments and dead-letters the invalid ones", points=2,
                hint="db.create_payments_table(conn), then fetch_payments(...) → transform_payments(raw, dlq) → "
                     "load_payments(..., dlq=dlq); pass sleep=sleep down, and publish the dead letters at "
                     "dlq_path on every run, also when there are none.")
def _run_state(run: Callable[..., Any], tmp_path: Path) -> None:
    db_path, dlq_path = tmp_path / "p.db", tmp_path / "dlq.ndjson"
    with _hostile() as api:
        out = _run(run, api, db_path, dlq_path, table=False)  # a new warehouse: the table is not there yet
        _expect_ran(out)
        _expect_state(api, db_path, dlq_path, "a run")
    # The gateway has fixed its invalid records; the window is loaded again.
    with _fake(seed=_R_SEED, payments=_R_PAYMENTS) as fixed:
        out = _run(run, fixed, db_path, dlq_path)
        _expect_ran(out, "a run with nothing to dead-letter should succeed too")
        _expect_state(fixed, db_path, dlq_path, "a run over the same window with nothing invalid any more")


@pipeline.check("returns fetched, loaded, dead_lettered and reconciled", points=2,
                hint="Count the raw records as they stream past, add the dead letters of both stages, and "
                     "reconcile: fetched == the summary's count and loaded + dead_lettered == fetched.")
def _run_counts(run: Callable[..., Any], tmp_path: Path) -> None:
    with _hostile() as api:
        out = _run(run, api, tmp_path / "p.db", tmp_path / "dlq.ndjson")
        _expect_ran(out)
        seen = {k: out.result.get(k) for k in ("fetched", "loaded", "dead_lettered", "reconciled")}
        want = {"fetched": _R_PAYMENTS, "loaded": _R_PAYMENTS - _R_INVALID, "dead_lettered": _R_INVALID,
                "reconciled": True}
        expect_equal(seen, want, f"the result for {_R_PAYMENTS} payments, {_R_INVALID} of them invalid")


@pipeline.check("a row the database refuses is dead-lettered and counted too", points=1,
                hint="Pass dlq= to load_payments as well, and add its dead_lettered to the transform's: "
                     "the dead letters of both stages go to the same file and into the same count.")
def _run_refused(run: Callable[..., Any], tmp_path: Path) -> None:
    db_path, dlq_path = tmp_path / "p.db", tmp_path / "dlq.ndjson"
    with _hostile() as api:
        invalid = api.state.invalid_payments()
        refused = min(r["payment_id"] for r in api.state.payment_records() if r["payment_id"] not in invalid)
        out = _run(run, api, db_path, dlq_path, refuse=refused)
        if _in_chain(out.error, sqlite3.IntegrityError) is not None:
            fail(f"the table refused payment {refused}, and the run crashed instead of dead-lettering it",
                 expected="load_payments(..., dlq=dlq): the refused row in the dead letter file",
                 seen=_describe(out.error))
        _expect_ran(out)
        _expect_state(api, db_path, dlq_path, f"a run in which the table refused {refused}", (refused,))
        seen = {k: out.result.get(k) for k in ("loaded", "dead_lettered", "reconciled")}
        want = {"loaded": _R_PAYMENTS - _R_INVALID - 1, "dead_lettered": _R_INVALID + 1, "reconciled": True}
        expect_equal(seen, want, f"the result: {_R_INVALID} invalid payments and 1 refused by the table")


@pipeline.check("asks the API's summary with auth, a timeout and retries", points=1,
                hint="GET {base_url}/payments/summary with params from and to, auth=auth and timeout=, inside "
                     "a retry (with_retry(max_attempts=max_retries + 1, sleep=sleep) from 04.2): the summary "
                     "fails now and then like any other request.")
def _run_summary(run: Callable[..., Any], tmp_path: Path) -> None:
    from depipe_course.fakes.api import FaultQueue, RateLimited, ServerError

    faults = FaultQueue([ServerError(503), RateLimited(1)], routes={_SUMMARY})
    with _fake(seed=_R_SEED, payments=60, invalid_payments=2, faults=faults) as api:
        out = _run(run, api, tmp_path / "p.db", tmp_path / "dlq.ndjson")
    calls = api.calls_to(_SUMMARY)
    expect(calls, "run never asked the API for its summary", expected=f"GET {_SUMMARY}", seen="no such request")
    statuses = [c.status if c.status is not None else type(c.error).__name__ for c in calls]
    expect(401 not in statuses, "the summary needs the credentials too", expected="auth=auth on the summary "
           "request", seen=f"answers {statuses}")
    expect(all(c.timeout_passed for c in calls), "the summary request needs a timeout too",
           expected="timeout= on every summary request", seen=f"{sum(not c.timeout_passed for c in calls)} of "
           f"{len(calls)} without one")
    if out.error is not None:
        fail("the summary answered 503, then 429, then 200: retry it as fetch_payments retries a page",
             expected="the run reconciled after 3 summary requests", seen=f"{_describe(out.error)}; answers "
             f"{statuses}")
    _expect_ran(out)
    expect(out.result.get("reconciled") is True, "after the retries the summary agrees with what was fetched",
           expected="reconciled True", seen=f"{out.result.get('reconciled')!r}; summary answers {statuses}")


@pipeline.check("reports reconciled False when the API holds more than was fetched", points=2,
                hint="Ask GET {base_url}/payments/summary?from=...&to=... (with auth and retries) after the "
                     "load, and compare its count with what you fetched: never assume it matches.")
def _run_mismatch(run: Callable[..., Any], tmp_path: Path) -> None:
    with _fake(seed=_R_SEED, payments=120, invalid_payments=4) as api:
        real = api.state.summary

        def one_more(start: int | None = None, end: int | None = None) -> dict[str, int]:
            counts = real(start, end)
            return {**counts, "count": counts["count"] + 1}

        with mock.patch.object(api.state, "summary", one_more):
            out = _run(run, api, tmp_path / "p.db", tmp_path / "dlq.ndjson")
        _expect_ran(out)
        expect(api.count(_SUMMARY) >= 1, "run never asked the API for its summary",
               expected=f"GET {_SUMMARY}", seen="no such request")
        expect(out.result.get("reconciled") is False, "the API's summary counts 121 payments in the window, the "
               "listing served 120: that must not reconcile", expected="reconciled False",
               seen=out.result.get("reconciled"))


@pipeline.check("running again changes nothing", points=2,
                hint="The load is an upsert; the dead letters of the window must be rewritten, not appended "
                     "to: write them to a fresh file beside dlq_path and os.replace it into place at the end. "
                     "Count each run from zero.")
def _run_twice(run: Callable[..., Any], tmp_path: Path) -> None:
    with _hostile() as api:
        first = _run(run, api, tmp_path / "p.db", tmp_path / "dlq.ndjson")
        _expect_ran(first)
        table = _table(tmp_path / "p.db")
        again = _run(run, api, tmp_path / "p.db", tmp_path / "dlq.ndjson")
        _expect_ran(again)
        expect_equal(_table(tmp_path / "p.db"), table, "the table after the second run")
        _expect_state(api, tmp_path / "p.db", tmp_path / "dlq.ndjson", "a second run")
        keys = ("fetched", "loaded", "dead_lettered", "reconciled")
        expect_equal({k: again.result.get(k) for k in keys}, {k: first.result.get(k) for k in keys},
                     "the second run's result")


@pipeline.check("a run killed midway and restarted loads every payment exactly once", points=2,
                hint="Nothing may depend on the killed run having finished: the upsert makes reloading a "
                     "payment harmless, and a dead letter file rebuilt by each run (fresh file, then "
                     "os.replace) never keeps the killed run's half.")
def _run_killed(run: Callable[..., Any], tmp_path: Path) -> None:
    kills: list[tuple[str, Callable[[], requests.Session] | None, int | None]] = [
        ("request 5", lambda: _killing_session(kill_at=5), None),
        ("write 3 (before its commit)", None, 3),
        ("the summary request", lambda: _killing_session(kill_on=_SUMMARY), None),
    ]
    for number, (where, session, kill_after) in enumerate(kills):
        db_path, dlq_path = tmp_path / f"k{number}.db", tmp_path / f"k{number}.ndjson"
        with _hostile() as api:
            # A run that never gets to the kill point (no summary request, say) simply finishes:
            # the restart below must then change nothing, which is checked all the same.
            _run(run, api, db_path, dlq_path, session=session() if session else None, kill_after=kill_after)
        with _hostile() as api:
            restarted = _run(run, api, db_path, dlq_path)
            _expect_ran(restarted)
            _expect_state(api, db_path, dlq_path, f"a kill at {where} and a restart")
            expect(restarted.result.get("reconciled") is True, f"the restart after a kill at {where} should "
                   "reconcile", expected=True, seen=restarted.result.get("reconciled"))


def _all_503(payments: int = 60) -> FakePaymentsAPI:
    from depipe_course.fakes.api import RandomFaults, ServerError

    return _fake(seed=_R_SEED, payments=payments, faults=RandomFaults({ServerError(503): 1.0}, max_in_a_row=None))


@pipeline.check("fails loudly when the API stays down", points=1,
                hint="Let the error of a fetch that gave up propagate (or at least report reconciled False): "
                     "a run that fetched nothing must never report success.")
def _run_down(run: Callable[..., Any], tmp_path: Path) -> None:
    with _all_503() as api:
        out = _run(run, api, tmp_path / "p.db", tmp_path / "dlq.ndjson")
    quiet = out.error is None and isinstance(out.result, Mapping) and out.result.get("reconciled") is not False
    expect(not quiet, "every request answered 503, yet the run reported success",
           expected="an exception (or reconciled False)", seen=repr(out.result)[:150])


@pipeline.check("passes count, max_retries, batch_size and sleep down to the stages", points=1,
                hint="fetch_payments(..., count=count, max_retries=max_retries, sleep=sleep) and "
                     "load_payments(..., batch_size, dlq=dlq): run's arguments are the stages' settings, and a "
                     "stage left on its defaults ignores them (and sleeps for real).")
def _run_passes_down(run: Callable[..., Any], tmp_path: Path) -> None:
    with _hostile() as api:
        out = _run(run, api, tmp_path / "p.db", tmp_path / "dlq.ndjson")
        _expect_ran(out)
        sent = sorted({str(c.params.get("count")) for c in api.calls_to("/payments")})
    count, batch_size = _R_KW["count"], _R_KW["batch_size"]
    expect(sent == [str(count)], f"run was given count={count}: every page request should ask for that many",
           expected=f"count={count}", seen=f"count={sent}")
    valid = _R_PAYMENTS - _R_INVALID
    batches = -(-valid // batch_size)
    expect(out.executemany == batches, f"run was given batch_size={batch_size}: {valid} valid payments are "
           f"{batches} batches", expected=f"{batches} batch writes", seen=out.executemany)
    expect(out.waits and not out.time_sleeps, "the retries' waits must go through the sleep argument",
           expected="waits recorded by sleep, none by time.sleep",
           seen=f"sleep: {len(out.waits)} waits, time.sleep: {len(out.time_sleeps)}")
    with _all_503() as down:
        _run(run, down, tmp_path / "d.db", tmp_path / "d.ndjson", max_retries=2)
    pages = down.count("/payments")
    expect(pages == 3, "run was given max_retries=2: a page that keeps failing is asked for 3 times, then the "
           "run gives up", expected="3 requests for the first page", seen=_n(pages, "request"))
