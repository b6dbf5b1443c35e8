"""The ``depipe`` command: grade submissions, build solved notebooks, make data, open the lab."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from depipe_course.paths import NOTEBOOKS_DIR

if TYPE_CHECKING:
    from depipe_course.grading.limits import Limits

logger = logging.getLogger("depipe_course")


def _limits(args: argparse.Namespace) -> Limits:
    from depipe_course.grading.limits import Limits

    return Limits(timeout_s=args.timeout, cpu_s=args.cpu_limit, memory_mb=args.memory_limit,
                  file_mb=args.file_size_limit, processes=args.process_limit, output_kb=args.output_limit,
                  sandbox=args.sandbox)


def _grade(args: argparse.Namespace) -> int:
    from depipe_course.grading import SubmissionError, grade
    from depipe_course.grading.writers import gradescope, json, junit, markdown, write

    try:
        report = grade(Path(args.submission), jobs=args.jobs, limits=_limits(args))
    except SubmissionError as exc:
        print(f"depipe grade: {exc}", file=sys.stderr)
        return 2
    for target, writer in ((args.out, json), (args.junit, junit), (args.markdown, markdown),
                           (args.gradescope, gradescope)):
        if target:
            write(report, Path(target), writer.render)
    print(report.summary())
    if args.fail_under is not None and report.total < args.fail_under:
        print(f"depipe grade: total {report.total:g} is below --fail-under {args.fail_under:g}", file=sys.stderr)
        return 1
    return 0


def _grade_all(args: argparse.Namespace) -> int:
    from depipe_course.grading.classroom import grade_all

    try:
        book = grade_all(Path(args.submissions), Path(args.out), jobs=args.jobs, limits=_limits(args))
    except NotADirectoryError as exc:
        print(f"depipe grade-all: {exc}", file=sys.stderr)
        return 2
    for row in book.rows:
        print(f"{row.learner:<30}{row.total:>9g}/{book.max:g}")
    print(f"wrote {book.path} ({len(book.rows)} learners)")
    return 0


def _add_limit_options(p: argparse.ArgumentParser) -> None:
    from depipe_course.grading.limits import Limits

    d = Limits()
    lim = p.add_argument_group("limits per exercise (each exercise runs in its own sandboxed process)")
    lim.add_argument("--timeout", type=float, default=None,
                     help="wall-clock seconds allowed per exercise (default: each exercise's own limit)")
    lim.add_argument("--cpu-limit", type=float, default=None, help="CPU seconds (default: twice the wall-clock limit)")
    lim.add_argument("--memory-limit", type=int, default=d.memory_mb,
                     help=f"MB the learner's code may allocate (default {d.memory_mb})")
    lim.add_argument("--file-size-limit", type=int, default=d.file_mb,
                     help=f"largest file, in MB, the code may write (default {d.file_mb})")
    lim.add_argument("--process-limit", type=int, default=d.processes,
                     help=f"processes and threads (default {d.processes})")
    lim.add_argument("--output-limit", type=int, default=d.output_kb,
                     help=f"KB of printed output noted before the rest is dropped (default {d.output_kb})")
    lim.add_argument("--sandbox", choices=["auto", "basic"], default=d.sandbox,
                     help="auto: namespaces when the host allows (no network but loopback, read-only course "
                     "and submission); basic: resource limits and in-process guards only")


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
                       "Stored outputs are ignored. Exits 0 whenever grading ran, whatever the score, "
                       "unless --fail-under is given and the total is below it (exit 1); 2 when SUBMISSION "
                       "cannot be used.")
    g.add_argument("submission", help="folder holding course notebooks (or a clone of the course), or one .ipynb")
    g.add_argument("--out", help="write the JSON report here")
    g.add_argument("--junit", help="write JUnit XML here (one test case per sub-check)")
    g.add_argument("--markdown", help="write a Markdown summary here (e.g. $GITHUB_STEP_SUMMARY)")
    g.add_argument("--gradescope", help="write Gradescope's results.json here")
    g.add_argument("--fail-under", type=float, default=None, metavar="POINTS",
                   help="exit 1 when the total is below POINTS (a pass/fail gate for CI)")
    g.add_argument("--jobs", type=int, default=1, help="exercises graded in parallel (default 1)")
    _add_limit_options(g)
    g.set_defaults(run=_grade)

    ga = sub.add_parser("grade-all", help="grade a class: every sub-folder of SUBMISSIONS is one learner",
                        description="Grade every sub-folder of SUBMISSIONS (one learner each) in parallel; "
                        "write OUT/gradebook.csv (a row per learner, a column per exercise, the total) and "
                        "OUT/<learner>/report.json, report.md and junit.xml.")
    ga.add_argument("submissions", help="folder with one sub-folder per learner")
    ga.add_argument("--out", required=True, help="folder for the gradebook and the per-learner reports")
    ga.add_argument("--jobs", type=int, default=2, help="learners graded in parallel (default 2)")
    _add_limit_options(ga)
    ga.set_defaults(run=_grade_all)

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
