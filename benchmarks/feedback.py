"""Feedback speed: how long a learner waits for ``import depipe_course`` and ``check()``.

Timings are wall-clock on this machine and noisy: each figure is min/median/max over
repeats. Targets (issue 7): import < 0.3 s, check p95 < 1 s.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from typing import Any


def _spread(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"min": ordered[0], "median": statistics.median(ordered), "p95": p95, "max": ordered[-1]}


def import_time(repeats: int = 7) -> dict[str, float]:
    """Seconds for ``from depipe_course import check, progress`` beyond a bare interpreter."""

    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    bare = min(run("pass") for _ in range(repeats))
    return _spread([run("from depipe_course import check, progress") - bare for _ in range(repeats)])


def check_latency(repeats: int = 3) -> dict[str, Any]:
    """Seconds per ``check(id)`` on the reference, per exercise (after a first, cold call)."""
    import pandas  # noqa: F401  - a learner's kernel has these loaded already
    import pyarrow  # noqa: F401

    from depipe_course import exercises, learner, reference

    per_exercise: dict[str, dict[str, float]] = {}
    for ex in exercises.all_exercises():
        namespace = reference.objects(ex)
        start = time.perf_counter()
        learner.check(ex.id, namespace=namespace)
        cold = time.perf_counter() - start
        warm = []
        for _ in range(repeats):
            start = time.perf_counter()
            learner.check(ex.id, namespace=namespace)
            warm.append(time.perf_counter() - start)
        per_exercise[ex.id] = {"cold": cold, **_spread(warm)}
    medians = [v["median"] for v in per_exercise.values()]
    return {"per_exercise": per_exercise, "over_exercises": _spread(medians)}


def _timed(argv: list[str], repeats: int) -> dict[str, float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return _spread(samples)


def nbval_time(repeats: int = 1) -> dict[str, float]:
    """Wall time of strict nbval over every notebook, as ``make test`` runs it (2 workers)."""
    from depipe_course.paths import NOTEBOOKS_DIR

    notebooks = sorted(str(p) for p in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    return _timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadfile",
                   "--nbval", "--nbval-sanitize-with", str(NOTEBOOKS_DIR / "sanitize.cfg"), *notebooks], repeats)


def grade_time(repeats: int = 3) -> dict[str, dict[str, float]]:
    """Wall time of ``depipe grade`` on a fully solved submission, serial and with 2 jobs."""
    import tempfile
    from pathlib import Path

    depipe = str(Path(sys.executable).with_name("depipe"))
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run([depipe, "solve", "--out", scratch], check=True, capture_output=True)
        return {f"jobs_{jobs}": _timed([depipe, "grade", scratch, "--jobs", str(jobs)], repeats) for jobs in (1, 2)}


def report() -> dict[str, Any]:
    return {"import_s": import_time(), "check_s": check_latency(), "nbval_s": nbval_time(),
            "grade_s": grade_time()}


def main() -> dict[str, Any]:
    import os
    import tempfile

    os.environ.setdefault("DEPIPE_STATE_DIR", tempfile.mkdtemp(prefix="depipe-bench-"))
    figures = report()
    imp = figures["import_s"]
    print(f"import depipe_course: min {imp['min']:.3f} s, median {imp['median']:.3f} s, max {imp['max']:.3f} s")
    print(f"{'exercise':<10}{'cold':>8}{'min':>8}{'median':>8}{'max':>8}  (seconds per check())")
    for ex_id, f in figures["check_s"]["per_exercise"].items():
        print(f"{ex_id:<10}{f['cold']:>8.3f}{f['min']:>8.3f}{f['median']:>8.3f}{f['max']:>8.3f}")
    over = figures["check_s"]["over_exercises"]
    print(f"over exercises (median check): median {over['median']:.3f} s, p95 {over['p95']:.3f} s, "
          f"max {over['max']:.3f} s")
    nb = figures["nbval_s"]
    print(f"pytest --nbval, every notebook, 2 workers: {nb['median']:.1f} s")
    for jobs, f in figures["grade_s"].items():
        print(f"depipe grade, solved submission, {jobs}: min {f['min']:.1f} s, median {f['median']:.1f} s, "
              f"max {f['max']:.1f} s")
    return figures


if __name__ == "__main__":
    main()
