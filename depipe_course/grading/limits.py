"""What one exercise's learner code may use: time, CPU, memory, files, processes, output.

Defaults are sized for the course's checks (small generated inputs, a moto server on
127.0.0.1) on a 2-core CI runner, with room for honest mistakes: a limit should stop a
runaway, not a slow but correct answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Sandbox = Literal["auto", "basic"]


@dataclass(frozen=True)
class Limits:
    """Per-exercise limits; ``None`` for ``timeout_s`` means each exercise's own limit.

    ``memory_mb`` is *added* to what the grader's warm process already maps (pandas and
    pyarrow reserve over 1 GB of address space before any learner code runs), so it
    means "memory the learner's code may allocate".
    """

    timeout_s: float | None = None
    cpu_s: float | None = None  # None: twice the wall-clock limit
    memory_mb: int = 2048
    file_mb: int = 512
    processes: int = 64  # tasks (threads count) in the exercise's sandbox
    output_kb: int = 1024
    sandbox: Sandbox = "auto"  # "basic": rlimits and in-process guards, no namespaces

    def wall_s(self, exercise_timeout_s: float) -> float:
        return self.timeout_s if self.timeout_s is not None else exercise_timeout_s

    def cpu_for(self, wall_s: float) -> float:
        return self.cpu_s if self.cpu_s is not None else 2 * wall_s

    def for_exercise(self, exercise_timeout_s: float) -> dict[str, Any]:
        """The limits one exercise runs under, with its own time limit filled in."""
        wall = self.wall_s(exercise_timeout_s)
        return {**asdict(self), "timeout_s": wall, "cpu_s": self.cpu_for(wall)}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
