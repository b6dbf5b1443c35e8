"""Grade a learner's tests by mutation: they must pass on a correct version and fail on wrong ones.

A learner writes pytest test functions that call a function by its global name
(``clean_orders``) and lists them in the exercise cell (``clean_orders_tests = [...]``).
The grader runs that suite once on a correct implementation, where every test must
pass, and then on each *mutant*: a version with one deliberate mistake. A mutant is
*killed* when at least one test fails on it. The share of mutants killed is the score,
and every survivor names a behaviour that no test pins down.

How the tests see each version: a test function looks ``clean_orders`` up in its own
globals (the notebook's namespace, or the exercise cell's namespace in the grader).
For each version that one name is rebound in those globals, and restored afterwards,
so helper functions and fixtures of the learner's see the same version as the tests.

How the tests run: real pytest, one session for the whole grading, in the process where
the learner's tests live. Under the judge that is the worker: the tests arrive here as
proxies, so the judge asks the worker to run them (``run_cases``) and gets back each
case's outcome as plain data; the verdict (which mutants are killed, whether the suite
can be graded) is reached here. The versions stay in the judge: the worker holds only a
stand-in for each (``calling_the_judge``), so no correct version is ever readable where
the learner's code runs, and each version answers only during its own run
(``_RunOrder``), so none can be kept as an oracle. What a version does must still meet the test's own objects: a
frame it changes is changed in the test's hands too (the stand-in mirrors it back), a
session it is given is the test's session (a handle: its calls run in the worker, under
the test's ``responses`` mocks), and a version that ignores the session calls
``requests`` in the worker (``learner_module``).
The listed tests (and the fixtures defined beside them) form a module that a small
plugin hands to pytest; the plugin's ``pytest_runtestloop`` runs every test case on
the correct version and then on each mutant (stopping at a mutant's first failure),
so fixtures, ``parametrize``, marks, ``tmp_path``, ``monkeypatch``, ``capsys``,
``caplog`` and ``pytest.raises`` behave exactly as under ipytest in the notebook. No
request leaves the process: a ``responses`` mock that knows no URL sits under the
learner's own mocks, so an unmocked request fails the test instead of reaching a
network.
"""

from __future__ import annotations

import contextlib
import inspect
import linecache
import os
import traceback
import types
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pluggy

from depipe_course import edition
from depipe_course.checking import NotAttempted, fail
from depipe_course.exercises._remote import instance_of
from depipe_course.judging.channel import Remote
from depipe_course.judging.judge import learner_module

MIN_TESTS = 4
_hookimpl = pluggy.HookimplMarker("pytest")  # pytest.hookimpl, without importing pytest up front
_MISSING = object()
_MAX_SAVED_CELLS = 1_000_000
# Environment variables with which an outer pytest (or a user) would steer the inner session.
_PYTEST_ENV = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_CURRENT_TEST", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")


@dataclass(frozen=True)
class Mutant:
    """A wrong version of the function under test, described by what it does wrong.

    ``behaviour`` completes the sentence "a test fails when <target> ...", so it is
    said as behaviour ("keeps orders whose amount is 0"), never as code.
    """

    behaviour: str
    fn: Callable[..., Any]
    hint: str


@dataclass(frozen=True)
class CaseRun:
    """One test case (a test function, or one parametrized case of it) on one version."""

    test: str
    outcome: Literal["passed", "failed", "skipped"]
    message: str = ""


@dataclass(frozen=True)
class Verdict:
    """What a suite does on the correct version and on each mutant.

    ``problem`` says why the suite cannot be graded (it fails on the correct version,
    or has too few tests); then no mutant counts as killed. ``killed_by[i]`` is the
    first test that failed on mutant ``i``.
    """

    cases: tuple[str, ...]
    problem: str = ""
    killed_by: Mapping[int, str] = field(default_factory=dict)

    def killed(self, index: int) -> bool:
        return not self.problem and index in self.killed_by


# ---------------------------------------------------------------- the learner's list


