"""Grading speed: a class of solved submissions through ``depipe grade-all``.

``python -m benchmarks.grading [--copies 20] [--jobs 2]`` builds solved notebooks
(``depipe solve``), copies them once per learner, grades the class with the real
command line and prints wall time per submission and per exercise, and checks the
gradebook has a full row per learner. Wall-clock figures on this machine, one run.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from depipe_course import exercises
from depipe_course.solve import write_solved

DEPIPE = str(Path(sys.executable).with_name("depipe"))


def _timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def run(copies: int, jobs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="depipe-bench-grading-") as tmp:
        root = Path(tmp)
        solved = root / "solved"
        notebooks = write_solved(solved)
        graded_ids = [ex.id for p in notebooks for ex in exercises.exercises_of(p.name[:2])]
        single = _timed([DEPIPE, "grade", str(solved), "--jobs", str(jobs)])
        class_dir = root / "class"
        for i in range(copies):
            shutil.copytree(solved, class_dir / f"learner{i:02d}")
        wall = _timed([DEPIPE, "grade-all", str(class_dir), "--jobs", str(jobs), "--out", str(root / "out")])
        with (root / "out" / "gradebook.csv").open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        ids = [ex.id for ex in exercises.all_exercises()]
        full = sum(1 for r in rows if all(r.get(i, "") != "" for i in ids))
        max_graded = sum(ex.max_points for ex in exercises.all_exercises() if ex.id in graded_ids)
        top = sum(1 for r in rows if float(r["total"]) == max_graded)
    return {"copies": copies, "jobs": jobs, "exercises": len(graded_ids), "single_s": single, "wall_s": wall,
            "rows": len(rows), "full_rows": full, "top_score_rows": top}


def print_figures(f: dict[str, float]) -> None:
    per_sub = f["wall_s"] / f["copies"]
    print(f"solved submission: {f['exercises']} exercises with notebooks "
          f"(of {len(exercises.all_exercises())} in the registry)")
    print(f"depipe grade, one submission (cold, forkserver start included), --jobs {f['jobs']}: "
          f"{f['single_s']:.1f} s")
    print(f"depipe grade-all, {f['copies']} submissions, --jobs {f['jobs']}: {f['wall_s']:.1f} s wall")
    print(f"  per submission: {per_sub:.2f} s wall; per exercise: {per_sub / max(1, f['exercises']):.3f} s wall")
    print(f"  gradebook: {f['rows']} rows, {f['full_rows']} with every exercise column filled, "
          f"{f['top_score_rows']} with full marks")


def main(argv: list[str] | None = None) -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--copies", type=int, default=20)
    args.add_argument("--jobs", type=int, default=2)
    opts = args.parse_args(argv)
    print_figures(run(opts.copies, opts.jobs))


if __name__ == "__main__":
    main()
