"""What a sweep costs: step times measured in a folder of results, and the time a list of jobs
would take from them (the estimates in docs/EXPERIMENTS.md)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from . import faithful as FT
from .jobs import load


def step_times(folder: Path) -> dict:
    """{(family, variant): (seconds per training step at batch 32/64, seconds per test example
    evaluated)} measured in a folder of results (the mean over its jobs)."""
    acc = defaultdict(list)
    for path in sorted(Path(folder).glob("*/*.json")):
        r = load(path)
        if r.get("diverged_at") is not None:
            continue  # it stopped early: its few steps say little of the cost
        acc[(r["job"]["family"], r["job"]["variant"])].append((r["step_seconds"], r["eval_seconds"] / r["n_test"]))
    return {k: (sum(a for a, _ in v) / len(v), sum(b for _, b in v) / len(v)) for k, v in acc.items()}


def estimate(jobs: list, times: dict, n_train: int, n_test: int, speedup: float = 1.0) -> float:
    """Seconds of one worker for `jobs` with `n_train` training and `n_test` test examples, from
    measured step times divided by `speedup` (a step's cost is taken as proportional to its batch)."""
    total = 0.0
    for j in jobs:
        step, per_example = times[(j.family, j.variant)]
        base = FT.SPECS[j.family].batch
        steps = j.total_steps(n_train if j.family not in ("and", "eq") else n_train // 2)
        n_eval = len(FT.SPECS[j.family].evaluations(steps))
        test = n_test if j.family not in ("and", "eq") else n_test // 2
        total += steps * step * j.batch / base + n_eval * per_example * test
    return total / speedup
