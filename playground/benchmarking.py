"""What a benchmark row is, and how one is measured.

Tabs describe their user-facing operations as ``BenchCase``s (``bench_cases()`` in the
tab module); ``python -m playground.bench`` runs them all and prints the table.
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


@dataclass
class BenchResult:
    name: str
    median: float
    maximum: float
    target: float | None
    unit: str
    higher_is_better: bool
    peak_rss_mb: float

    @property
    def meets_target(self) -> bool | None:
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
    for _ in range(case.warmup):
        case.run()
    times = []
    for _ in range(max(5, case.repeats)):
        start = time.perf_counter()
        case.run()
        times.append((time.perf_counter() - start) * 1000)
    return BenchResult(case.name, statistics.median(times), max(times), case.target_ms, "ms", False, peak_rss_mb())
