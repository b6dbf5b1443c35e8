"""The ``depipe`` command: grade submissions, build solved notebooks, make data, open the lab."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from depipe_course.paths import NOTEBOOKS_DIR

logger = logging.getLogger("depipe_course")


def _grade(args: argparse.Namespace) -> int:
    from depipe_course.grading import SubmissionError, grade

    try:
        report = grade(Path(args.submission), jobs=args.jobs, timeout_s=args.timeout)
    except SubmissionError as exc:
        print(f"depipe grade: {exc}", file=sys.stderr)
        return 2
    if args.out:
        report.write_json(Path(args.out))
    print(report.summary())
    return 0


def _solve(args: argparse.Namespace) -> int:
    from depipe_course.solve import write_solved

    for path in write_solved(Path(args.out), source_dir=Path(args.notebooks)):
        print(f"wrote {path}")
    return 0


def _data(args: argparse.Namespace) -> int:
    from depipe_course import data

    size = data.parse_size(args.size) if args.size else None
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.kind == "orders-csv":
        rows = data.write_orders_csv(out, None if size else args.rows, args.seed, size_bytes=size)
    elif args.kind == "orders-ndjson":
        rows = data.write_orders_ndjson(out, args.rows, args.seed, bad_line_rate=0.001)
    else:
        data.write_partitioned_orders(out, args.rows, args.seed)
        rows = args.rows
    print(f"wrote {rows:,} rows to {out}")
    return 0


def _lab(args: argparse.Namespace) -> int:
    """Replace this process with JupyterLab serving the course's notebooks."""
    argv = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={NOTEBOOKS_DIR}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")  # containers, Binder-like hosts and CI run as root
    argv.extend(args.lab_args)
    os.execv(sys.executable, argv)
    return 0  # pragma: no cover - execv does not return


def _execute(args: argparse.Namespace) -> int:
    from depipe_course.execute import execute_in_place

    for name in args.notebooks:
        execute_in_place(Path(name))
        print(f"executed {name}")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="depipe",
        description="depipe-course: grade notebooks, build solved copies, generate data, open the lab.",
    )
    sub = top.add_subparsers(dest="command", required=True)

    g = sub.add_parser("grade", help="re-run and grade a submission (a folder of notebooks or one .ipynb)",
                       description="Re-run every exercise cell of SUBMISSION in isolation and score it. "
                       "Stored outputs are ignored. Exits 0 whenever grading ran, whatever the score.")
    g.add_argument("submission", help="folder holding course notebooks, or a single .ipynb")
    g.add_argument("--out", help="write the JSON report here")
    g.add_argument("--jobs", type=int, default=1, help="exercises graded in parallel (default 1)")
    g.add_argument("--timeout", type=float, default=None,
                   help="seconds allowed per exercise (default: each exercise's own limit)")
    g.set_defaults(run=_grade)

    s = sub.add_parser("solve", help="write solved copies of the notebooks from solutions/",
                       description="Copy the course notebooks to OUT with every exercise cell filled "
                       "from the reference in solutions/.")
    s.add_argument("--out", required=True, help="folder for the solved notebooks")
    s.add_argument("--notebooks", default=str(NOTEBOOKS_DIR), help="learner notebooks to start from")
    s.set_defaults(run=_solve)

    d = sub.add_parser("data", help="generate the course's seeded data sets",
                       description="Generate messy orders data (seeded: the same seed gives the same bytes).")
    d.add_argument("kind", choices=["orders-csv", "orders-ndjson", "orders-parquet"],
                   help="what to generate (orders-parquet: a hive-partitioned dataset folder)")
    d.add_argument("--out", required=True, help="file (or folder for orders-parquet) to write")
    d.add_argument("--rows", type=int, default=10_000, help="number of rows (default 10,000)")
    d.add_argument("--size", help="instead of --rows, a target size such as 100MB or 1GB (orders-csv)")
    d.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    d.set_defaults(run=_data)

    lab = sub.add_parser("lab", help="open JupyterLab on the course notebooks",
                         description="Start JupyterLab with the course's notebooks folder as its root. "
                         "Extra arguments go to JupyterLab (e.g. --no-browser --port 8899).")
    lab.set_defaults(run=_lab)

    ex = sub.add_parser("execute", help="(instructors) re-run notebooks and store their outputs",
                        description="Execute each notebook top to bottom in a fresh kernel and save its "
                        "outputs in place: the outputs nbval compares against.")
    ex.add_argument("notebooks", nargs="+", help="notebook files")
    ex.set_defaults(run=_execute)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    top = parser()
    args, extra = top.parse_known_args(argv)
    if args.command == "lab":
        args.lab_args = extra  # everything unknown goes to JupyterLab
    elif extra:
        top.error(f"unrecognized arguments: {' '.join(extra)}")
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
