""".github/workflows/drift.yml: weekly, install the newest allowed versions, test, raise an issue on failure.

The version listing and the issue step are run here with bash as the runner would run them
(``gh`` is a script that records its arguments); the test step is checked with ``make -n``,
which shows what ``make test`` would do without doing it.
"""

from __future__ import annotations

import os
import re
import subprocess
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from depipe_course.paths import COURSE_ROOT

WORKFLOW = COURSE_ROOT / ".github" / "workflows" / "drift.yml"
FAKE_GH = """#!/usr/bin/env bash
echo "$*" >> "$GH_LOG"
if [ "$1 $2" = "issue list" ]; then printf '%s' "$OPEN_ISSUE"; fi
"""


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def steps(workflow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step.get("name", step.get("uses")): step for step in workflow["jobs"]["drift"]["steps"]}


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=120)


def test_it_runs_weekly_and_on_demand(workflow: dict[str, Any]) -> None:
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    (cron,) = (entry["cron"] for entry in triggers["schedule"])
    minute, hour, day, month, weekday = cron.split()
    assert day == month == "*" and re.fullmatch(r"[0-6]", weekday) and minute.isdigit() and hour.isdigit()
    assert workflow["permissions"] == {"contents": "read", "issues": "write"}


def test_it_installs_the_newest_versions_the_bounds_allow(steps: dict[str, dict[str, Any]]) -> None:
    install = steps["Install the newest versions the bounds allow"]["run"]
    assert '.venv/bin/python -m pip install --upgrade --upgrade-strategy eager -e ".[dev]"' in install
    setup = steps["actions/setup-python@v5"]["with"]
    assert str(setup["python-version"]) == "3.11" and "cache" not in setup  # resolve afresh, every time


def test_it_prints_the_resolved_versions(steps: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    """The listing step, run here, names every bound of pyproject.toml with what was installed."""
    (tmp_path / "pyproject.toml").write_bytes((COURSE_ROOT / "pyproject.toml").read_bytes())
    (tmp_path / ".venv").symlink_to(COURSE_ROOT / ".venv")
    summary = tmp_path / "summary.md"
    done = _bash(steps["Print the resolved versions"]["run"], tmp_path, {"GITHUB_STEP_SUMMARY": str(summary)})
    assert done.returncode == 0, done.stderr
    table = (tmp_path / "drift-versions.md").read_text(encoding="utf-8")
    assert summary.read_text(encoding="utf-8") == table and done.stdout == table
    for name in ("pandas", "pyarrow", "moto", "pydantic", "numpy", "boto3", "botocore", "pytest"):
        assert re.search(rf"^\| {name} \| {re.escape(version(name))} \|", table, re.M), name


def test_it_runs_the_readme_test_command_on_what_it_installed(steps: dict[str, dict[str, Any]],
                                                               tmp_path: Path) -> None:
    """`make test` is the README's command; with STAMP pointing at the file the install step
    touched, make runs the suite on that environment instead of installing another one."""
    assert "make test" in (COURSE_ROOT / "README.md").read_text(encoding="utf-8")
    command = steps["Run the README's test command"]["run"].strip()
    assert command == "make test STAMP=.venv/.drift-installed"
    assert "touch .venv/.drift-installed" in steps["Install the newest versions the bounds allow"]["run"]
    stamp = tmp_path / ".drift-installed"
    stamp.touch()  # newer than pyproject.toml, as right after the install step
    done = subprocess.run(["make", "-n", "test", f"STAMP={stamp}"], cwd=COURSE_ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "pytest" in done.stdout and "ruff check" in done.stdout
    assert "venv" not in done.stdout.replace(".venv/bin/", "")  # no new environment, no install
    assert "pip install" not in done.stdout


def test_postgres_is_there_for_the_pipeline_tests(workflow: dict[str, Any]) -> None:
    """GitHub sets CI=true, and with CI set the PostgreSQL tests fail without a server: one is a service."""
    job = workflow["jobs"]["drift"]
    assert job["services"]["postgres"]["image"].startswith("postgres:")
    assert job["env"]["DATABASE_URL"].startswith("postgresql://postgres:postgres@localhost:5432/")


@pytest.mark.parametrize("open_issue", ["", "7"])
def test_a_failure_opens_or_updates_one_issue(steps: dict[str, dict[str, Any]], tmp_path: Path,
                                              open_issue: str) -> None:
    """On failure: a new issue when none is open, else a comment on the open one; either way the
    body names the resolved versions and which step failed."""
    step = steps["Open or update the drift issue"]
    assert step["if"] == "${{ failure() }}"
    assert step["env"]["GH_TOKEN"] == "${{ github.token }}"
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "gh").write_text(FAKE_GH, encoding="utf-8")
    (tmp_path / "bin" / "gh").chmod(0o755)
    (tmp_path / "drift-versions.md").write_text("| package | resolved | bounds |\n|---|---|---|\n"
                                                "| pandas | 3.9.1 | `pandas>=3.0,<4` |\n", encoding="utf-8")
    log = tmp_path / "gh.log"
    env = {"PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", "GH_LOG": str(log), "OPEN_ISSUE": open_issue,
           "GH_TOKEN": "fake", "INSTALL_OUTCOME": "success", "TESTS_OUTCOME": "failure",
           "GITHUB_SERVER_URL": "https://github.example", "GITHUB_REPOSITORY": "org/course", "GITHUB_RUN_ID": "42"}
    done = _bash(step["run"], tmp_path, env)
    assert done.returncode == 0, done.stderr
    calls = log.read_text(encoding="utf-8").splitlines()
    assert calls[0].startswith("label create dependency-drift")
    assert calls[1].startswith("issue list --label dependency-drift --state open")
    if open_issue:
        assert calls[2] == "issue comment 7 --body-file drift-issue.md"
    else:
        assert calls[2].startswith("issue create --title Dependency drift") and calls[2].endswith(
            "--label dependency-drift --body-file drift-issue.md")
    body = (tmp_path / "drift-issue.md").read_text(encoding="utf-8")
    assert "| pandas | 3.9.1 |" in body and "make test: failure" in body
    assert "https://github.example/org/course/actions/runs/42" in body


def test_it_is_documented() -> None:
    docs = (COURSE_ROOT / "docs" / "grading.md").read_text(encoding="utf-8")
    assert ".github/workflows/drift.yml" in docs and "--upgrade-strategy eager" in docs
