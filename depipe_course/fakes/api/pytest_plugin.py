"""Pytest fixtures for the fake payments API.

Enable them in a root ``conftest.py`` with
``pytest_plugins = ["depipe_course.fakes.api.pytest_plugin"]``, or import the fixtures
into a conftest by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from depipe_course.fakes.api.fake import FakePaymentsAPI


@pytest.fixture
def fake_api() -> Iterator[FakePaymentsAPI]:
    """A default ``FakePaymentsAPI`` (seed 0, OAuth), active for the test."""
    with FakePaymentsAPI() as api:
        yield api


@pytest.fixture
def fake_api_factory() -> Iterator[Callable[..., FakePaymentsAPI]]:
    """Build an active fake with any keyword arguments; each is stopped after the test."""
    started: list[FakePaymentsAPI] = []

    def build(**kwargs: Any) -> FakePaymentsAPI:
        api = FakePaymentsAPI(**kwargs).start()
        started.append(api)
        return api

    yield build
    for api in reversed(started):
        api.stop()