def listed_tests(tests: Any, list_name: str,
                 skeleton: Callable[[Callable[..., Any]], bool] | None = None) -> list[Callable[..., Any]]:
    """The listed test functions, validated; ``NotAttempted`` for an empty or untouched list."""
    if not isinstance(tests, list | tuple):
        fail(f"{list_name} must be a list of your test functions", expected="[test_a, test_b, ...]",
             seen=type(tests).__name__)
    if not tests:
        raise NotAttempted(f"Not attempted yet: {list_name} lists no tests. Write your tests and list each "
                           f"of them in {list_name}.")
    functions: dict[str, Callable[..., Any]] = {}
    function_type = learner_module("types").FunctionType  # a function where the tests were written
    for item in tests:
        if not instance_of(item, function_type):
            fail(f"everything in {list_name} must be a test function (the function itself, not its name "
                 "or its result)", expected="def test_...(): ... listed as test_...", seen=repr(item))
        if not item.__name__.startswith("test"):
            fail(f"{item.__name__} is not a test: pytest only runs functions whose name starts with 'test'",
                 expected="test_...", seen=item.__name__)
        functions[item.__name__] = item  # the same name twice: the later definition, as in a module
    if skeleton is not None and all(skeleton(fn) for fn in functions.values()):
        raise NotAttempted(f"Not attempted yet: {list_name} holds only the example skeleton, which "
                           f"asserts nothing. Write your tests and list each of them in {list_name}.")
    return list(functions.values())


def untouched_skeleton(fn: Callable[..., Any], name: str, target: str) -> bool:
    """Whether ``fn`` is still the shipped example test: its name, and no use of ``target`` yet.

    The shipped example builds an input and stops at a comment; any real test calls
    the function under test. (Comparing bytecode instead would be fragile: CPython
    compiles ``pd.DataFrame(...)`` differently depending on the cell's imports.)
    """
    if not isinstance(fn, types.FunctionType) or fn.__name__ != name:
        return False
    return target not in inspect.unwrap(fn).__code__.co_names


# ---------------------------------------------------------------- running the suite


def evaluate(functions: Sequence[Callable[..., Any]], *, target: str, correct: Callable[..., Any],
             mutants: Sequence[Mutant], scratch: Path, min_tests: int = MIN_TESTS) -> Verdict:
    """Run ``functions`` on ``correct`` and then on every mutant, in one pytest session.

    Under the judge the session runs where the tests are; the versions run here.
    """
    try:
        runs = _run_session(functions, target, [correct, *(m.fn for m in mutants)], scratch)
    except OutOfTurn as exc:
        return Verdict((), str(exc))
    on_correct = runs[0]
    cases = tuple(r.test for r in on_correct if r.outcome != "skipped")
    broken = [r for r in on_correct if r.outcome == "failed"]
    if broken:
        first = broken[0]
        more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
        return Verdict(cases, f"{first.test} fails on a correct {target}{more}: {first.message}")
    if len(cases) < min_tests:
        return Verdict(cases, f"{len(cases)} test case(s) ran; at least {min_tests} are needed")
    killed = {}
    for index, on_mutant in enumerate(runs[1:]):
        failed = [r.test for r in on_mutant if r.outcome == "failed"]
        if failed:
            killed[index] = failed[0]
    return Verdict(cases, "", killed)


def _run_session(functions: Sequence[Callable[..., Any]], target: str, versions: Sequence[Callable[..., Any]],
                 scratch: Path) -> list[list[CaseRun]]:
    """Each case's outcome on each version: run here, or (under the judge) where the tests are.

    Under the judge the versions stay here: the worker gets a stand-in for each
    (``calling_the_judge``) that hands the call over and mirrors back what the version
    did to a frame it was given. The learner's process never holds a version's code.
    """
    if any(isinstance(fn, Remote) for fn in functions):
        worker = learner_module(__name__)
        order = _RunOrder(target)
        stand_ins = [worker.calling_the_judge(_Version(version, index, order), target)
                     for index, version in enumerate(versions)]
        found = worker.run_cases(list(functions), target, stand_ins, scratch)
        if order.misused:
            raise OutOfTurn(order.misused)
    else:
        found = run_cases(functions, target, versions, scratch)
    return _outcomes(found, len(versions))


class OutOfTurn(Exception):
    """The learner's tests called a version outside its own run (kept from an earlier one, or found)."""


