"""depipe_course.exercises._mutation: a learner's tests run by real pytest on a correct version and on mutants."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from depipe_course.checking import CheckFailed, NotAttempted, run_checks
from depipe_course.exercises import Exercise, _mutation
from depipe_course.exercises._mutation import Mutant, evaluate, listed_tests, untouched_skeleton


def cell(source: str, filename: str = "<cell>") -> dict[str, Any]:
    """Run ``source`` the way the grader runs an exercise cell; return its namespace."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile(textwrap.dedent(source), filename, "exec", dont_inherit=True), namespace)
    return namespace


def double(x: int) -> int:
    return 2 * x


MUTANTS = (
    Mutant("adds instead of doubling", lambda x: x + 2, "try 3"),
    Mutant("is off by one", lambda x: 2 * x + 1, "try 0"),
    Mutant("returns a float", lambda x: 2.0 * x, "compare types"),
)


def run(namespace: dict[str, Any], names: list[str], tmp_path: Path, **kwargs: Any) -> _mutation.Verdict:
    tests = listed_tests([namespace[n] for n in names], "suite")
    return evaluate(tests, target="double", correct=double, mutants=kwargs.pop("mutants", MUTANTS),
                    scratch=tmp_path / "run", **kwargs)


def test_kills_a_mutant_only_when_a_test_fails_on_it(tmp_path: Path) -> None:
    """A test that tells a mutant apart kills it; the ones no test separates survive."""
    ns = cell("""
        def test_two(): assert double(2) == 4
        def test_three(): assert double(3) == 6
        def test_zero(): assert double(0) == 0
        def test_one(): assert double(1) == 2
    """)
    verdict = run(ns, ["test_two", "test_three", "test_zero", "test_one"], tmp_path)
    assert verdict.problem == ""
    assert verdict.killed_by == {0: "test_three", 1: "test_two"}
    assert not verdict.killed(2)  # 2.0 * x == 2 * x: nothing pins the type down


def test_each_parametrized_case_counts_and_has_pytests_id(tmp_path: Path) -> None:
    """parametrize works as in pytest: every case runs, under pytest's deterministic id."""
    ns = cell("""
        import pytest

        @pytest.mark.parametrize("x, want", [(1, 2), (3, 6), (0, 0)], ids=["one", "three", "zero"])
        def test_doubles(x, want):
            assert double(x) == want

        def test_type():
            assert type(double(2)) is int
    """)
    verdict = run(ns, ["test_doubles", "test_type"], tmp_path)
    assert verdict.cases == ("test_doubles[one]", "test_doubles[three]", "test_doubles[zero]", "test_type")
    assert sorted(verdict.killed_by) == [0, 1, 2]


def test_helpers_and_fixtures_see_the_version_under_test(tmp_path: Path) -> None:
    """The name is rebound in the tests' globals, so a helper or a fixture that calls it sees the mutant too."""
    ns = cell("""
        import pytest

        def doubled(x):
            return double(x)

        @pytest.fixture
        def six():
            return double(3)

        def test_via_helper(): assert doubled(0) == 0
        def test_via_fixture(six): assert six == 6
        def test_weak_1(): assert double(5) > 0
        def test_weak_2(): assert double(6) > 0
        def test_weak_3(): assert double(7) > 0
    """)
    weak = ["test_weak_1", "test_weak_2", "test_weak_3"]
    assert run(ns, weak + ["test_via_fixture"], tmp_path).killed_by == {0: "test_via_fixture", 1: "test_via_fixture"}
    assert run(ns, weak + ["test_via_helper"], tmp_path).killed_by == {0: "test_via_helper", 1: "test_via_helper"}


def test_the_name_is_put_back_afterwards(tmp_path: Path) -> None:
    """After grading, the namespace holds what it held before (or still lacks the name)."""
    ns = cell("""
        def test_a(): assert double(1) == 2
        def test_b(): assert double(2) == 4
        def test_c(): assert double(3) == 6
        def test_d(): assert double(4) == 8
    """)
    names = ["test_a", "test_b", "test_c", "test_d"]
    run(ns, names, tmp_path)
    assert "double" not in ns
    ns["double"] = "the learner's own"
    run(ns, names, tmp_path)
    assert ns["double"] == "the learner's own"


