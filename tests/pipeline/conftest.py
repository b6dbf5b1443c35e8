"""Fixtures for the pipeline tests: every test that asks for ``databases`` runs on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pipeline.databases import KINDS, Factory, provide


@pytest.fixture(params=KINDS)
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Factory]:
    """Fresh empty databases: SQLite files, or PostgreSQL schemas (see ``databases.py`` for the policy)."""
    yield from provide(request.param, tmp_path)
