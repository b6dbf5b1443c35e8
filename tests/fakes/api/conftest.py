"""Shared fixtures: a small active fake, a session, and the package's own fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from depipe_course.fakes.api import FakePaymentsAPI
from depipe_course.fakes.api.pytest_plugin import fake_api, fake_api_factory  # noqa: F401


@pytest.fixture
def api() -> Iterator[FakePaymentsAPI]:
    """A small OAuth fake (57 orders, 83 payments, 31 accounts), active for the test."""
    with FakePaymentsAPI(seed=3, orders=57, payments=83, accounts=31, accounts_page_size=10) as fake:
        yield fake


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


@pytest.fixture
def headers(api: FakePaymentsAPI) -> dict[str, str]:
    """Headers that pass the fixture fake's auth."""
    return api.auth_headers()