class _RunOrder:
    """The versions' runs come one after the other, each version called only during its own.

    The stand-ins of every version sit in the learner's process, so a test could keep
    the correct one from the first run (or find it in memory) and compare each mutant
    with it: an oracle, not a test. A call to a version before the latest one called,
    or one that jumps ahead of the run in progress, is out of turn, and the suite is
    not graded.
    """

    def __init__(self, target: str) -> None:
        self.target = target
        self.current = 0
        self.misused = ""

    def enter(self, index: int) -> None:
        if index < self.current and not self.misused:
            self.misused = (f"a test called a {self.target} kept from an earlier run of your tests (or found in "
                            f"memory) instead of the {self.target} its own run gives it: call {self.target} by "
                            "its name inside each test, and keep no function between tests")
        if index < self.current:
            raise OutOfTurn(self.misused)
        self.current = index


class _Version:
    """A version as the worker's stand-in calls it: the result, and each frame it was given that it changed."""

    def __init__(self, fn: Callable[..., Any], index: int, order: _RunOrder) -> None:
        self._fn = fn
        self._index = index
        self._order = order

    def __call__(self, *args: Any, **kwargs: Any) -> tuple[Any, list[Any]]:
        self._order.enter(self._index)
        before = [arg.copy() if _is_frame(arg) else None for arg in args]
        result = self._fn(*args, **kwargs)
        # Only a frame the version changed goes back (most calls change nothing: half the traffic).
        return result, [arg if copy is not None and not arg.equals(copy) else None
                        for arg, copy in zip(args, before, strict=True)]


def _is_frame(value: Any) -> bool:
    return type(value).__name__ == "DataFrame" and type(value).__module__.startswith("pandas")


def calling_the_judge(version: Callable[..., tuple[Any, list[Any]]], target: str) -> Callable[..., Any]:
    """(In the worker.) A function named ``target`` that calls ``version`` in the judge.

    A frame crosses by value, so a version that changes the frame it is given changes
    the judge's copy; the stand-in then writes the change into the caller's frame, the
    one the learner's test holds, as the version would have done in place.
    """

    def stand_in(*args: Any, **kwargs: Any) -> Any:
        result, after = version(*args, **kwargs)
        for given, changed in zip(args, after, strict=False):
            if changed is not None and _is_frame(given):
                _mirror_frame(given, changed)
        return result

    stand_in.__name__ = stand_in.__qualname__ = target
    return stand_in


def _mirror_frame(given: Any, changed: Any) -> None:
    """Make ``given`` hold what ``changed`` holds, column by column (rows are left as they were)."""
    if given.equals(changed) or len(given) != len(changed):
        return
    for column in [c for c in given.columns if c not in changed.columns]:
        del given[column]
    for column in changed.columns:
        if column not in given.columns or not given[column].equals(changed[column]):
            given[column] = changed[column].to_numpy() if len(given) else changed[column]


_OUTCOMES = ("passed", "failed", "skipped")


def _outcomes(found: Any, versions: int) -> list[list[CaseRun]]:
    """``run_cases``'s report read as ``CaseRun``s; its errors raised as the checks' failures."""
    if not isinstance(found, dict) or not isinstance(found.get("runs"), list):
        raise RuntimeError("the grader could not read what your tests did")
    if found.get("error"):
        raise RuntimeError(f"the grader could not run your tests: {found['error']}")
    if found.get("collect_error"):
        fail("pytest could not collect your tests", seen=str(found["collect_error"]))
    if len(found["runs"]) != versions:
        raise RuntimeError("the grader's pytest session ended before running every version")
    try:
        return [[CaseRun(str(test), outcome if outcome in _OUTCOMES else "failed", str(message))
                 for test, outcome, message in run] for run in found["runs"]]
    except (TypeError, ValueError):
        raise RuntimeError("the grader could not read what your tests did") from None


