"""What a learner edition contains, and what is done to it on the way: read this first.

``depipe release --out DIR`` builds a repository a learner can be given (a GitHub
Classroom template, say) from this course. Everything it copies, writes, strips and
checks is declared here; ``build.py`` only carries it out. The rule the build enforces
(``verify.py``): no reference answer of a graded exercise can be read from the release.
"""

from __future__ import annotations

from dataclasses import dataclass

from depipe_course import edition


@dataclass(frozen=True)
class Copy:
    """Copy ``path`` (a file or a folder) from the course, leaving out ``leave_out`` (globs)."""

    path: str
    why: str
    leave_out: tuple[str, ...] = ()


@dataclass(frozen=True)
class Write:
    """Write ``path`` in the release from ``templates/<template>`` (learner-facing files)."""

    path: str
    template: str
    why: str


@dataclass(frozen=True)
class Transform:
    """Change the copied files matching ``paths`` in one named way (see ``build.TRANSFORMS``)."""

    name: str
    paths: str
    why: str


@dataclass(frozen=True)
class Manifest:
    copy: tuple[Copy, ...]
    write: tuple[Write, ...]
    transform: tuple[Transform, ...]
    # Exercises whose checks compare against values the reference computes (``edition.expected``):
    # the build runs their checks on the reference once and stores those values.
    precompute: tuple[str, ...]
    # Quizzes: their keys are salted digests in the check modules already (``exercises/_quiz.py``);
    # the build proves each key matches the reference and that no answer is in plain text.
    quizzes: tuple[str, ...]
    # Never in a release, whatever the lists above say.
    never: tuple[str, ...]
    # Exercises whose technique the learner library itself must use, so it cannot be hidden.
    exposed: dict[str, str]


_NOT_PYTHON_CACHE = ("__pycache__", "*.pyc", ".ipynb_checkpoints")

MANIFEST = Manifest(
    copy=(
        Copy("depipe_course", "the learner library: check(), progress(), data, fakes, db, the checks, and the "
             "grader (for feedback in CI and progress(graded=True))",
             leave_out=(*_NOT_PYTHON_CACHE, "release", "_edition.json")),
        Copy("notebooks", "the notebooks as shipped: every exercise cell is a stub",
             leave_out=(*_NOT_PYTHON_CACHE, "scratch", "sanitize.cfg")),
        Copy("data", "the small samples the notebooks read", leave_out=_NOT_PYTHON_CACHE),
        Copy("environment.yml", "conda and Binder"),
        Copy(".env.example", "part 07's placeholder settings"),
        Copy(".gitignore", "keeps .venv, build/ and .env out of the learner's commits"),
    ),
    write=(
        Write("README.md", "README.md", "for learners: set-up, check(), feedback, what is graded where"),
        Write("Makefile", "Makefile", "make lab / make feedback"),
        Write(".github/workflows/grade.yml", "grade.yml", "feedback on every push: a summary, not marks"),
    ),
    transform=(
        Transform("learner pyproject", "pyproject.toml",
                  "the course's own (same dependencies), packaging depipe_course only, with its edition marker"),
        Transform("strip instructor-only bodies", "depipe_course/exercises/**/*.py",
                  "functions marked @instructor_only (the correct versions behind part 08's mutation grading) "
                  "keep their signature; their body raises NotRun"),
        Transform("own instead of reference", "notebooks/*.ipynb",
                  "a non-exercise cell's `from solutions.partNN import x` becomes `x = own(\"x\")`: the "
                  "learner's own x, from their saved notebook"),
        Transform("edition marker", "depipe_course/_edition.json",
                  "marks the learner edition and holds the precomputed expectations (counts in plain, "
                  "records as digests only)"),
    ),
    precompute=edition.NEEDS_EXPECTED,
    quizzes=("01.2", "11.7"),
    never=("solutions", "tests", "benchmarks", "docs", ".ci", "build", "depipe_course/release",
           "depipe_course.egg-info", ".venv"),
    exposed={
        "01.1": "the memory measurements of the checks (exercises/_memory.py) use "
                "tracemalloc the way 01.1 asks; the checks cannot measure memory without it",
    },
)
