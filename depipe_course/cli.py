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
    from depipe_course.grading.classroom import Gradebook
    from depipe_course.grading.limits import Limits

logger = logging.getLogger("depipe_course")


def _limits(args: argparse.Namespace) -> Limits:
    from depipe_course.grading.limits import Limits

    return Limits(timeout_s=args.timeout, cpu_s=args.cpu_limit, memory_mb=args.memory_limit,
                  file_mb=args.file_size_limit, processes=args.process_limit, output_kb=args.output_limit,
                  sandbox=args.sandbox)


def _grade(args: argparse.Namespace) -> int:
    from depipe_course.grading import IsolationRefused, SubmissionError, grade
    from depipe_course.grading.writers import gradescope, json, junit, markdown, write

    try:
        report = grade(Path(args.submission), jobs=args.jobs, limits=_limits(args),
                       allow_shared_identity=args.allow_shared_identity)
    except (SubmissionError, IsolationRefused) as exc:
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


def _print_book(book: Gradebook) -> None:
    for row in book.rows:
        print(f"{row.learner:<30}{row.total:>9g}/{book.max:g}")
    if book.shard.count > 1:
        print(f"wrote {book.path} (shard {book.shard}: {len(book.rows)} of {book.class_size} learners; "
              "similarity is checked by merge-grades)")
        return
    print(f"wrote {book.path} ({len(book.rows)} learners)")
    print(f"similarity: {len(book.similar)} pair(s) flagged -> {book.path.with_name('similarity.csv')}")


def _grade_all(args: argparse.Namespace) -> int:
    from depipe_course.grading import IsolationRefused
    from depipe_course.grading.classroom import grade_all
    from depipe_course.grading.shards import Shard, ShardError

    try:
        shard = Shard.parse(args.shard)
        book = grade_all(Path(args.submissions), Path(args.out), jobs=args.jobs, limits=_limits(args), shard=shard,
                         roster=Path(args.roster) if args.roster else None, threshold=args.similarity_threshold,
                         allow_shared_identity=getattr(args, "allow_shared_identity", False))
    except (NotADirectoryError, ShardError, IsolationRefused) as exc:
        print(f"depipe grade-all: {exc}", file=sys.stderr)
        return 2
    _print_book(book)
    return 0


def _merge_grades(args: argparse.Namespace) -> int:
    from depipe_course.grading.classroom import merge
    from depipe_course.grading.shards import ShardError

    try:
        book = merge([Path(d) for d in args.shard_dirs], Path(args.out), threshold=args.similarity_threshold)
    except ShardError as exc:
        print(f"depipe merge-grades: {exc}", file=sys.stderr)
        return 2
    _print_book(book)
    return 0


def _roster(args: argparse.Namespace) -> int:
    from depipe_course.grading.shards import Shard, ShardError, read_roster

    try:
        shard = Shard.parse(args.shard)
        learners = read_roster(Path(args.roster))
    except ShardError as exc:
        print(f"depipe roster: {exc}", file=sys.stderr)
        return 2
    repos = {learner.name: learner.repo for learner in learners}
    for name in shard.select(list(repos)):
        print(f"{name}\t{repos[name]}")
    return 0


def _threshold(text: str) -> float:
    value = float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"a share between 0 (exclusive) and 1, got {text}")
    return value


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
    lim.add_argument("--allow-shared-identity", action="store_true",
                     help="grade even where learner code would run as your own user (non-root without user "
                     "namespaces): only for submissions you trust, such as your own")
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


