"""What a benchmark row is, and how one is measured.

Tabs describe their user-facing operations as ``BenchCase``s (``bench_cases()`` in the
tab module); ``python -m playground.bench`` runs them all and prints the table.

Absolute timings of one commit differ by ~2× between two machines of this kind, so a row
can carry a *reference*: the same work done by the engine a user would otherwise pick
(onnxruntime on the same network and thread count, or the bare PyTorch loop for live
training), timed in the same run, interleaved with the row's own runs. The row then
reports the ratio (row / reference) and, where it has one, checks it against ``ratio_target``.
"""

from __future__ import annotations

import resource
import statistics
import time
from dataclasses import dataclass
from typing import Callable


@dataclass
class BenchCase:
    name: str  # e.g. "ImageNet top-5, one 224 px image"
    run: Callable[[], object]  # one timed operation
    target_ms: float | None = None  # None: reported, no target
    setup: Callable[[], object] | None = None  # untimed, once before warm-up
    repeats: int = 7
    warmup: int = 2
    unit: str = "ms"  # "ms" (time per run) or a custom unit when measure() returns values
    # Optional: returns (value, target, unit, higher_is_better) instead of timing `run`;
    # for figures that are not latencies (throughput ratios, frames per second).
    measure: Callable[[], tuple[float, float | None, str, bool]] | None = None
    reference: Callable[[], object] | None = None  # the same work by the reference engine (timed too)
    reference_label: str = "onnxruntime"  # what the reference is, for the table
    ratio_target: float | None = None  # the row passes when median / reference median ≤ this
    per_run: int = 1  # calls inside one timed run (run and reference alike); figures are per call


@dataclass
class BenchResult:
    name: str
    median: float
    maximum: float
    target: float | None
    unit: str
    higher_is_better: bool
    peak_rss_mb: float
    reference: float | None = None  # the reference's median, same unit
    reference_label: str = ""
    ratio: float | None = None  # median / reference
    ratio_target: float | None = None

    @property
    def meets_target(self) -> bool | None:
        if self.ratio_target is not None and self.ratio is not None:
            return self.ratio <= self.ratio_target  # a ratio measured in the same run says more
        if self.target is None:
            return None
        return self.median >= self.target if self.higher_is_better else self.median <= self.target


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(case: BenchCase) -> BenchResult:
    if case.setup is not None:
        case.setup()
    if case.measure is not None:
        values = []
        target, unit, higher = None, case.unit, False
        for _ in range(max(1, case.repeats)):
            value, target, unit, higher = case.measure()
            values.append(value)
        return BenchResult(case.name, statistics.median(values), max(values), target, unit, higher, peak_rss_mb())
    runs = [case.run] if case.reference is None else [case.run, case.reference]
    for _ in range(case.warmup):
        for run in runs:
            run()
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(max(5, case.repeats)):
        for run, column in zip(runs, times):  # interleaved: both see the same machine load
            start = time.perf_counter()
            run()
            column.append((time.perf_counter() - start) * 1000 / case.per_run)
    median = statistics.median(times[0])
    result = BenchResult(case.name, median, max(times[0]), case.target_ms, "ms", False, peak_rss_mb())
    if case.reference is not None:
        result.reference = statistics.median(times[1])
        result.reference_label = case.reference_label
        result.ratio = median / result.reference
        result.ratio_target = case.ratio_target
    return result
