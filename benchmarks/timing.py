"""The one timing helper the benchmarks share."""

from __future__ import annotations

import statistics
import time


def timed(f, repeat: int = 7, warmup: int = 1, clock=time.perf_counter) -> tuple[float, float]:
    """(min, median) time of f() in ms (wall time, or another clock such as process CPU time)."""
    for _ in range(warmup):
        f()
    ts = []
    for _ in range(repeat):
        t0 = clock()
        f()
        ts.append((clock() - t0) * 1000)
    return min(ts), statistics.median(ts)


def best_of(f, repeat: int = 20) -> float:
    """The fastest of `repeat` runs of f(), in seconds."""
    return timed(f, repeat=repeat, warmup=0)[0] / 1000