def _release(args: argparse.Namespace) -> int:
    from depipe_course import edition

    if edition.is_learner_edition():
        print("depipe release: this is a learner edition already; build releases from the course", file=sys.stderr)
        return 2
    from depipe_course.release import ReleaseError, build

    try:
        release = build(Path(args.out))
    except ReleaseError as exc:
        print(f"depipe release: {exc}", file=sys.stderr)
        return 1
    for line in release.done:
        print(line)
    print(f"learner edition written to {release.root}")
    return 0


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

    from depipe_course.grading.similarity import DEFAULT_THRESHOLD

    ga = sub.add_parser("grade-all", help="grade a class: every sub-folder of SUBMISSIONS is one learner",
                        description="Grade every sub-folder of SUBMISSIONS (one learner each) in parallel; "
                        "write OUT/gradebook.csv (a row per learner, a column per exercise, the total), "
                        "OUT/shard.json (the same, machine-readable) and OUT/<learner>/report.json, report.md, "
                        "junit.xml and cells.json. A whole class also gets OUT/similarity.json and .csv: pairs of "
                        "learners whose code for an exercise is near-identical (never a change of score). "
                        "With --shard K/N only shard K of N is graded; merge the shards with merge-grades.")
    ga.add_argument("submissions", help="folder with one sub-folder per learner")
    ga.add_argument("--out", required=True, help="folder for the gradebook and the per-learner reports")
    ga.add_argument("--jobs", type=int, default=2, help="learners graded in parallel (default 2)")
    ga.add_argument("--shard", default="1/1", metavar="K/N",
                    help="grade only shard K of N: every N-th learner of the sorted class list, from the K-th "
                    "(default 1/1, the whole class)")
    ga.add_argument("--roster", metavar="FILE",
                    help="the class list (OWNER/REPO [NAME] per line, or a CSV): a learner without a folder "
                    "gets a row of zeros; default: the sub-folders of SUBMISSIONS")
    ga.add_argument("--similarity-threshold", type=_threshold, default=DEFAULT_THRESHOLD, metavar="SHARE",
                    help="flag a pair when each one's cell is at least SHARE copied from the other's, names "
                    f"and whitespace ignored (default {DEFAULT_THRESHOLD})")
    _add_limit_options(ga)
    ga.set_defaults(run=_grade_all)

    mg = sub.add_parser("merge-grades", help="merge the --out folders of every shard of a class",
                        description="Merge the OUT folders of `grade-all --shard K/N` runs (every shard once) "
                        "into one: the same gradebook.csv, reports and similarity flags as one run over the "
                        "whole class. Exits 2, changing nothing, when a shard is missing or given twice, or "
                        "the shards were cut from different class lists or graded differently.")
    mg.add_argument("shard_dirs", nargs="+", metavar="SHARD_DIR", help="a shard's --out folder")
    mg.add_argument("--out", required=True, help="folder for the merged gradebook and reports")
    mg.add_argument("--similarity-threshold", type=_threshold, default=DEFAULT_THRESHOLD, metavar="SHARE",
                    help=f"as for grade-all (default {DEFAULT_THRESHOLD})")
    mg.set_defaults(run=_merge_grades)

    ro = sub.add_parser("roster", help="list a roster's learners (of one shard): NAME<TAB>OWNER/REPO",
                        description="Print NAME<TAB>OWNER/REPO for each learner of ROSTER, or of one shard "
                        "of it: what a CI job clones before `grade-all --roster ROSTER --shard K/N`.")
    ro.add_argument("roster", help="OWNER/REPO [NAME] per line, or a CSV with a repository column")
    ro.add_argument("--shard", default="1/1", metavar="K/N", help="only shard K of N (default 1/1)")
    ro.set_defaults(run=_roster)

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

    rel = sub.add_parser("release", help="(instructors) build a learner repository: stubs, library, no answers",
                         description="Build a learner edition of the course into OUT (a new or empty folder): "
                         "the stub notebooks, the learner library without anything that holds answers, data, "
                         "a README, Makefile and feedback workflow for learners. What goes in and how it is "
                         "changed is declared in depipe_course/release/manifest.py; the build fails if the "
                         "result gives a reference answer away. See docs/release.md.")
    rel.add_argument("--out", required=True, help="folder to build the learner edition in")
    rel.set_defaults(run=_release)
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
