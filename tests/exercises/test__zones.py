"""depipe_course.exercises._zones: checks can move the machine's local zone away from UTC, and back."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime

import pytest

from depipe_course.exercises._zones import local_zone


@pytest.fixture
def restore_tz() -> Iterator[None]:
    """Put TZ back, and tell the C library, after the test (monkeypatch would skip the tzset)."""
    saved = os.environ.get("TZ")
    yield
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="the local zone can only be set where time.tzset exists")
@pytest.mark.parametrize("before", [None, "UTC"], ids=["TZ unset", "TZ=UTC"])
def test_local_time_zone_is_set_and_restored(restore_tz: None, before: str | None) -> None:
    """Inside, local time is five and a half hours east of UTC; afterwards TZ is as it was."""
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()
    offset_before = datetime.now().astimezone().utcoffset()
    with local_zone():
        inside = datetime.now().astimezone().utcoffset()
    assert inside is not None and inside.total_seconds() == 5.5 * 3600
    assert os.environ.get("TZ") == before
    assert datetime.now().astimezone().utcoffset() == offset_before
