""".github/workflows/grade-class.yml: the instructor grades a class in shards, then merges them.

Besides reading the YAML, the dry run executes the workflow's own ``run:`` scripts with
bash, as the runner would: the plan job's, each shard job's (clone, grade) and the merge
job's. Only what needs GitHub is stood in for: ``actions/checkout`` of the course is a
folder holding the roster, ``gh repo clone`` is a script that copies a local "remote"
folder, the artifact upload/download is a copy, and the install step is the test's own
environment (this checkout, installed in editable mode, as the step installs it).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from depipe_course.cli import parser
from depipe_course.paths import COURSE_ROOT
from tests.grading.conftest import DEPIPE, PART01, depipe, exercise_cell, read_nb, replace_cell

WORKFLOW = COURSE_ROOT / ".github" / "workflows" / "grade-class.yml"
SHARDS = 3
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
SAMPLE_ENV = {"SHARD": "2/3", "SHARD_INDEX": "2", "ROSTER": "course/roster.txt", "THRESHOLD": "0.8"}
FAKE_SUDO = """#!/usr/bin/env bash
# sudo COMMAND...: the test already runs as the user it has
exec "$@"
"""
FAKE_GH = """#!/usr/bin/env bash
# gh repo clone OWNER/REPO DIR -- GIT_FLAGS: copies $FAKE_REMOTE/OWNER/REPO instead
[ "$1 $2" = "repo clone" ] || { echo "fake gh: only 'repo clone' is known, got: $*" >&2; exit 2; }
[ -n "$GH_TOKEN" ] || { echo "fake gh: no GH_TOKEN" >&2; exit 4; }
[ -d "$FAKE_REMOTE/$3" ] || { echo "GraphQL: Could not resolve to a Repository with the name '$3'." >&2; exit 1; }
cp -r "$FAKE_REMOTE/$3" "$4"
"""


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps(job: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step.get("name", step.get("uses", "")): step for step in job["steps"]}


def _runs(job: dict[str, Any]) -> list[tuple[str, str]]:
    return [(step["name"], step["run"]) for step in job["steps"] if "run" in step]


def _expand(text: str, values: dict[str, str]) -> str:
    """Evaluate the ``${{ }}`` expressions the test knows; any other one fails the test."""
    def value(match: re.Match[str]) -> str:
        assert match[1] in values, f"unexpected expression {match[0]}"
        return values[match[1]]

    return EXPRESSION.sub(value, text)


def test_it_is_a_manual_workflow_with_the_grader_tag_as_input(workflow: dict[str, Any]) -> None:
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"workflow_dispatch"}
    inputs = triggers["workflow_dispatch"]["inputs"]
    assert inputs["grader_ref"]["required"] is True
    assert {"roster", "shards", "similarity_threshold"} <= set(inputs)
    assert workflow["permissions"] == {"contents": "read"}


def test_jobs_plan_shard_merge(workflow: dict[str, Any]) -> None:
    """A matrix of shards from the plan, each shard job on its own runner; the merge waits for all
    and still runs when one failed, so that it can name the missing shard."""
    jobs = workflow["jobs"]
    assert list(jobs) == ["plan", "shard", "merge"]
    shard, merge = jobs["shard"], jobs["merge"]
    assert shard["needs"] == "plan" and shard["strategy"]["fail-fast"] is False
    assert shard["strategy"]["matrix"]["shard"] == "${{ fromJSON(needs.plan.outputs.shards) }}"
    assert merge["needs"] == "shard" and "!cancelled()" in merge["if"]
    for job in jobs.values():
        assert job["runs-on"] == "ubuntu-latest" and job["timeout-minutes"] <= 360
        uses = [step["uses"] for step in job["steps"] if "uses" in step]
        assert all(re.fullmatch(r"[\w-]+/[\w-]+@v\d+", u) for u in uses), uses


def test_the_grader_comes_from_the_course_at_grader_ref(workflow: dict[str, Any]) -> None:
    """Shard and merge jobs check the course out at the input tag and install that checkout; the
    learners' repositories are cloned as data, never installed or checked out as the workspace."""
    for name in ("shard", "merge"):
        steps = _steps(workflow["jobs"][name])
        checkout = steps["Check out the course at the grader's tag"]
        assert checkout["uses"] == "actions/checkout@v4"
        assert checkout["with"] == {"ref": "${{ inputs.grader_ref }}", "path": "course"}
        install = steps["Install the grader from the course at grader_ref"]["run"]
        assert "pip install -e ./course" in install
        assert str(steps["actions/setup-python@v5"]["with"]["python-version"]) == "3.11"
    runs = "\n".join(run for job in workflow["jobs"].values() for _, run in _runs(job))
    assert "pip install" not in runs.replace("pip install -e ./course", "").replace("pip install --upgrade pip", "")
    grade = _steps(workflow["jobs"]["shard"])["Grade the shard"]["run"]
    assert grade.startswith('sudo "$(command -v depipe)" grade-all class ')  # as root: a throw-away uid per exercise
    clone = _steps(workflow["jobs"]["shard"])["Clone this shard's learners"]
    assert clone["env"] == {"GH_TOKEN": "${{ secrets.CLASSROOM_TOKEN }}"}  # the token is in this step only


