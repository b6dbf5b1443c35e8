"""Part 11's logging, as the checks set it in the learner's process.

Under the judge the learner's code logs in the worker: keeping its records out of the
notebook while a check calls it (``quiet_root``) happens there. ``setup_logging``
(11.4) configures the logging of the process it runs in, so the clean start each of
its checks needs, the library logger whose records must reach the stream, and putting
every logger back afterwards happen there too. The checks reach this module with
``learner_module`` (in the same process it is simply this module).
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from typing import Any

from depipe_course.judging.worker import root_quiet

LIBRARY = "depipe_check_lib"
CHILD = f"{LIBRARY}.client"
# The root logger quieted where the learner's code runs, as the worker quiets it while it serves.
quiet_root = root_quiet

_LoggerState = tuple[list[logging.Handler], list[Any], int, bool]


def _snapshot() -> tuple[dict[str, _LoggerState], int]:
    """Every logger's handlers, filters, level and propagate flag (root included), and
    ``logging.disable``'s level."""
    loggers: dict[str, logging.Logger] = {"": logging.getLogger()}
    loggers.update({name: obj for name, obj in logging.Logger.manager.loggerDict.items()
                    if isinstance(obj, logging.Logger)})
    states = {name: (lg.handlers[:], lg.filters[:], lg.level, lg.propagate) for name, lg in loggers.items()}
    return states, logging.root.manager.disable


def _restore(snapshot: tuple[dict[str, _LoggerState], int]) -> None:
    """Put every logger back as the snapshot found it; loggers created since get defaults."""
    states, disabled = snapshot
    logging.disable(disabled)
    current = {"": logging.getLogger()}
    current.update({name: obj for name, obj in logging.Logger.manager.loggerDict.items()
                    if isinstance(obj, logging.Logger)})
    for name, logger in current.items():
        handlers, filters, level, propagate = states.get(name, ([], [], logging.NOTSET, True))
        logger.handlers, logger.filters, logger.propagate = handlers[:], filters[:], propagate
        logger.setLevel(level)


@contextlib.contextmanager
def logging_state(earlier: io.StringIO | None = None) -> Iterator[logging.Logger]:
    """A clean logging set-up for one check; every logger is restored afterwards.

    The root logger starts as Python leaves it (no handler, WARNING), or with
    ``earlier``, as if ``logging.warning(...)`` had run before any configuration:
    the implicit ``basicConfig`` leaves a stream handler there and the level at
    WARNING. The library logger has a ``NullHandler``, as well-behaved libraries do.
    Yields the library's child logger, ``depipe_check_lib.client``.
    """
    snapshot = _snapshot()
    root = logging.getLogger()
    library, child = logging.getLogger(LIBRARY), logging.getLogger(CHILD)
    root.handlers, root.filters = [], []
    root.setLevel(logging.WARNING)
    if earlier is not None:
        root.addHandler(logging.StreamHandler(earlier))
    library.handlers = [logging.NullHandler()]
    try:
        yield child
    finally:
        _restore(snapshot)