def test_pytest_builtin_fixtures_and_tools_work(tmp_path: Path) -> None:
    """tmp_path, monkeypatch, capsys, caplog and pytest.raises behave as under pytest."""
    ns = cell("""
        import logging
        import os
        import pytest

        def test_tmp_path(tmp_path):
            (tmp_path / "x.txt").write_text(str(double(2)))
            assert (tmp_path / "x.txt").read_text() == "4"

        def test_monkeypatch(monkeypatch):
            monkeypatch.setenv("DEPIPE_MUTATION_TEST", "1")
            assert os.environ["DEPIPE_MUTATION_TEST"] == "1" and double(1) == 2

        def test_capsys(capsys):
            print(double(3))
            assert capsys.readouterr().out == "6\\n"

        def test_caplog(caplog):
            logging.getLogger("demo").warning("doubled %s", double(4))
            assert caplog.messages == ["doubled 8"]

        def test_raises():
            with pytest.raises(TypeError):
                double(None)
    """)
    verdict = run(ns, ["test_tmp_path", "test_monkeypatch", "test_capsys", "test_caplog", "test_raises"], tmp_path)
    assert verdict.problem == ""
    assert len(verdict.cases) == 5


def test_skipped_cases_do_not_count(tmp_path: Path) -> None:
    """A skipped test neither counts towards the minimum nor kills anything."""
    ns = cell("""
        import pytest

        def test_a(): assert double(1) == 2
        def test_b(): assert double(2) == 4
        def test_c(): assert double(3) == 6

        @pytest.mark.skip(reason="later")
        def test_d(): assert double(4) == 8
    """)
    verdict = run(ns, ["test_a", "test_b", "test_c", "test_d"], tmp_path)
    assert verdict.cases == ("test_a", "test_b", "test_c")
    assert verdict.problem == "3 test case(s) ran; at least 4 are needed"
    assert not verdict.killed(0)


def test_a_test_failing_on_correct_code_is_named_with_its_line(tmp_path: Path) -> None:
    """The problem names the first failing test, what it raised, and its line in the cell."""
    ns = cell("""
        def test_a(): assert double(1) == 2
        def test_b():
            result = double(2)
            assert result == 5
        def test_c(): assert double(3) == 7
        def test_d(): assert double(4) == 8
    """)
    verdict = run(ns, ["test_a", "test_b", "test_c", "test_d"], tmp_path)
    assert verdict.problem.startswith("test_b fails on a correct double (and 1 more): AssertionError")
    assert verdict.problem.endswith("(line 5 of your cell)")  # the cell starts with an empty line
    assert verdict.killed_by == {}
    assert not any(verdict.killed(i) for i in range(len(MUTANTS)))


def test_an_unknown_fixture_is_reported_as_a_failure_in_setup(tmp_path: Path) -> None:
    """A fixture pytest cannot find fails the test on the correct version, saying so."""
    ns = cell("""
        def test_a(nowhere): assert double(1) == 2
        def test_b(): assert double(2) == 4
        def test_c(): assert double(3) == 6
        def test_d(): assert double(4) == 8
    """)
    verdict = run(ns, ["test_a", "test_b", "test_c", "test_d"], tmp_path)
    assert verdict.problem.startswith("test_a fails on a correct double")
    assert "'nowhere' not found" in verdict.problem and verdict.problem.endswith("(in setup)")


def test_a_request_no_mock_answers_never_reaches_the_network(tmp_path: Path) -> None:
    """An unmocked HTTP request fails the test with ConnectionError; a responses mock still answers."""
    ns = cell("""
        import requests
        import responses

        def test_unmocked():
            requests.get("https://api.example.test/v1/orders/1", timeout=1)

        @responses.activate
        def test_mocked():
            responses.get("https://api.example.test/v1/orders/1", json={"n": double(1)})
            assert requests.get("https://api.example.test/v1/orders/1", timeout=1).json() == {"n": 2}

        def test_c(): assert double(3) == 6
        def test_d(): assert double(4) == 8
    """)
    import requests.adapters

    send = requests.adapters.HTTPAdapter.send
    verdict = run(ns, ["test_unmocked", "test_mocked", "test_c", "test_d"], tmp_path)
    assert verdict.problem.startswith("test_unmocked fails on a correct double: ConnectionError")
    assert requests.adapters.HTTPAdapter.send is send  # the guard is gone afterwards