def test_scripts_take_every_value_from_env(workflow: dict[str, Any]) -> None:
    """No ``${{ }}`` inside a script: inputs cannot inject shell code."""
    for job in workflow["jobs"].values():
        for name, run in _runs(job):
            assert "${{" not in run, name


def test_the_depipe_commands_parse(workflow: dict[str, Any]) -> None:
    """Every `depipe` command line in the scripts is one the CLI accepts."""
    found = []
    for job in workflow["jobs"].values():
        for _, run in _runs(job):
            for line in run.splitlines():
                line = line.strip().replace('sudo "$(command -v depipe)" ', "depipe ")
                if line.startswith("depipe "):
                    line = re.sub(r"\$(\w+)", lambda m: SAMPLE_ENV[m[1]], line.split(" > ")[0])
                    argv = shlex.split(line.replace("shards/shard-*", "shards/shard-1"))
                    parser().parse_args(argv[1:])
                    found.append(argv[1])
    assert sorted(found) == ["grade-all", "merge-grades", "roster"]


def _write_learners(remote: Path, solved: Path) -> list[str]:
    """Learner repositories (clones of the course layout: notebooks/ inside) under ``remote/org``."""
    source = "".join(exercise_cell(read_nb(solved / PART01), "01.1")["source"])
    kinds = {"ada": "solved", "bob": "copy", "cy": "stub", "dan": "empty", "fay": "half"}
    for name, kind in kinds.items():
        repo = remote / "org" / f"hw-{name}"
        (repo / "notebooks").mkdir(parents=True)
        (repo / "README.md").write_text("my course repository\n", encoding="utf-8")
        if kind in ("solved", "copy", "half"):
            shutil.copy(solved / PART01, repo / "notebooks" / PART01)
        elif kind == "stub":
            shutil.copy(COURSE_ROOT / "notebooks" / PART01, repo / "notebooks" / PART01)
        if kind == "half":
            own_try = "def peak_memory(fn, *args, **kwargs):\n    return fn()\n"
            replace_cell(repo / "notebooks" / PART01, "01.1", own_try)
        if kind == "copy":
            disguised = source.replace("was_tracing", "tracing_before").replace("baseline", "start_bytes")
            replace_cell(repo / "notebooks" / PART01, "01.1", disguised.replace("result", "value"))
    return [*(f"org/hw-{name} {name}" for name in kinds), "org/hw-eve eve"]  # eve's repository is gone


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a step's script as GitHub does for `shell: bash`."""
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_dry_run_of_the_workflow_scripts(workflow: dict[str, Any], solved: Path, tmp_path: Path) -> None:
    """Plan, three shard jobs and the merge, each in its own workspace with the workflow's own scripts:
    the merged gradebook is byte for byte what one `grade-all` over the whole class writes."""
    assert _steps(workflow["jobs"]["shard"])["Keep the shard"]["uses"] == "actions/upload-artifact@v4"
    remote, bin_dir, artifacts = tmp_path / "remote", tmp_path / "bin", tmp_path / "artifacts"
    roster_lines = _write_learners(remote, solved)
    course = tmp_path / "course-at-tag"  # what actions/checkout puts in ./course (the roster is what is read)
    course.mkdir()
    (course / "roster.txt").write_text("# learners of the class\n" + "\n".join(roster_lines) + "\n", encoding="utf-8")
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(FAKE_GH, encoding="utf-8")
    (bin_dir / "gh").chmod(0o755)
    (bin_dir / "sudo").write_text(FAKE_SUDO, encoding="utf-8")
    (bin_dir / "sudo").chmod(0o755)
    inputs = {"inputs.shards": str(SHARDS), "inputs.roster": "roster.txt", "inputs.similarity_threshold": "0.8",
              "secrets.CLASSROOM_TOKEN": "fake-token", "inputs.grader_ref": "v1.0"}
    base_env = {"PATH": f"{bin_dir}:{Path(DEPIPE).parent}:{os.environ['PATH']}", "FAKE_REMOTE": str(remote),
                "HOME": str(tmp_path), "LANG": "C.UTF-8"}

    def job_env(job: dict[str, Any], step: dict[str, Any], values: dict[str, str], workspace: Path) -> dict[str, str]:
        env = {**base_env, "GITHUB_OUTPUT": str(workspace / "output"),
               "GITHUB_STEP_SUMMARY": str(workspace / "summary")}
        for key, text in {**job.get("env", {}), **step.get("env", {})}.items():
            env[key] = _expand(str(text), values)
        return env

    def run_job(name: str, values: dict[str, str], workspace: Path) -> None:
        job = workflow["jobs"][name]
        workspace.mkdir()
        for step in job["steps"]:
            uses = step.get("uses", "").split("@")[0]
            if uses == "actions/checkout":
                shutil.copytree(course, workspace / step["with"]["path"])
            elif uses == "actions/upload-artifact":
                target = artifacts / _expand(step["with"]["name"], values)
                shutil.copytree(workspace / _expand(step["with"]["path"], values), target)
            elif uses == "actions/download-artifact":
                prefix = step["with"]["pattern"].removesuffix("*")
                for artifact in sorted(artifacts.glob(step["with"]["pattern"])):
                    assert artifact.name.startswith(prefix)
                    shutil.copytree(artifact, workspace / step["with"]["path"] / artifact.name)
            elif "run" in step and not step["name"].startswith("Install"):  # installed: this checkout
                done = _bash(step["run"], workspace, job_env(job, step, values, workspace))
                assert done.returncode == 0, (name, step["name"], done.stdout, done.stderr)
                with (workspace / "log").open("a", encoding="utf-8") as log:
                    log.write(done.stdout + done.stderr)

    run_job("plan", inputs, tmp_path / "plan")
    output = dict(line.split("=", 1) for line in (tmp_path / "plan" / "output").read_text().splitlines())
    matrix = json.loads(output["shards"])
    assert matrix == list(range(1, SHARDS + 1))
    for k in matrix:
        run_job("shard", {**inputs, "matrix.shard": str(k)}, tmp_path / f"shard-job-{k}")
    log = "".join((tmp_path / f"shard-job-{k}" / "log").read_text() for k in matrix)
    assert "::warning::could not clone org/hw-eve: eve gets a row of zeros" in log
    assert sorted(p.name for p in artifacts.iterdir()) == [f"shard-{k}" for k in matrix]
    run_job("merge", inputs, tmp_path / "merge")
    merged = tmp_path / "merge" / "gradebook"
    summary = (tmp_path / "merge" / "summary").read_text(encoding="utf-8")
    assert "Gradebook: 6 learners" in summary and "Similarity flags: 1 pair(s) at 0.8" in summary

    # The same class graded in one run, on one machine, with the same commands.
    class_dir = tmp_path / "whole-class"
    for line in roster_lines:
        repo, name = line.split()
        if (remote / repo).is_dir():
            shutil.copytree(remote / repo, class_dir / name)
    done = depipe("grade-all", str(class_dir), "--roster", str(course / "roster.txt"), "--out", str(tmp_path / "one"))
    assert done.returncode == 0, done.stderr
    assert (merged / "gradebook.csv").read_bytes() == (tmp_path / "one" / "gradebook.csv").read_bytes()
    assert (merged / "similarity.json").read_bytes() == (tmp_path / "one" / "similarity.json").read_bytes()
    rows = (merged / "gradebook.csv").read_text(encoding="utf-8").splitlines()
    assert [r.split(",")[0] for r in rows[1:]] == ["ada", "bob", "cy", "dan", "eve", "fay"]
    pairs = json.loads((merged / "similarity.json").read_text(encoding="utf-8"))["pairs"]
    assert [(p["exercise"], p["learner_a"], p["learner_b"]) for p in pairs] == [("01.1", "ada", "bob")]


