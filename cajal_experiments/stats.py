"""Honest statistics over seeds: 95% confidence intervals, paired differences, verdicts.

Every comparison is *paired*: variant A and variant B ran with the same seed, data subset and
minibatch order, so the per-seed differences are what vary, and their mean gets a Student-t
interval. A claim is **reproduced** when the whole 95% interval favours it, **not reproduced**
when the whole interval goes against it, and **inconclusive** when it contains zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

# the 0.975 quantile of Student's t with df degrees of freedom (df 1..30); beyond that ≈ normal
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
         2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
         2.052, 2.048, 2.045, 2.042)

REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE = "reproduced", "not reproduced", "inconclusive"


def t975(df: int) -> float:
    if df < 1:
        return math.inf
    return _T975[df - 1] if df <= len(_T975) else 1.96


@dataclass(frozen=True)
class Interval:
    """A mean and its 95% confidence interval over n runs."""

    mean: float
    low: float
    high: float
    n: int

    def __str__(self) -> str:
        return self.format()

    def format(self, digits: int = 2, sign: bool = False) -> str:
        f = f"{{:{'+' if sign else ''}.{digits}f}}"
        return f"{f.format(self.mean)} [{self.low:.{digits}f}, {self.high:.{digits}f}]"


def interval(values: Sequence[float]) -> Interval:
    """mean ± t₀.₉₇₅(n−1) · sd / √n."""
    vals = [float(v) for v in values]
    n = len(vals)
    m = sum(vals) / n
    if n < 2:
        return Interval(m, -math.inf, math.inf, n)
    sd = math.sqrt(sum((v - m) ** 2 for v in vals) / (n - 1))
    h = t975(n - 1) * sd / math.sqrt(n)
    return Interval(m, m - h, m + h, n)


def paired(a: Sequence[float], b: Sequence[float]) -> Interval:
    """The interval of the mean per-seed difference a − b (a[i] and b[i] share seed i)."""
    if len(a) != len(b):
        raise ValueError(f"paired runs differ in number: {len(a)} vs {len(b)}")
    return interval([float(x) - float(y) for x, y in zip(a, b)])


def verdict(diff: Interval) -> str:
    """The claim is that diff > 0."""
    if diff.low > 0:
        return REPRODUCED
    if diff.high < 0:
        return NOT_REPRODUCED
    return INCONCLUSIVE


def direction(diff: Interval) -> str:
    """How a variant compares on a paired difference (positive = better): better / worse / no clear difference."""
    return {REPRODUCED: "better", NOT_REPRODUCED: "worse"}.get(verdict(diff), "no clear difference")


def band(curves: torch.Tensor):
    """(mean, low, high) of (runs, evaluations) curves: pointwise 95% intervals."""
    m = curves.mean(0)
    n = curves.shape[0]
    if n < 2:
        return m, m, m
    h = t975(n - 1) * curves.std(0, unbiased=True) / math.sqrt(n)
    return m, m - h, m + h


def first_reach(steps: Sequence[int], values: Sequence[float], target: float) -> int | None:
    """The first recorded step at which a curve reaches `target` (None: never)."""
    return next((s for s, v in zip(steps, values) if v >= target), None)
