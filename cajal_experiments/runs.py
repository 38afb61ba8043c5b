"""The sweep every family runs: learning curves over seeds on the full training set, and final
scores against the training-set size (data efficiency), under one progress bar.

Every variant sees exactly the same seeds, data subsets and minibatch order, so results are
paired across variants (see `stats`). A *variant* is a named model factory with its loss.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch

from . import data as D
from .train import History, train


@dataclass(frozen=True)
class Variant:
    name: str
    make: Callable[[], torch.nn.Module]
    loss: Callable  # loss(model, *batch) -> scalar tensor
    color: str | None = None
    about: str = ""


@dataclass(frozen=True)
class Settings:
    seeds: int
    steps: int          # learning curves: training steps on the full training set
    eval_every: int
    sizes: tuple        # data efficiency: training-set sizes (the full set is added from the curves)
    sweep_steps: int    # data efficiency: steps per run (a multiple of eval_every, ≤ steps)
    batch: int = 32
    lr: float = 3e-3
    test: int = 512     # test examples scored at every evaluation

    def __post_init__(self):
        if self.sweep_steps % self.eval_every or self.sweep_steps > self.steps:
            raise ValueError("sweep_steps must be a multiple of eval_every and at most steps")

    def describe(self) -> str:
        return (f"{self.seeds} seeds; learning curves: {self.steps} steps on the full training set; "
                f"data efficiency: sizes {list(self.sizes)} + full, {self.sweep_steps} steps; "
                f"batch {self.batch}, Adam lr {self.lr}, {self.test} test examples")

    def total_steps(self, variants: int) -> int:
        return variants * self.seeds * (self.steps + len(self.sizes) * self.sweep_steps)


@dataclass
class Study:
    """What one sweep measured: {variant: [History per seed]} and {variant: {size: [final
    metrics per seed]}}, with its settings and how long it took."""

    settings: Settings
    variants: list
    curves: dict = field(default_factory=dict)
    sweep: dict = field(default_factory=dict)
    seconds: float = 0.0
    device: str = "cpu"

    def names(self) -> list[str]:
        return [v.name for v in self.variants]

    def curve(self, name: str, key: str) -> torch.Tensor:
        """(seeds, evaluations) of metric `key`."""
        return torch.tensor([h.metrics[key] for h in self.curves[name]])

    @property
    def steps(self) -> list[int]:
        return next(iter(self.curves.values()))[0].steps

    def final(self, name: str, key: str) -> list[float]:
        return [h.metrics[key][-1] for h in self.curves[name]]

    def at_size(self, name: str, size: int, key: str) -> list[float]:
        return [r[key] for r in self.sweep[name][size]]

    def sizes(self) -> list[int]:
        return sorted(next(iter(self.sweep.values())))


def run(variants: Sequence[Variant], data: Sequence[torch.Tensor], evaluate: Callable, settings: Settings,
        desc: str = "sweep", progress: bool = True) -> Study:
    """Train every variant for every seed (curves), then on every subset size (data efficiency).
    `data` are the training tensors, already on the device; `evaluate(model)` gives metrics."""
    study = Study(settings, list(variants), device=str(data[0].device))
    bar = None
    if progress:  # a text bar: its last state stays readable in a saved notebook
        from tqdm.std import tqdm
        total = settings.total_steps(len(variants))
        bar = tqdm(total=total, desc=desc, mininterval=10.0 if total > 5000 else 1.0, file=sys.stderr)
    start = time.perf_counter()

    def one(v: Variant, part, seed: int, steps: int, eval_every: int) -> History:
        torch.manual_seed(seed)
        return train(v.make(), v.loss, part, steps=steps, batch=settings.batch, lr=settings.lr, seed=seed,
                     evaluate=evaluate, eval_every=eval_every, bar=bar)

    for v in variants:
        study.curves[v.name] = []
        for seed in range(settings.seeds):
            h = one(v, data, seed, settings.steps, settings.eval_every)
            if seed:
                h.model = None  # keep seed 0's model, for looking inside
            study.curves[v.name].append(h)
    n = len(data[0])
    for v in variants:
        study.sweep[v.name] = {}
        for size in settings.sizes:
            finals = []
            for seed in range(settings.seeds):
                idx = D.subset(n, size, seed=1000 + seed).to(data[0].device)
                h = one(v, [t[idx] for t in data], seed, settings.sweep_steps, settings.sweep_steps)
                finals.append({k: vals[-1] for k, vals in h.metrics.items()})
            study.sweep[v.name][size] = finals
        i = study.curves[v.name][0].steps.index(settings.sweep_steps)
        study.sweep[v.name][n] = [{k: vals[i] for k, vals in h.metrics.items()} for h in study.curves[v.name]]
    if bar is not None:
        bar.close()
    study.seconds = time.perf_counter() - start
    return study