def test_a_shared_frame_changed_by_a_mutant_is_restored(tmp_path: Path) -> None:
    """A module-level DataFrame that a version writes into is put back for the learner afterwards."""
    import pandas as pd

    ns = cell("""
        import pandas as pd

        ORDERS = pd.DataFrame({"status": [" Placed "]})

        def test_a(): assert tidy(ORDERS.copy())["status"].tolist() == ["placed"]
        def test_b(): assert tidy(ORDERS.copy())["status"].tolist() == ["placed"]
        def test_c(): assert len(tidy(ORDERS.copy())) == 1
        def test_d(): assert ORDERS["status"].tolist() == [" Placed "]
    """)

    def tidy(df: pd.DataFrame) -> pd.DataFrame:
        return df.assign(status=df["status"].str.strip().str.lower())

    def tidy_in_place(df: pd.DataFrame) -> pd.DataFrame:
        ns["ORDERS"]["status"] = ns["ORDERS"]["status"].str.strip().str.lower()  # writes into the shared frame
        return tidy(df)

    tests = listed_tests([ns["test_a"], ns["test_b"], ns["test_c"], ns["test_d"]], "suite")
    verdict = evaluate(tests, target="tidy", correct=tidy, mutants=[Mutant("writes into ORDERS", tidy_in_place, "")],
                       scratch=tmp_path)
    assert verdict.killed_by == {0: "test_d"}
    assert ns["ORDERS"]["status"].tolist() == [" Placed "]


def test_an_outer_pytest_configuration_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PYTEST_ADDOPTS and friends from the environment do not reach the grader's session, and survive it."""
    monkeypatch.setenv("PYTEST_ADDOPTS", "--no-such-option -x")
    monkeypatch.setenv("PYTEST_PLUGINS", "no_such_plugin_module")
    ns = cell("""
        def test_a(): assert double(1) == 2
        def test_b(): assert double(2) == 4
        def test_c(): assert double(3) == 6
        def test_d(): assert double(4) == 8
    """)
    assert run(ns, ["test_a", "test_b", "test_c", "test_d"], tmp_path).problem == ""
    import os

    assert os.environ["PYTEST_ADDOPTS"] == "--no-such-option -x"


def test_the_list_is_validated() -> None:
    """Not a list, a non-function, or a non-test name fails; an empty list is not attempted."""
    ns = cell("""
        def test_a(): pass
        def helper(): pass
    """)
    with pytest.raises(CheckFailed, match="must be a list"):
        listed_tests(ns["test_a"], "suite")
    with pytest.raises(CheckFailed, match="must be a test function"):
        listed_tests(["test_a"], "suite")
    with pytest.raises(CheckFailed, match="helper is not a test"):
        listed_tests([ns["test_a"], ns["helper"]], "suite")
    with pytest.raises(NotAttempted):
        listed_tests([], "suite")


def test_the_untouched_skeleton_is_not_attempted() -> None:
    """The shipped example (its name, not yet calling the target) is not attempted; once it calls it, it counts."""
    shipped = cell("""
        def test_example():
            data = [1, 2]
            # YOUR ANSWER HERE: call double(...) and assert on it
    """)["test_example"]
    edited = cell("""
        def test_example():
            assert double(1) == 2
    """)["test_example"]

    def is_skeleton(fn: Any) -> bool:
        return untouched_skeleton(fn, "test_example", "double")

    assert is_skeleton(shipped) and not is_skeleton(edited)
    with pytest.raises(NotAttempted):
        listed_tests([shipped], "suite", is_skeleton)
    assert listed_tests([shipped, edited], "suite", is_skeleton) == [edited]


def test_registered_checks_share_one_pytest_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A check() runs the suite once: the 0-point gate evaluates, the per-mutant checks reuse it."""
    ex = Exercise("99.1", "demo", ("suite",))
    _mutation.register(ex, list_name="suite", target="double", correct=double, mutants=MUTANTS, points_each=1.0)
    sessions: list[int] = []
    real = _mutation._run_session
    monkeypatch.setattr(_mutation, "_run_session", lambda *a: sessions.append(1) or real(*a))
    ns = cell("""
        def test_a(): assert double(1) == 2
        def test_b(): assert double(3) == 6
        def test_c(): assert double(0) == 0
        def test_d(): assert double(4) == 8
    """)
    result = run_checks(ex, {"suite": [ns["test_a"], ns["test_b"], ns["test_c"], ns["test_d"]]})
    assert len(sessions) == 1
    assert [c.points for c in result.checks] == [0.0, 1.0, 1.0, 0.0]
    assert [c.max_points for c in result.checks] == [0.0, 1.0, 1.0, 1.0]
    survivor = result.checks[3]
    assert survivor.name == "a test fails when double returns a float"
    assert "passes on a double that returns a float" in survivor.message and survivor.hint == "compare types"
    run_checks(ex, {"suite": [ns["test_a"], ns["test_b"], ns["test_c"], ns["test_d"]]})
    assert len(sessions) == 2  # a new check() evaluates afresh
