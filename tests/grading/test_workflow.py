"""The GitHub Actions workflow that lets each learner's repository grade itself on push."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest

from depipe_course.cli import parser
from depipe_course.paths import COURSE_ROOT

WORKFLOW = COURSE_ROOT / ".github" / "workflows" / "grade.yml"


@pytest.fixture(scope="module")
def job() -> dict[str, Any]:
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in triggers
    return workflow["jobs"]["grade"]


def _run_steps(job: dict[str, Any]) -> dict[str, str]:
    return {step["name"]: step["run"] for step in job["steps"] if "run" in step}


def test_workflow_sets_up_python_311_on_a_hosted_runner(job: dict[str, Any]) -> None:
    """The job checks out the repository and sets up Python 3.11 on GitHub's Ubuntu runner."""
    assert job["runs-on"] == "ubuntu-latest" and job["timeout-minutes"] <= 60
    uses = {step["uses"].split("@")[0]: step for step in job["steps"] if "uses" in step}
    assert "actions/checkout" in uses
    assert str(uses["actions/setup-python"]["with"]["python-version"]) == "3.11"


def test_workflow_grades_with_the_cli_it_documents(job: dict[str, Any]) -> None:
    """The grade step is a `depipe grade .` command that the CLI accepts, with every CI report."""
    command = next(run for run in _run_steps(job).values() if run.startswith("depipe grade"))
    argv = shlex.split(command.replace("$GITHUB_STEP_SUMMARY", "summary.md").replace("$FAIL_UNDER", "0"))
    args = parser().parse_args(argv[1:])
    assert args.submission == "." and args.junit and args.markdown == "summary.md"
    assert args.fail_under == 0 and args.out


def test_workflow_installs_from_the_repository(job: dict[str, Any]) -> None:
    """The course is installed with pip from the checkout: nothing home-made to download."""
    assert any("pip install" in run for run in _run_steps(job).values())
    assert all("@v" in step["uses"] for step in job["steps"] if "uses" in step)


def test_workflow_is_documented() -> None:
    """docs/grading.md explains the workflow file by name."""
    assert ".github/workflows/grade.yml" in (COURSE_ROOT / "docs" / "grading.md").read_text(encoding="utf-8")


def test_workflow_file_is_where_github_looks() -> None:
    """GitHub runs workflows from .github/workflows at the repository root."""
    assert WORKFLOW.is_file() and WORKFLOW.parent == Path(COURSE_ROOT, ".github", "workflows")
