"""Throughput and memory of the part-10 reference pipeline: fake payments API → SQLite.

    python -m benchmarks.ingestion                       # 100,000 payments, then 25,000 for comparison
    python -m benchmarks.ingestion --payments 200000 --database postgresql://...

The fake API answers in-process (``responses``), so the figures measure the pipeline's
own cost (HTTP client, JSON, pydantic validation, batched upserts, the dead letter
file) plus the fake's, with no network in between. Retry waits are recorded, not slept.

Two memory figures: the *traced* peak (tracemalloc, Python allocations made during the
run, in a second run because tracing slows everything down) is the pipeline's working
set and should not grow with the number of payments; the process's peak RSS also holds
the fake API's own copy of every payment, built before the run.
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import requests

from depipe_course import db
from depipe_course.fakes.api import ConnectionReset, FakePaymentsAPI, RandomFaults, RateLimited, ServerError, TimedOut

MiB = 1024 * 1024


def build_api(payments: int, invalid: int, hostile: bool, seed: int) -> FakePaymentsAPI:
    faults = None
    if hostile:
        faults = RandomFaults({RateLimited(retry_after=1): 0.04, ServerError(503): 0.03, TimedOut(): 0.02,
                               ConnectionReset(): 0.01}, seed=seed)
    return FakePaymentsAPI(seed=seed, orders=0, accounts=0, payments=payments, invalid_payments=invalid,
                           auth="basic", faults=faults, max_page_size=1_000)


def forget_served_responses(api: FakePaymentsAPI) -> None:
    """Stop ``responses`` from keeping every response it served (the fake's memory, not the pipeline's).

    ``responses`` appends each request and response, body included, to a call list of
    the mock and of the matched route: 100 pages of 1,000 payments would add ~17 MiB
    that has nothing to do with the pipeline. The fake's own request log
    (``api.calls``, without bodies) is kept.
    """
    import responses

    class Forgetful(responses.CallList):
        def add(self, request: Any, response: Any) -> None:
            return None

        def add_call(self, call: Any) -> None:
            return None

    mock = api._mock  # a benchmark reaching into the fake, to measure only the code under test
    mock._calls = Forgetful()
    for route in mock.registered():
        route._calls = Forgetful()


def run_once(api: FakePaymentsAPI, target: str | Path, dlq_path: Path, *, count: int, batch_size: int,
             trace: bool) -> tuple[dict[str, Any], float, int, int]:
    """One pipeline run into an empty ``payments`` table: (result, seconds, traced peak, requests)."""
    from solutions.part10 import run

    conn = db.connect_database(target)
    try:
        db.create_payments_table(conn)
        with db.transaction(conn):
            db.execute(conn, "DELETE FROM payments")
        api.calls.clear()
        if trace:
            tracemalloc.start()
        start = time.perf_counter()
        with requests.Session() as session:
            result = run(session, api.base_url, api.basic_auth, *api.window, conn, dlq_path,
                         count=count, batch_size=batch_size, sleep=lambda seconds: None)
        seconds = time.perf_counter() - start
        peak = 0
        if trace:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        return result, seconds, peak, len(api.calls)
    finally:
        conn.close()


def measure(payments: int, target: str | Path | None, folder: Path, *, hostile: bool, count: int,
            batch_size: int) -> dict[str, Any]:
    invalid = payments // 100
    started = time.perf_counter()
    api = build_api(payments, invalid, hostile, seed=2026)
    build_s = time.perf_counter() - started
    where = target or folder / f"payments-{payments}.db"
    forget_served_responses(api)
    with api:
        result, seconds, _, calls = run_once(api, where, folder / "dlq.ndjson", count=count, batch_size=batch_size,
                                             trace=False)
        _, _, peak, _ = run_once(api, where, folder / "dlq.ndjson", count=count, batch_size=batch_size, trace=True)
    return {"payments": payments, "build_s": build_s, "seconds": seconds, "rate": result["fetched"] / seconds,
            "traced_peak": peak, "result": result, "requests": calls}


def report(row: dict[str, Any], database: str) -> None:
    r = row["result"]
    lines = [
        f"{row['payments']:,} payments from the fake API into {database}:",
        f"  {r['loaded']:,} loaded, {r['dead_lettered']:,} dead-lettered, reconciled: {r['reconciled']} "
        f"({row['requests']:,} requests, {r['batches']} batches)",
        f"  {row['seconds']:.2f} s: {row['rate']:,.0f} payments/s  (building the fake first: {row['build_s']:.2f} s)",
        f"  peak traced memory during the run: {row['traced_peak'] / MiB:.1f} MiB",
    ]
    sys.stdout.write("\n".join(lines) + "\n")


def run(payments: int = 100_000, compare: int = 25_000, database: str | None = None, *, count: int = 1_000,
        batch_size: int = 5_000, hostile: bool = False) -> dict[str, Any]:
    """Measure, print the figures, and return them (plain data, for ``benchmarks/results.json``)."""
    kind = "PostgreSQL" if database else "SQLite"
    sys.stdout.write(f"part-10 reference pipeline, page size {count:,}, batch size {batch_size:,}"
                     f"{', hostile API' if hostile else ''}\n")
    with tempfile.TemporaryDirectory(prefix="depipe-bench-") as scratch:
        sizes = [payments] + ([compare] if compare else [])
        rows = [measure(n, database, Path(scratch), hostile=hostile, count=count, batch_size=batch_size)
                for n in sizes]
    for row in rows:
        report(row, kind)
    figures: dict[str, Any] = {"database": kind, "runs": [
        {"payments": row["payments"], "seconds": round(row["seconds"], 3), "payments_per_s": round(row["rate"]),
         "traced_peak_mib": round(row["traced_peak"] / MiB, 1), "requests": row["requests"], **row["result"]}
        for row in rows]}
    if len(rows) == 2:
        big, small = rows
        figures["traced_peak_ratio"] = round(big["traced_peak"] / max(small["traced_peak"], 1), 2)
        sys.stdout.write(f"memory: {big['payments'] / small['payments']:.0f}x the payments, "
                         f"{figures['traced_peak_ratio']:.2f}x the traced peak\n")
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux
    figures["peak_rss_mib"] = round(peak_rss / MiB)
    sys.stdout.write(f"process peak RSS (the fake API's copy of every payment included): {peak_rss / MiB:.0f} MiB\n")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--payments", type=int, default=100_000, help="payments in the window (default 100,000)")
    parser.add_argument("--compare", type=int, default=25_000,
                        help="a smaller run to compare memory with (0 to skip; default 25,000)")
    parser.add_argument("--database", default=None, help="a postgresql:// URL (default: a temporary SQLite file)")
    parser.add_argument("--count", type=int, default=1_000, help="payments per page (default 1,000)")
    parser.add_argument("--batch-size", type=int, default=5_000, help="payments per transaction (default 5,000)")
    parser.add_argument("--hostile", action="store_true", help="about 1 request in 10 fails (waits not slept)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    run(args.payments, args.compare, args.database, count=args.count, batch_size=args.batch_size,
        hostile=args.hostile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
