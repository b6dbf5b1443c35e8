"""Kill the pipeline with SIGKILL at 50 seeded points, restart it: nothing lost, nothing duplicated.

The experiment runs in a child command (``python -m tests.pipeline.killpoints``),
because it forks and a test process may have threads. Its summary is printed (visible
with ``pytest -s``) and stored as the test's ``kill_restart`` property; the command
alone prints the same figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.pipeline.databases import KINDS, postgres_url

ROOT = Path(__file__).resolve().parents[2]
KILL_POINTS = 50


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the kill-and-restart harness needs os.fork (Linux, macOS)")
@pytest.mark.parametrize("kind", KINDS)
def test_kill_and_restart_at_50_seeded_points(kind: str, record_property: Callable[[str, Any], None]) -> None:
    """At every kill point the restart ends with every valid payment once and each invalid one dead-lettered once."""
    database = "sqlite" if kind == "sqlite" else postgres_url()
    done = subprocess.run(
        [sys.executable, "-m", "tests.pipeline.killpoints", "--database", database,
         "--points", str(KILL_POINTS), "--seed", "10"],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    summary, points = lines[-1], lines[:-1]
    record_property("kill_restart", summary)
    sys.stdout.write(f"\nkill-and-restart ({kind}): {summary['kill_points']} SIGKILL points of {summary['events']} "
                     f"events, {summary['lost']} lost, {summary['duplicated']} duplicated, "
                     f"{summary['reconciled']} restarts reconciled\n")
    assert summary["kill_points"] == KILL_POINTS == len(points)
    assert summary["killed"] == KILL_POINTS, [p for p in points if not p["killed"]]
    assert {p["where"].split(" request")[0] for p in points} >= {
        "before", "after a batch was written, before its commit", "after a commit"}
    failures = [p for p in points if p["problems"] or not p["reconciled"]]
    assert not failures, failures
    assert {k: summary[k] for k in ("lost", "duplicated", "unexpected", "wrong_values", "dead_letters_missing",
                                    "dead_letters_duplicated", "dead_letters_unexpected")} == dict.fromkeys(
        ("lost", "duplicated", "unexpected", "wrong_values", "dead_letters_missing", "dead_letters_duplicated",
         "dead_letters_unexpected"), 0)
    assert summary["reconciled"] == KILL_POINTS
