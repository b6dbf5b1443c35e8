"""Run learner code with the machine's local time zone away from UTC.

On a server whose clock runs in UTC, "local time" *is* UTC, so code that writes local
time where UTC is asked for passes by accident. Checks switch the process's zone to
UTC+05:30 (India: a half-hour offset, which also catches whole-hour assumptions) while
learner code runs, and restore it afterwards. Where the platform cannot switch zones
(no ``time.tzset``, as on Windows), nothing changes.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator

NOT_UTC = "IST-05:30"  # POSIX TZ syntax, no tz database needed: a name, then the hours *west* of UTC


@contextlib.contextmanager
def local_zone(tz: str = NOT_UTC) -> Iterator[None]:
    """The process's local time zone is ``tz`` inside; restored afterwards."""
    tzset = getattr(time, "tzset", None)
    if tzset is None:  # pragma: no cover - Windows
        yield
        return
    saved = os.environ.get("TZ")
    os.environ["TZ"] = tz
    tzset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        tzset()
