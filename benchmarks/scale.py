"""Memory flatness, throughput against the engine, and Parquet pushdown (issue 7, figures 1–3).

Inputs are generated once by ``depipe_course.data`` with a fixed seed into
``benchmarks/work/`` (ignored by git) and reused by later runs.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from benchmarks._measure import Measured, in_child, spread

WORK = Path(__file__).parent / "work"
SEED = 7
SIZES = {"100MB": 100_000_000, "1GB": 1_000_000_000}
NDJSON_BYTES_PER_ROW = 125  # measured on the generator's output; rows for a target size


def inputs(size_name: str) -> tuple[Path, Path]:
    """The orders CSV and NDJSON of about ``size_name`` bytes (generated on first use)."""
    from depipe_course.data import write_orders_csv, write_orders_ndjson

    WORK.mkdir(exist_ok=True)
    csv_path, ndjson_path = WORK / f"orders_{size_name}.csv", WORK / f"orders_{size_name}.ndjson"
    size = SIZES[size_name]
    if not csv_path.exists():
        write_orders_csv(csv_path, None, SEED, size_bytes=size)
    if not ndjson_path.exists():
        write_orders_ndjson(ndjson_path, size // NDJSON_BYTES_PER_ROW, SEED)
    return csv_path, ndjson_path


def _mb(path: Path) -> float:
    return path.stat().st_size / 1e6


def _best(task: str, path: Path, repeats: int) -> tuple[Measured, dict[str, float]]:
    runs = [in_child(task, str(path)) for _ in range(repeats)]
    return min(runs, key=lambda m: m.seconds), spread([m.seconds for m in runs])


def memory_flatness() -> dict[str, Any]:
    """Peak RSS at 100 MB and 1 GB for each streaming reference and each whole-file version."""
    tasks = {
        "process_orders_in_chunks": ("chunked", 0),
        "csv_to_parquet": ("csv_to_parquet", 0),
        "run_pipeline (part 06)": ("generator_pipeline", 1),
        "whole-file read_csv + clean": ("whole_file_clean", 0),
        "list-based pipeline (part 06)": ("list_pipeline", 1),
    }
    figures: dict[str, Any] = {}
    for label, (task, which) in tasks.items():
        peaks = {name: in_child(task, str(inputs(name)[which])).peak_rss_mib for name in SIZES}
        figures[label] = {**{f"peak_rss_mib_{k}": v for k, v in peaks.items()},
                          "ratio_1GB_over_100MB": peaks["1GB"] / peaks["100MB"]}
    return figures


def against_engine(repeats: int = 3) -> dict[str, Any]:
    """Reference throughput as a share of the engine's own, same file, same run."""
    csv_path, _ = inputs("1GB")
    size = _mb(csv_path)
    ours, ours_t = _best("csv_to_parquet", csv_path, repeats)
    engine, engine_t = _best("engine_csv_to_parquet", csv_path, repeats)
    chunked, chunked_t = _best("chunked", csv_path, repeats)
    whole, whole_t = _best("whole_file_read", csv_path, repeats)
    return {
        "file_mb": size,
        "csv_to_parquet_mb_s": size / ours.seconds, "engine_mb_s": size / engine.seconds,
        "csv_to_parquet_over_engine": engine.seconds / ours.seconds,
        "chunked_mb_s": size / chunked.seconds, "whole_read_csv_mb_s": size / whole.seconds,
        "chunked_over_whole_read": whole.seconds / chunked.seconds,
        "chunked_rss_over_whole_rss": chunked.peak_rss_mib / whole.peak_rss_mib,
        "seconds": {"csv_to_parquet": ours_t, "engine": engine_t, "chunked": chunked_t, "whole_read": whole_t},
    }


class _CountingFS:
    """An fsspec local filesystem that counts the bytes pyarrow actually reads."""

    def __new__(cls) -> Any:
        from fsspec.implementations.local import LocalFileOpener, LocalFileSystem

        counter = {"bytes": 0, "files": set()}

        class Opener(LocalFileOpener):  # type: ignore[misc]
            def read(self, *args: Any, **kwargs: Any) -> bytes:
                data = super().read(*args, **kwargs)
                counter["bytes"] += len(data)
                counter["files"].add(self.path)
                return data

            def readinto(self, buffer: Any) -> int:
                n = super().readinto(buffer)
                counter["bytes"] += n
                counter["files"].add(self.path)
                return n

        class Counting(LocalFileSystem):  # type: ignore[misc]
            def _open(self, path: str, mode: str = "rb", block_size: Any = None, **kwargs: Any) -> Any:
                return Opener(self._strip_protocol(path), mode, fs=self, **kwargs)

        fs = Counting()
        fs.counter = counter
        return fs


def pushdown(repeats: int = 5) -> dict[str, Any]:
    """Bytes read and time: ``read_recent_orders`` (last 3 of 30 days) vs a full read."""
    import pyarrow.dataset as ds
    from pyarrow.fs import FSSpecHandler, PyFileSystem

    from depipe_course.data import write_partitioned_orders
    from solutions.part02 import read_recent_orders

    base = WORK / "partitioned_30_days"
    if not base.exists():
        write_partitioned_orders(base, rows=3_000_000, seed=SEED, days=30)
    files = sorted(base.rglob("*.parquet"))

    counting = _CountingFS()
    ds.dataset(str(base), format="parquet", partitioning="hive",
               filesystem=PyFileSystem(FSSpecHandler(counting))).to_table()
    full = dict(counting.counter)
    rows, recent = _recent_counted(base)

    timings: dict[str, list[float]] = {"full": [], "recent": []}
    for _ in range(repeats):
        start = time.perf_counter()
        ds.dataset(str(base), format="parquet", partitioning="hive").to_table()
        timings["full"].append(time.perf_counter() - start)
        start = time.perf_counter()
        read_recent_orders(str(base), "2026-03-28")
        timings["recent"].append(time.perf_counter() - start)
    return {
        "dataset_bytes": sum(p.stat().st_size for p in files), "files_total": len(files),
        "full_read_bytes": full["bytes"], "full_read_files": len(full["files"]),
        "recent_read_bytes": recent["bytes"], "recent_read_files": len(recent["files"]), "recent_rows": rows,
        "seconds_full": spread(timings["full"]), "seconds_recent": spread(timings["recent"]),
    }


def _recent_counted(base: Path) -> tuple[int, dict[str, Any]]:
    """Run the reference ``read_recent_orders`` with its dataset on a counting filesystem."""
    import pyarrow.dataset as ds
    from pyarrow.fs import FSSpecHandler, PyFileSystem

    from solutions import part02

    counting = _CountingFS()
    real = ds.dataset

    def dataset(source: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("filesystem", PyFileSystem(FSSpecHandler(counting)))
        return real(source, *args, **kwargs)

    part02.ds.dataset = dataset  # type: ignore[attr-defined]
    try:
        rows = len(part02.read_recent_orders(str(base), "2026-03-28"))
    finally:
        part02.ds.dataset = real  # type: ignore[attr-defined]
    return rows, dict(counting.counter)
