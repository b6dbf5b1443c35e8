"""A stand-in for ``time.sleep`` that checks inject, so that no check ever really waits."""

from __future__ import annotations


class TooManyWaits(Exception):
    """Learner code asked to wait more times than any correct answer would."""


class RecordingSleep:
    """Records each requested wait and returns at once; refuses negative and endless waiting.

    A retry loop without a cap would otherwise spin for ever inside a check: past
    ``limit`` waits it raises ``TooManyWaits``, which the check reports.
    """

    def __init__(self, limit: int = 40) -> None:
        self.waits: list[float] = []
        self.limit = limit

    def __call__(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"sleep length must be non-negative, got {seconds}")
        self.waits.append(float(seconds))
        if len(self.waits) > self.limit:
            raise TooManyWaits(f"more than {self.limit} waits")