def run_cases(functions: Sequence[Callable[..., Any]], target: str, versions: Sequence[Callable[..., Any]],
              scratch: Path) -> dict[str, Any]:
    """Run every case of ``functions`` on each version in turn, bound to ``target``; the outcomes as data.

    ``{"runs": [[[test, outcome, message], ...] per version], "error": ..., "collect_error": ...}``:
    plain data, so that under the judge it crosses back as it is.
    """
    import pytest

    scratch.mkdir(parents=True, exist_ok=True)
    namespaces = _namespaces(functions)
    module = types.ModuleType("test_exercise_suite")
    for namespace in namespaces:  # fixtures defined beside the tests, as pytest would find them in a module
        module.__dict__.update({k: v for k, v in namespace.items() if _is_fixture(v)})
    module.__dict__.update({fn.__name__: fn for fn in functions})
    path = scratch / "test_exercise_suite.py"
    path.write_text("# the learner's tests are collected from memory\n", encoding="utf-8")
    ini = scratch / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    module.__file__ = str(path)
    plugin = _SuitePlugin(module, namespaces, target, versions)
    args = [str(path), "-c", str(ini), "--rootdir", str(scratch), "--basetemp", str(scratch / "basetemp"),
            "--noconftest", "-s",
            "-p", "no:cacheprovider", "-p", "no:faulthandler", "-p", "no:warnings", "-p", "no:terminal",
            "-p", "no:junitxml", "-p", "no:pastebin", "-p", "no:doctest", "-p", "no:legacypath"]
    with _clean_pytest_env(), _frames_restored(namespaces), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pytest.main(args, plugins=[plugin])
    return {"error": plugin.error, "collect_error": plugin.collect_error,
            "runs": [[[r.test, r.outcome, r.message] for r in run] for run in plugin.results]}


class _SuitePlugin:
    """Collect ``module`` in place of the placeholder file; run every case on every version."""

    def __init__(self, module: types.ModuleType, namespaces: list[dict[str, Any]], target: str,
                 versions: Sequence[Callable[..., Any]]) -> None:
        self.module = module
        self.namespaces = namespaces
        self.target = target
        self.versions = versions
        self.results: list[list[CaseRun]] = []
        self.error = ""
        self.collect_error = ""
        self._excinfo: dict[tuple[str, str], Any] = {}

    @_hookimpl(tryfirst=True)
    def pytest_pycollect_makemodule(self, module_path: Path, parent: Any) -> Any:
        import pytest

        module = self.module

        class InMemoryModule(pytest.Module):
            def _getobj(self) -> types.ModuleType:
                return module

        return InMemoryModule.from_parent(parent, path=module_path)

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed and not self.collect_error:
            self.collect_error = _last_line(str(report.longrepr))

    @_hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: Any, call: Any) -> Any:
        """A bare report: pytest's own would format a full traceback for every failure (slow)."""
        import pytest
        from _pytest.outcomes import skip

        self._excinfo[(item.nodeid, call.when)] = call.excinfo
        excinfo = call.excinfo
        longrepr: Any = None
        if excinfo is None:
            outcome = "passed"
        elif isinstance(excinfo.value, skip.Exception):
            outcome, longrepr = "skipped", (str(item.path), item.location[1], str(excinfo.value))
        else:
            outcome, longrepr = "failed", f"{excinfo.typename}: {_first_line(str(excinfo.value))}"
        return pytest.TestReport(item.nodeid, item.location, {}, outcome, longrepr, call.when,
                                 duration=call.duration, start=call.start, stop=call.stop)

    @_hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: Any) -> bool:
        if self.collect_error:
            return True
        try:
            with _no_network():
                for index, version in enumerate(self.versions):
                    self.results.append(self._run_all(session.items, version, stop_at_failure=index > 0))
        except Exception as exc:  # noqa: BLE001 - reported as a grader error, never swallowed silently
            self.error = f"{type(exc).__name__}: {exc}"
        return True

    def _run_all(self, items: Sequence[Any], version: Callable[..., Any], *, stop_at_failure: bool) -> list[CaseRun]:
        runs: list[CaseRun] = []
        with _bound(self.namespaces, self.target, version):
            for item in items:
                runs.append(self._run_one(item))
                if stop_at_failure and runs[-1].outcome == "failed":
                    break
        return runs

    def _run_one(self, item: Any) -> CaseRun:
        from _pytest.runner import runtestprotocol

        self._excinfo.clear()
        try:
            reports = runtestprotocol(item, log=False, nextitem=None)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - pytest.exit() and the like, from the learner's test
            return CaseRun(item.name, "failed", f"{type(exc).__name__}: {_first_line(str(exc))}")
        failed = [r for r in reports if r.failed]
        if failed:
            report = failed[0]
            excinfo = self._excinfo.get((item.nodeid, report.when))
            where = "" if report.when == "call" else f" (in {report.when})"
            return CaseRun(item.name, "failed", _describe(excinfo, item, report) + where)
        if any(r.skipped for r in reports):
            return CaseRun(item.name, "skipped")
        return CaseRun(item.name, "passed")


