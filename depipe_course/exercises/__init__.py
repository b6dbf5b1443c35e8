"""The exercise registry: every exercise's id, names, points, hints and checks.

Each part of the course has a module ``partNN`` here that declares its exercises
with ``exercise(...)`` and their checks with ``@ex.check(...)``. Part modules are
imported on first use, so ``check("02.1")`` loads part 02 and nothing else.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from depipe_course.checking import Check


@dataclass(frozen=True)
class Part:
    """One part of the module: a notebook and a solutions module."""

    number: str
    title: str
    notebook: str

    @property
    def module(self) -> str:
        return f"part{self.number}"


PARTS: tuple[Part, ...] = (
    Part("01", "Production Python is not Python 101", "01_production_python.ipynb"),
    Part("02", "File I/O at scale", "02_file_io_at_scale.ipynb"),
    Part("03", "REST APIs", "03_rest_apis.ipynb"),
    Part("04", "Errors and retries", "04_errors_and_retries.ipynb"),
    Part("05", "Structured logging", "05_structured_logging.ipynb"),
    Part("06", "Generators", "06_generators.ipynb"),
    Part("07", "Configuration and secrets", "07_configuration_and_secrets.ipynb"),
    Part("08", "Testable code", "08_testable_code.ipynb"),
    Part("09", "Type hints and pydantic", "09_type_hints_and_pydantic.ipynb"),
    Part("10", "A production pipeline", "10_production_pipeline.ipynb"),
    Part("11", "Interview prep and the error library", "11_interview_prep.ipynb"),
)

_ID = re.compile(r"^(\d\d)\.(\d+)$")
_REGISTRY: dict[str, Exercise] = {}


class UnknownExercise(KeyError):
    """An exercise id that the course does not have."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class Exercise:
    """An exercise: the names a learner defines and the checks that grade them.

    ``uses`` lists the ids of exercises whose functions this one calls; grading
    supplies their reference versions so that one mistake costs once.
    """

    id: str
    title: str
    names: tuple[str, ...]
    uses: tuple[str, ...] = ()
    timeout_s: float = 60.0
    checks: list[Check] = field(default_factory=list)

    @property
    def part(self) -> Part:
        return part(self.id[:2])

    @property
    def max_points(self) -> float:
        return sum(c.points for c in self.checks)

    def check(
        self, name: str, *, points: float = 1.0, hint: str = ""
    ) -> Callable[[Callable[..., None]], Callable[..., None]]:
        """Register the decorated function as a sub-check of this exercise."""

        def register(fn: Callable[..., None]) -> Callable[..., None]:
            self.checks.append(Check(name, fn, points, hint))
            return fn

        return register


def exercise(
    id: str,
    title: str,
    names: list[str] | tuple[str, ...],
    *,
    uses: list[str] | tuple[str, ...] = (),
    timeout_s: float = 60.0,
) -> Exercise:
    """Declare an exercise; called once per exercise from its part module."""
    if not _ID.match(id):
        raise ValueError(f"exercise id must look like '02.1', got {id!r}")
    if id in _REGISTRY:
        raise ValueError(f"exercise {id} is declared twice")
    ex = Exercise(id, title, tuple(names), tuple(uses), timeout_s)
    _REGISTRY[id] = ex
    return ex


def part(number: str) -> Part:
    for p in PARTS:
        if p.number == number:
            return p
    raise UnknownExercise(f"the course has no part {number!r}")


def exercises_of(number: str) -> list[Exercise]:
    """The exercises of one part in id order (empty for a part not yet written)."""
    p = part(number)
    name = f"{__name__}.{p.module}"
    if importlib.util.find_spec(name) is None:
        return []
    importlib.import_module(name)
    found = [ex for ex in _REGISTRY.values() if ex.id.startswith(f"{number}.")]
    return sorted(found, key=lambda ex: int(ex.id.split(".")[1]))


def all_exercises() -> list[Exercise]:
    return [ex for p in PARTS for ex in exercises_of(p.number)]


def get(exercise_id: str) -> Exercise:
    """Look up an exercise by id, loading its part module on first use."""
    match = _ID.match(str(exercise_id).strip())
    if not match:
        raise UnknownExercise(f"{exercise_id!r} is not an exercise id (ids look like '02.1')")
    exercise_id = match.group(0)
    part(match.group(1))
    for ex in exercises_of(match.group(1)):
        if ex.id == exercise_id:
            return ex
    raise UnknownExercise(f"part {match.group(1)} has no exercise {exercise_id}")
