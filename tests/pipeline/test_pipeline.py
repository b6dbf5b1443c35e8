"""The reference pipeline (solutions/part10.py) end to end, on SQLite and on PostgreSQL.

Each test asks for ``databases`` and so runs twice; the PostgreSQL run follows the
policy in ``databases.py`` (fails in CI without a server, is skipped with a reason
elsewhere).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import requests

from depipe_course import db
from tests.pipeline.databases import Factory
from tests.pipeline.scenario import Expected, Scenario, audit, dead_letter_ids, fault_names, table_digest

SCENARIO = Scenario(seed=14, payments=1_000, invalid=50, count=20, batch_size=200)


@pytest.fixture(scope="module")
def expected() -> Expected:
    return Expected.of(SCENARIO)


def _entries(path: Path) -> list[dict[str, Any]]:
    import json

    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_a_hostile_run_loads_exactly_the_valid_payments(databases: Factory, tmp_path: Path,
                                                         expected: Expected) -> None:
    """Through 429s, 503s, timeouts and resets, the table ends with exactly the valid payments."""
    conn = databases.new("hostile").connect()
    try:
        with SCENARIO.api() as api:
            result = SCENARIO.run_on(api, conn, tmp_path / "dlq.ndjson")
            faults = fault_names(api)
        found = audit(conn, tmp_path / "dlq.ndjson", expected)
    finally:
        conn.close()
    assert {"RateLimited", "ServerError", "TimedOut", "ConnectionReset"} <= set(faults), faults
    assert found.clean, found.problems
    assert {k: result[k] for k in ("fetched", "loaded", "dead_lettered", "reconciled")} == {
        "fetched": 1_000, "loaded": 950, "dead_lettered": 50, "reconciled": True}


def test_dead_letters_carry_the_record_the_error_and_the_context(databases: Factory, tmp_path: Path,
                                                                 expected: Expected) -> None:
    """Each invalid payment is dead-lettered once, as the API sent it, with the failing fields."""
    conn = databases.new("letters").connect()
    try:
        SCENARIO.run(conn, tmp_path / "dlq.ndjson")
    finally:
        conn.close()
    entries = _entries(tmp_path / "dlq.ndjson")
    with SCENARIO.api() as api:
        raw = {r["payment_id"]: r for r in api.state.payment_records()}
    assert sorted(e["context"]["payment_id"] for e in entries) == sorted(expected.invalid)
    for entry in entries:
        payment_id = entry["context"]["payment_id"]
        assert entry["record"] == raw[payment_id]
        assert entry["error_type"] == "ValidationError"
        assert entry["context"]["stage"] == "transform" and entry["context"]["fields"]
        assert entry["failed_at"].endswith("+00:00")


def test_running_again_changes_nothing(databases: Factory, tmp_path: Path, expected: Expected) -> None:
    """A second run over the same window leaves the same table, dead letters and result."""
    conn = databases.new("rerun").connect()
    try:
        first = SCENARIO.run(conn, tmp_path / "dlq.ndjson")
        digest, letters = table_digest(conn), dead_letter_ids(tmp_path / "dlq.ndjson")
        second = SCENARIO.run(conn, tmp_path / "dlq.ndjson")
        assert table_digest(conn) == digest
        found = audit(conn, tmp_path / "dlq.ndjson", expected)
    finally:
        conn.close()
    assert dead_letter_ids(tmp_path / "dlq.ndjson") == letters
    assert found.clean, found.problems
    keys = ("fetched", "loaded", "dead_lettered", "reconciled")
    assert {k: second[k] for k in keys} == {k: first[k] for k in keys}


def test_a_payment_changed_at_the_gateway_is_updated_by_the_next_run(databases: Factory, tmp_path: Path) -> None:
    """A refund between two runs updates that one row in place; the row count stays the same."""
    scenario = Scenario(seed=12, payments=200, invalid=0, count=50, batch_size=64)
    conn = databases.new("refund").connect()
    try:
        with scenario.api() as api:
            scenario.run_on(api, conn, tmp_path / "dlq.ndjson")
            captured = next(r for r in api.state.payment_records() if r["status"] == "captured")
            row = api.state.payments.get(captured["payment_id"])
            assert row is not None
            row.record["status"] = "refunded"
            scenario.run_on(api, conn, tmp_path / "dlq.ndjson")
        rows = {r[0]: r for r in db.read_payments(conn)}
    finally:
        conn.close()
    assert len(rows) == 200
    assert rows[captured["payment_id"]][4] == "refunded"


def test_a_refused_row_is_dead_lettered_and_the_rest_of_its_batch_loaded(databases: Factory) -> None:
    """When the table refuses one row, the batch is rolled back and reloaded row by row."""
    from solutions.part10 import load_payments

    payments = _payments(90)
    refused = payments[45].model_copy(update={"status": "disputed"})
    payments[45] = refused
    letters: list[tuple[Any, BaseException, Any]] = []

    class Letters:
        def write(self, record: Any, error: BaseException, context: Any = None) -> None:
            letters.append((record, error, context))

    conn = databases.new("refused").connect()
    try:
        db.create_payments_table(conn)
        stats = load_payments(payments, conn, batch_size=30, dlq=Letters())
        ids = {row[0] for row in db.read_payments(conn)}
    finally:
        conn.close()
    assert stats == {"loaded": 89, "batches": 3, "dead_lettered": 1}
    assert ids == {p.payment_id for p in payments} - {refused.payment_id}
    ((record, error, context),) = letters
    assert record.payment_id == refused.payment_id and context["stage"] == "load"
    assert isinstance(error, db.row_errors(conn))


def test_without_a_dead_letter_queue_a_refused_batch_raises_and_is_rolled_back(databases: Factory) -> None:
    """With dlq=None the database error propagates and none of the refused batch is kept."""
    from solutions.part10 import load_payments

    payments = _payments(90)
    payments[45] = payments[45].model_copy(update={"currency": "inr"})
    conn = databases.new("raises").connect()
    try:
        db.create_payments_table(conn)
        with pytest.raises(db.row_errors(conn)):
            load_payments(payments, conn, batch_size=30)
        assert len(db.read_payments(conn)) == 30  # the first batch, committed before the refusal
    finally:
        conn.close()


def test_a_summary_that_disagrees_does_not_reconcile(databases: Factory, tmp_path: Path) -> None:
    """When the API counts one payment more than it lists, the run reports reconciled False."""
    scenario = Scenario(seed=13, payments=150, invalid=5, count=50, batch_size=64, fault_rate=0.0)
    conn = databases.new("mismatch").connect()
    try:
        with scenario.api() as api:
            real = api.state.summary
            with mock.patch.object(api.state, "summary", lambda *window: {**real(*window),
                                                                          "count": real(*window)["count"] + 1}):
                result = scenario.run_on(api, conn, tmp_path / "dlq.ndjson")
    finally:
        conn.close()
    assert (result["fetched"], result["summary_count"], result["reconciled"]) == (150, 151, False)


def test_an_api_that_stays_down_fails_the_run_and_keeps_the_last_dead_letters(databases: Factory,
                                                                               tmp_path: Path) -> None:
    """Persistent 503s raise HTTPError; the dead letter file of the last good run stays in place."""
    from depipe_course.fakes.api import RandomFaults, ServerError

    scenario = Scenario(seed=14, payments=150, invalid=5, count=50, batch_size=64, fault_rate=0.0)
    conn = databases.new("down").connect()
    try:
        scenario.run(conn, tmp_path / "dlq.ndjson")
        before = (tmp_path / "dlq.ndjson").read_bytes()
        with scenario.api() as api:
            api.faults = RandomFaults({ServerError(503): 1.0}, max_in_a_row=None)
            with pytest.raises(requests.HTTPError):
                scenario.run_on(api, conn, tmp_path / "dlq.ndjson")
    finally:
        conn.close()
    assert (tmp_path / "dlq.ndjson").read_bytes() == before


def _payments(count: int) -> list[Any]:
    from solutions.part09 import Payment

    api = Scenario(seed=15, payments=count, invalid=0).api()
    return [Payment.model_validate(r) for r in api.state.payment_records()]
