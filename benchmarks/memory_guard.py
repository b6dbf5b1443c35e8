"""The kernel's memory figure in the grader: how far each version's process climbs on the big input.

``python -m benchmarks memory_guard`` grades, for each exercise with a constant-memory
sub-check (02.2, 02.8, 06.5, 11.5), the reference and every wrong version that sub-check
must catch, each once as written and once with Python's and Arrow's counts silenced (the
lie the kernel's figure is there for). Each case runs in a new interpreter that forks a
fresh worker, as ``depipe grade`` does; the table shows the peak the process's own
counts report on the big input, the rise of its resident size above the small input's
peak as the judge read it from /proc, the allowance, and the sub-check's verdict.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

EXERCISES = ("02.2", "02.8", "06.5", "11.5")

# What a learner who wants the memory points without the work would add to a cell: the
# process's own counts, as the judge asks for them, report nothing.
_SILENCE_COUNTS = """
import importlib as _importlib
_counts = _importlib.import_module("depipe_" + "course.exercises._memory")
_counts.measured = lambda fn, *args, **kwargs: (fn(*args, **kwargs), 0, 0)
"""
REFERENCE_RUNS = 5


def _slack(module: str) -> Any:
    def read() -> int:
        import importlib

        return int(importlib.import_module(module)._RESIDENT_SLACK)
    return read


_ALLOWANCE = {"02.2": _slack("depipe_course.exercises.part02.ex2_process_orders_in_chunks"),
              "02.8": _slack("depipe_course.exercises.part02.ex8_csv_to_parquet"),
              "06.5": _slack("depipe_course.exercises.part06.ex5_run_pipeline"),
              "11.5": _slack("depipe_course.exercises.part11.ex5_sum_column")}


def _memory_check(ex: Any) -> str:
    return next(c.name for c in ex.checks if "memory" in c.name or "block_size" in c.name)


def cases() -> list[tuple[str, int]]:
    """(exercise id, index in the wrong-version registry, or -1 for the reference)."""
    from depipe_course import exercises
    from tests.wrong_versions import load_all

    wrong = load_all()
    found = []
    for ex_id in EXERCISES:
        name = _memory_check(exercises.get(ex_id))
        found += [(ex_id, -1)] + [(ex_id, i) for i, w in enumerate(wrong) if w.exercise_id == ex_id
                                  and w.catches == name]
    return found


def one_case(ex_id: str, index: int, silenced: bool) -> dict[str, Any]:
    """Grade one version in a worker forked from this (new) process; the figures the sub-check compared."""
    from depipe_course import exercises, reference
    from depipe_course.exercises import _memory
    from depipe_course.grading.child import Job, grade_in_this_process
    from tests.wrong_versions import REGISTRY, load_all

    peaks: list[Any] = []
    measure = _memory.measure_peak

    def recording(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        result, peak = measure(fn, *args, **kwargs)
        peaks.append(peak)
        return result, peak

    _memory.measure_peak = recording  # before the check module imports it
    ex = exercises.get(ex_id)
    cell, label = reference.source(ex), "reference"
    if index >= 0:
        version = load_all()[index]
        ((name, _),) = version.objects.items()
        label = version.description
        cell += (f"\nfrom tests.wrong_versions import REGISTRY as _wrong\n"
                 f"{name} = _wrong[{REGISTRY.index(version)}].objects[{name!r}]\n")
    if silenced:
        cell += _SILENCE_COUNTS
    result = grade_in_this_process(Job(ex_id, cell, f"<{ex_id} cell>"), fresh_worker=True)
    verdict = {c.name: c.status for c in result.checks}[_memory_check(ex)]
    small, big = peaks[-2:]  # the memory sub-check measures the small input, then the big one
    return {"exercise": ex_id, "version": label + (" +silenced" if silenced else ""), "verdict": verdict,
            "reported_big_kib": big.total >> 10, "rise_kib": (big.resident - small.resident) >> 10,
            "allowance_kib": _ALLOWANCE[ex_id]() >> 10}


def run() -> list[dict[str, Any]]:
    rows = []
    for ex_id, index in cases():
        for silenced in (False,) * REFERENCE_RUNS if index < 0 else (False, True):
            done = subprocess.run([sys.executable, "-m", "benchmarks.memory_guard", ex_id, str(index),
                                   str(int(silenced))], capture_output=True, text=True, check=True)
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print_row(rows[-1])
    return rows


def print_row(row: dict[str, Any]) -> None:
    print(f"{row['exercise']:<6}{row['version'][:46]:<48}{row['reported_big_kib']:>10,}{row['rise_kib']:>10,}"
          f"{row['allowance_kib']:>8,}"
          f"  {row['verdict']}", flush=True)


def main() -> list[dict[str, Any]]:
    print(f"{'':54}{'reported':>10}{'rise':>10}{'allow':>8}  (KiB, big input)")
    return run()


if __name__ == "__main__":
    if len(sys.argv) == 4:
        print(json.dumps(one_case(sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1")))
    else:
        main()