def _namespaces(functions: Sequence[Callable[..., Any]]) -> list[dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for fn in functions:
        namespace = inspect.unwrap(fn).__globals__
        found.setdefault(id(namespace), namespace)
    return list(found.values())


def _is_fixture(value: Any) -> bool:
    """A ``@pytest.fixture``: a ``FixtureFunctionDefinition`` from pytest 8.4, a marked function before."""
    return hasattr(value, "_fixture_function_marker") or hasattr(value, "_pytestfixturefunction")


@contextlib.contextmanager
def _bound(namespaces: Sequence[dict[str, Any]], name: str, value: Any) -> Iterator[None]:
    """Rebind the global ``name`` in each namespace to ``value``; restore it afterwards."""
    saved = [(namespace, namespace.get(name, _MISSING)) for namespace in namespaces]
    for namespace in namespaces:
        namespace[name] = value
    try:
        yield
    finally:
        for namespace, before in saved:
            if before is _MISSING:
                namespace.pop(name, None)
            else:
                namespace[name] = before


@contextlib.contextmanager
def _clean_pytest_env() -> Iterator[None]:
    """No outer pytest settings, and no plugins loaded from entry points (nbval alone costs ~3 s)."""
    saved = {name: os.environ.pop(name) for name in _PYTEST_ENV if name in os.environ}
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # --disable-plugin-autoload exists only from pytest 8.4
    try:
        yield
    finally:
        for name in _PYTEST_ENV:
            os.environ.pop(name, None)
        os.environ.update(saved)


@contextlib.contextmanager
def _frames_restored(namespaces: Sequence[dict[str, Any]]) -> Iterator[None]:
    """Put back module-level DataFrames that a version changed in place.

    A wrong version that mutates its input changes a frame that the learner's tests
    share through a global; without this the notebook would keep the changed frame and
    the next ``check()`` would see different data. Test data is small: frames larger
    than ``_MAX_SAVED_CELLS`` values are left alone rather than copied.
    """
    import sys

    pandas = sys.modules.get("pandas")
    if pandas is None:
        yield
        return
    saved = [(frame, frame.copy(deep=True)) for namespace in namespaces for frame in namespace.values()
             if isinstance(frame, pandas.DataFrame) and frame.size <= _MAX_SAVED_CELLS]
    try:
        yield
    finally:
        for frame, copy in saved:
            if list(frame.columns) == list(copy.columns) and frame.equals(copy):
                continue
            for column in [c for c in frame.columns if c not in copy.columns]:
                del frame[column]
            for column in copy.columns:
                frame[column] = copy[column]


@contextlib.contextmanager
def _no_network() -> Iterator[None]:
    """Refuse every request that no mock of the learner's answers (``ConnectionError``)."""
    import responses

    guard = responses.RequestsMock(assert_all_requests_are_fired=False)
    guard.start()
    try:
        yield
    finally:
        guard.stop(allow_assert=False)
        guard.reset()


# ---------------------------------------------------------------- messages


def _describe(excinfo: Any, item: Any, report: Any) -> str:
    """``AssertionError: assert 2 == 3 (line 14 of your cell: assert len(out) == 3)``."""
    if excinfo is None:
        return _last_line(str(report.longrepr))
    exc = excinfo.value
    text = _first_line(str(exc))
    if hasattr(exc, "formatrepr"):  # pytest's FixtureLookupError: "fixture 'x' not found"
        text = _first_line(getattr(exc.formatrepr(), "errorstring", "") or text)
    said = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return said + _learner_line(exc, item)


def _learner_line(exc: BaseException, item: Any) -> str:
    fn = getattr(item, "obj", None)
    filename = inspect.unwrap(fn).__code__.co_filename if isinstance(fn, types.FunctionType) else None
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    if not frames:
        return ""
    frame = frames[-1]
    line = (frame.line or linecache.getline(frame.filename, frame.lineno or 0)).strip()
    return f" (line {frame.lineno} of your cell{': ' + line if line else ''})"


def _first_line(text: str, limit: int = 200) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return _first_line(lines[-1]) if lines else "unknown error"


# ---------------------------------------------------------------- checks for an exercise


def register(ex: Any, *, list_name: str, target: str, correct: Callable[..., Any], mutants: Sequence[Mutant],
             points_each: float, skeleton: str | None = None, min_tests: int = MIN_TESTS) -> None:
    """Add mutation grading to exercise ``ex``: a 0-point gate, then one check per mutant.

    The gate says whether the suite can be graded at all (it passes on a correct
    ``target`` and has ``min_tests`` cases); it carries no points, so a suite that
    asserts nothing earns nothing. Each mutant's check passes when a test fails on
    that mutant. All checks share one evaluation per ``check()`` run: the gate, which
    runs first, computes it; the others reuse it when the list holds the same tests.

    ``skeleton`` names the example test the stub ships with: a list holding only that,
    still not calling ``target``, is *not attempted* rather than failed.
    """
    last: list[tuple[tuple[Callable[..., Any], ...], Verdict]] = []

    def is_skeleton(fn: Callable[..., Any]) -> bool:  # asked where the test was written (its code is there)
        return skeleton is not None and bool(learner_module(__name__).untouched_skeleton(fn, skeleton, target))

    def verdict(tests: Any, scratch: Path, *, fresh: bool) -> Verdict:
        functions = tuple(listed_tests(tests, list_name, is_skeleton))
        edition.needs_answers(f"mutation grading runs your tests on a correct {target} and on wrong versions "
                              f"of it")
        if not fresh and last and len(last[0][0]) == len(functions) and all(
                a is b for a, b in zip(last[0][0], functions, strict=True)):
            return last[0][1]
        result = evaluate(functions, target=target, correct=correct, mutants=mutants, scratch=scratch,
                          min_tests=min_tests)
        last[:] = [(functions, result)]
        return result

    def gate(tests: Any, tmp_path: Path) -> None:
        found = verdict(tests, tmp_path, fresh=True)
        if found.problem:
            fail(f"your tests cannot be graded yet: {found.problem}",
                 expected=f"at least {min_tests} test cases, all passing on a correct {target}",
                 seen=f"{len(found.cases)} case(s): {', '.join(found.cases) or 'none'}")

    _add(ex, f"your tests pass on a correct {target} (at least {min_tests} of them)", 0.0,
         f"Each test must pass on correct code, or it would fail on everything. List every test in "
         f"{list_name}; run them in the notebook to see which one fails and why.", list_name, gate)

    for index, mutant in enumerate(mutants):
        def one(tests: Any, tmp_path: Path, index: int = index, mutant: Mutant = mutant) -> None:
            found = verdict(tests, tmp_path, fresh=False)
            if found.problem:
                fail(f"not graded until your tests pass on a correct {target} (see above): {found.problem}")
            if not found.killed(index):
                fail(f"every one of your tests passes on a {target} that {mutant.behaviour}: "
                     "no test pins this behaviour down",
                     expected="at least one test failing on that wrong version",
                     seen=f"all {len(found.cases)} test cases passed")

        _add(ex, f"a test fails when {target} {mutant.behaviour}", points_each, mutant.hint, list_name, one)


def _add(ex: Any, name: str, points: float, hint: str, list_name: str, body: Callable[..., None]) -> None:
    """Register ``body(tests, tmp_path)`` as a check whose parameters are ``list_name`` and ``tmp_path``."""

    def run(**kwargs: Any) -> None:
        body(kwargs[list_name], kwargs["tmp_path"])

    run.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter(list_name, inspect.Parameter.KEYWORD_ONLY),
        inspect.Parameter("tmp_path", inspect.Parameter.KEYWORD_ONLY),
    ])
    run.__name__ = run.__qualname__ = f"_mutation_{len(ex.checks)}"
    ex.check(name, points=points, hint=hint)(run)
