"""depipe_course.exercises._memory: one call's peak memory, as Python and as Arrow count it."""

from __future__ import annotations

import gc
import tracemalloc

import pyarrow as pa
import pytest

from depipe_course.exercises import _memory
from depipe_course.exercises._memory import Peak, measure_peak, mib

TEN_MIB = 10 * 2**20


def _python_block() -> str:
    block = bytearray(TEN_MIB)
    del block
    return "done"


def _arrow_block() -> str:
    buffer = pa.allocate_buffer(TEN_MIB)
    del buffer
    return "done"


def test_returns_the_result_and_the_python_peak() -> None:
    """A 10 MiB bytearray freed before returning shows in the Python peak, not in Arrow's."""
    result, peak = measure_peak(_python_block)
    assert result == "done"
    assert TEN_MIB <= peak.python < 2 * TEN_MIB
    assert peak.arrow < 2**20


def test_sees_arrow_allocations_that_tracemalloc_misses() -> None:
    """A 10 MiB Arrow buffer shows in the Arrow peak although tracemalloc never sees it."""
    _, peak = measure_peak(_arrow_block)
    assert TEN_MIB <= peak.arrow < 2 * TEN_MIB
    assert peak.python < 2**20
    assert peak.total == peak.python + peak.arrow


def test_forwards_arguments() -> None:
    """Positional and keyword arguments reach the function unchanged."""
    result, _ = measure_peak(lambda a, *, b: (a, b), 1, b=2)
    assert result == (1, 2)


@pytest.mark.parametrize("tracing", [False, True])
def test_leaves_tracemalloc_and_the_pool_as_it_found_them(tracing: bool) -> None:
    """tracemalloc keeps its on/off state and Arrow's default pool is restored, also after an error."""
    if tracing:
        tracemalloc.start()
    try:
        with pytest.raises(ZeroDivisionError):
            measure_peak(lambda: 1 / 0)
        assert tracemalloc.is_tracing() is tracing
        proxies = [pool.bytes_allocated() for pool in _memory._POOLS]
        buffer = pa.allocate_buffer(4096)  # must land in the original pool, not in a proxy
        assert [pool.bytes_allocated() for pool in _memory._POOLS] == proxies
        del buffer
    finally:
        tracemalloc.stop()


def test_a_buffer_that_outlives_the_call_is_freed_safely() -> None:
    """Arrow memory returned by the measured call can be freed later without crashing."""
    buffer, peak = measure_peak(pa.allocate_buffer, 2**20)
    assert peak.arrow >= 2**20
    del buffer
    gc.collect()


def test_mib_and_str_read_as_mebibytes() -> None:
    """Sizes print as MiB with one decimal, the unit the notebooks' sanitizer expects."""
    assert mib(12 * 2**20 + 2**19) == "12.5 MiB"
    assert str(Peak(python=2**20, arrow=2**21)) == "3.0 MiB (Python 1.0 MiB, Arrow 2.0 MiB)"


def test_resident_flat_passes_a_rise_within_the_slack() -> None:
    """A big input whose process peaked at most ``slack`` above the small input's peak passes."""
    _memory.expect_resident_flat(Peak(0, 0, 100 * 2**20), Peak(0, 0, 101 * 2**20), 2**20, "10x the rows")


def test_resident_flat_fails_a_rise_beyond_the_slack_and_says_what_the_kernel_saw() -> None:
    """A rise past the slack fails with both resident figures, whatever Python's and Arrow's counts say."""
    from depipe_course.checking import CheckFailed

    with pytest.raises(CheckFailed) as caught:
        _memory.expect_resident_flat(Peak(0, 0, 100 * 2**20), Peak(0, 0, 105 * 2**20), 2**20, "10x the rows")
    failure = caught.value
    assert "the kernel saw" in str(failure) and "5.0 MiB more" in str(failure) and "10x the rows" in str(failure)
    assert "100.0 MiB" in str(failure.expected) and "105.0 MiB" in str(failure.seen)


def test_resident_flat_compares_nothing_without_the_kernels_figures() -> None:
    """Outside a grader's fresh worker there is no resident figure: no verdict either way."""
    _memory.expect_resident_flat(Peak(0, 0), Peak(0, 0, 500 * 2**20), 2**20, "10x the rows")
    _memory.expect_resident_flat(Peak(0, 0, 500 * 2**20), Peak(0, 0), 2**20, "10x the rows")
