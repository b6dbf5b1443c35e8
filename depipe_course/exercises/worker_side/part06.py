"""What part 06's checks watch, and quiet, inside the learner's process.

Under the judge the learner's generators run in the worker: the files they open, the
clean-up when a consumer drops a generator, the lists a generator hands out, the
memory all that takes and the root logger it logs to are there. The checks reach this
module with ``learner_module`` (in the same process it is simply this module) and get
plain data back.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from depipe_course.judging.worker import root_quiet

# The root logger quieted where the learner's code runs, as the worker quiets it while it serves.
quiet_root = root_quiet


class Opened:
    """The file objects opened on one path while ``files_opened`` watches it, kept alive."""

    def __init__(self) -> None:
        self.files: list[Any] = []

    def keep_files_of(self, generator: Any) -> None:
        """Watch too the open files a paused generator (or what it delegates to) holds."""
        while generator is not None:
            frame = getattr(generator, "gi_frame", None)
            if frame is not None:
                self.files += [v for v in frame.f_locals.values()
                               if isinstance(v, io.IOBase) and v not in self.files]
            generator = getattr(generator, "gi_yieldfrom", None)


@contextlib.contextmanager
def files_opened(path: str | Path) -> Iterator[Opened]:
    """While inside: every file object opened on ``path`` (``open``, ``Path.open``, ``io.open``).

    The watcher keeps the objects alive, so a file that only garbage collection would
    close stays open and shows up. Whatever is still open at the end is closed here.
    """
    target = os.path.realpath(path)
    opened = Opened()
    real_builtin, real_io = builtins.open, io.open

    def watching_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        handle = real_builtin(file, *args, **kwargs)
        with contextlib.suppress(TypeError, ValueError, OSError):
            if not isinstance(file, int) and os.path.realpath(os.fspath(file)) == target:
                opened.files.append(handle)
        return handle

    builtins.open = io.open = watching_open
    try:
        yield opened
    finally:
        builtins.open, io.open = real_builtin, real_io
        for handle in opened.files:
            handle.close()


def break_after_first(read: Callable[[Any], Iterable[Any]], path: str | Path) -> None:
    """A consumer that breaks out of its for loop after the first item, dropping the generator here."""
    for _ in read(path):
        break


def handed_over(batches: Iterable[Any], cap: int) -> dict[str, Any]:
    """Take at most ``cap`` batches, copying each one the moment it arrives.

    Returns the copies (``as_handed``), the type name of each batch object, what each
    object holds once the generator went on (``now``), and whether one object was
    handed out more than once (``reused``).
    """
    objects, as_handed = [], []
    for batch in itertools.islice(batches, cap):
        objects.append(batch)
        as_handed.append(list(batch) if isinstance(batch, Iterable) else batch)
    return {"as_handed": as_handed, "kinds": [type(b).__name__ for b in objects],
            "now": [list(b) if isinstance(b, Iterable) else b for b in objects],
            "reused": len({id(b) for b in objects}) < len(objects)}