def test_docs_describe_the_workflow_and_the_kubernetes_job() -> None:
    """docs/grading.md names the workflow, and its indexed Job manifest maps JOB_COMPLETION_INDEX (0..N-1)
    to --shard K/N (1..N) with a command the CLI accepts."""
    yaml = pytest.importorskip("yaml")
    docs = (COURSE_ROOT / "docs" / "grading.md").read_text(encoding="utf-8")
    assert ".github/workflows/grade-class.yml" in docs
    (manifest,) = [block for block in re.findall(r"```yaml\n(.*?)```", docs, re.S) if "kind: Job" in block]
    job = yaml.safe_load(manifest)
    assert job["spec"]["completionMode"] == "Indexed" and job["spec"]["completions"] == job["spec"]["parallelism"]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert int(env["SHARDS"]) == job["spec"]["completions"]
    for index in range(job["spec"]["completions"]):
        shell = {**env, "JOB_COMPLETION_INDEX": str(index)}
        done = subprocess.run(["bash", "-c", 'printf "%s\\n" ' + container["args"][0].removeprefix("depipe ")],
                              env={**os.environ, **shell}, capture_output=True, text=True, check=True)
        args = parser().parse_args(done.stdout.split())
        assert args.shard == f"{index + 1}/{env['SHARDS']}" and args.out.endswith(f"shard-{index + 1}")
