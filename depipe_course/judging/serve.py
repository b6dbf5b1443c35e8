"""The judge process behind ``check()`` in a notebook: ``python -m depipe_course.judging.serve FD``."""

from __future__ import annotations

import logging
import os
import sys
from multiprocessing.connection import Connection
from typing import Any

from depipe_course.judging.channel import ChannelClosed, Endpoint
from depipe_course.judging.judge import Judge


def _check(endpoint: Endpoint, exercise_id: str, objects: dict[str, Any], namespace: Any) -> dict[str, Any]:
    from depipe_course import exercises

    judge = Judge(endpoint, learner_pid=os.getppid())  # the kernel that started this judge
    try:
        return judge.check(exercises.get(str(exercise_id)), objects, namespace).to_dict()
    finally:
        endpoint.forget_handles()


def main(fd: int) -> None:
    logging.getLogger().addHandler(logging.NullHandler())
    endpoint = Endpoint(Connection(fd), trusting=False, ops={"check": _check, "ping": lambda ep: None})
    for name in ("pandas", "pyarrow", "requests", "responses", "pydantic", "depipe_course.fakes.api"):
        __import__(name)
    try:
        while True:
            endpoint.serve_one()
    except ChannelClosed:
        return


if __name__ == "__main__":
    main(int(sys.argv[1]))
