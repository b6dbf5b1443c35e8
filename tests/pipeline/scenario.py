"""One seeded, hostile ingestion scenario, and what the database and the dead letters must hold after it.

The pipeline under test is the course's reference (``solutions.part10.run``). The API
fails about one request in five (429 with ``Retry-After``, 503, read timeouts, resets)
and serves invalid payments in each of the five ways ``DEFECTS`` lists; nothing sleeps.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from depipe_course import db
from depipe_course.fakes.api import ConnectionReset, FakePaymentsAPI, RandomFaults, RateLimited, ServerError, TimedOut


@dataclass(frozen=True)
class Scenario:
    """How big and how hostile: the same values give the same requests, faults and batches."""

    seed: int = 10
    payments: int = 600
    invalid: int = 30
    count: int = 20
    batch_size: int = 40
    fault_rate: float = 0.2

    def api(self) -> FakePaymentsAPI:
        share = self.fault_rate / 5
        faults = RandomFaults({RateLimited(retry_after=1): 2 * share, ServerError(503): share,
                               TimedOut(): share, ConnectionReset(): share}, seed=self.seed, max_in_a_row=2)
        return FakePaymentsAPI(seed=self.seed, orders=0, accounts=0, payments=self.payments,
                               invalid_payments=self.invalid, auth="basic", faults=faults)

    def run(self, conn: Any, dlq_path: Path, *, session: requests.Session | None = None) -> dict[str, Any]:
        """One run of the reference pipeline over the whole window, against a fresh fake."""
        with self.api() as api:
            return self.run_on(api, conn, dlq_path, session=session)

    def run_on(self, api: FakePaymentsAPI, conn: Any, dlq_path: Path, *,
               session: requests.Session | None = None) -> dict[str, Any]:
        """One run of the reference pipeline against ``api`` (active); waits are not slept."""
        from solutions.part10 import run

        with session or requests.Session() as http:
            return run(http, api.base_url, api.basic_auth, *api.window, conn, dlq_path,
                       batch_size=self.batch_size, count=self.count, sleep=_no_sleep)


def _no_sleep(seconds: float) -> None:
    if seconds < 0:
        raise ValueError(f"negative wait {seconds}")


@dataclass(frozen=True)
class Expected:
    """What a complete load of a scenario leaves: the table's rows and the invalid payment ids."""

    rows: list[db.PaymentRow]
    invalid: dict[str, str]

    @classmethod
    def of(cls, scenario: Scenario) -> Expected:
        from solutions.part09 import Payment

        api = scenario.api()
        invalid = api.state.invalid_payments()
        payments = [Payment.model_validate(r) for r in api.state.payment_records() if r["payment_id"] not in invalid]
        rows = [(p.payment_id, p.merchant_id, p.amount, p.currency, p.status, p.method, p.captured_at)
                for p in payments]
        return cls(sorted(rows, key=lambda row: row[0]), invalid)


@dataclass
class Audit:
    """What is wrong with a table and a dead letter file, compared with ``Expected``."""

    lost: int = 0
    duplicated: int = 0
    unexpected: int = 0
    wrong_values: int = 0
    dead_letters_missing: int = 0
    dead_letters_duplicated: int = 0
    dead_letters_unexpected: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not any((self.lost, self.duplicated, self.unexpected, self.wrong_values, self.dead_letters_missing,
                        self.dead_letters_duplicated, self.dead_letters_unexpected))


def dead_letter_ids(dlq_path: Path) -> list[str | None]:
    """The payment each entry of a dead letter file is about."""
    ids: list[str | None] = []
    if not dlq_path.exists():
        return ids
    for line in dlq_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            ids.append((entry.get("context") or {}).get("payment_id") or (entry.get("record") or {}).get("payment_id"))
    return ids


def audit(conn: Any, dlq_path: Path, expected: Expected) -> Audit:
    """Compare the ``payments`` table and the dead letter file with a complete load."""
    found = Audit()
    ids = [row[0] for row in db.execute(conn, "SELECT payment_id FROM payments").fetchall()]
    counts = Counter(ids)
    want = {row[0]: row for row in expected.rows}
    found.lost = len(want.keys() - counts.keys())
    found.duplicated = sum(n - 1 for n in counts.values() if n > 1)
    found.unexpected = len(counts.keys() - want.keys())
    rows = {row[0]: row for row in db.read_payments(conn)}
    found.wrong_values = sum(1 for key in want.keys() & rows.keys() if rows[key] != want[key])
    letters = Counter(dead_letter_ids(dlq_path))
    found.dead_letters_missing = len(expected.invalid.keys() - letters.keys())
    found.dead_letters_duplicated = sum(n - 1 for n in letters.values() if n > 1)
    found.dead_letters_unexpected = len(letters.keys() - expected.invalid.keys())
    for name in ("lost", "duplicated", "unexpected", "wrong_values", "dead_letters_missing",
                 "dead_letters_duplicated", "dead_letters_unexpected"):
        if getattr(found, name):
            found.problems.append(f"{name}={getattr(found, name)}")
    return found


def table_digest(conn: Any) -> str:
    """Every row of ``payments``, normalised, as one string (for before/after comparisons)."""
    return repr(db.read_payments(conn))


def fault_names(api: FakePaymentsAPI) -> Counter[str]:
    """How many requests got each kind of fault."""
    return Counter(type(call.fault).__name__ for call in api.calls if call.fault is not None)
