"""Sweeps shared by the notebooks: learning curves over seeds, and final scores against the
training-set size, each with one progress bar for the whole sweep; plus their settings and
plots. A *variant* is a named model factory with its loss, so "direct", "direct with its boolean
supervised" and a baseline are compared on exactly the same data, seeds and schedule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import torch

from . import data as D
from .train import History, mean_std, train


@dataclass
class Variant:
    name: str
    make: Callable[[], torch.nn.Module]
    loss: Callable  # loss(model, *batch) -> scalar tensor
    color: Optional[str] = None


@dataclass
class Settings:
    seeds: int
    steps: int          # learning curves: training steps
    eval_every: int
    sizes: tuple        # data efficiency: training-set sizes (None = all)
    sweep_seeds: int
    sweep_steps: int    # data efficiency: training steps per run (a multiple of eval_every)
    batch: int = 64
    lr: float = 3e-3

    def describe(self) -> str:
        return (f"learning curves: {self.seeds} seeds × {self.steps} steps (batch {self.batch}, Adam lr {self.lr}); "
                f"data efficiency: sizes {list(self.sizes)} × {self.sweep_seeds} seeds × {self.sweep_steps} steps")


def _bar(total: int, desc: str, progress: bool):
    if not progress:
        return None
    from tqdm.auto import tqdm
    return tqdm(total=total, desc=desc, leave=True, mininterval=0.5)


def learning_curves(variants: Sequence[Variant], tensors: Sequence[torch.Tensor], evaluate: Callable,
                    settings: Settings, desc: str = "learning curves", progress: bool = True) -> dict:
    """{variant name: [History of each seed]}, all on the full training set."""
    out = {v.name: [] for v in variants}
    bar = _bar(len(variants) * settings.seeds * settings.steps, desc, progress)
    for seed in range(settings.seeds):
        for v in variants:
            torch.manual_seed(seed)
            model = v.make()
            out[v.name].append(train(model, v.loss, tensors, steps=settings.steps, batch=settings.batch,
                                     lr=settings.lr, seed=seed, evaluate=evaluate,
                                     eval_every=settings.eval_every, bar=bar))
    if bar is not None:
        bar.close()
    return out


def data_efficiency(variants: Sequence[Variant], tensors: Sequence[torch.Tensor], evaluate: Callable,
                    settings: Settings, desc: str = "data efficiency", progress: bool = True) -> dict:
    """{variant name: {size: [final metrics of each seed]}}: every variant trains on the same
    random subset of `size` examples per seed, for `sweep_steps` steps."""
    sizes = [s for s in settings.sizes if s is not None]
    out = {v.name: {s: [] for s in sizes} for v in variants}
    bar = _bar(len(variants) * len(sizes) * settings.sweep_seeds * settings.sweep_steps, desc, progress)
    for size in sizes:
        for seed in range(settings.sweep_seeds):
            idx = D.subset(len(tensors[0]), size, seed=1000 + seed)
            part = [t[idx] for t in tensors]
            for v in variants:
                torch.manual_seed(seed)
                model = v.make()
                h = train(model, v.loss, part, steps=settings.sweep_steps, batch=settings.batch,
                          lr=settings.lr, seed=seed, evaluate=evaluate, eval_every=settings.sweep_steps, bar=bar)
                h.model = None  # only the scores are kept
                out[v.name][size].append({k: vals[-1] for k, vals in h.metrics.items()})
    if bar is not None:
        bar.close()
    return out


def add_full_size(sweep: dict, curves: dict, n_train: int, step: int) -> dict:
    """Add the full training set as the largest size of a sweep, reading the learning-curve runs
    at the sweep's step budget (so every point of the sweep had the same number of steps)."""
    for name, hists in curves.items():
        i = hists[0].steps.index(step)
        sweep.setdefault(name, {})[n_train] = [{k: v[i] for k, v in h.metrics.items()} for h in hists]
    return sweep


def curve_stats(hists: Sequence[History], key: str):
    """(steps, mean, std) of metric `key` over the runs."""
    vals = torch.tensor([h.metrics[key] for h in hists])
    sd = vals.std(0, unbiased=True) if len(hists) > 1 else torch.zeros(vals.shape[1])
    return hists[0].steps, vals.mean(0), sd


def final_values(hists: Sequence[History], key: str) -> list[float]:
    return [h.metrics[key][-1] for h in hists]


def sweep_values(sweep_of_variant: dict, size, key: str) -> list[float]:
    return [r[key] for r in sweep_of_variant[size]]


def area_under_curve(h: History, key: str) -> float:
    """The mean of a learning curve over its recorded steps (higher = learned faster)."""
    return sum(h.metrics[key]) / len(h.metrics[key])


# ------------------------------------------------------------------ plots


def plot_curves(ax, curves: dict, key: str, variants: Sequence[Variant], ylabel: str, title: str = ""):
    for v in variants:
        steps, m, sd = curve_stats(curves[v.name], key)
        ax.plot(steps, m, label=v.name, color=v.color)
        ax.fill_between(steps, m - sd, m + sd, alpha=0.2, color=v.color)
    ax.set_xlabel("training step")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()


def plot_sweep(ax, sweep: dict, key: str, variants: Sequence[Variant], ylabel: str, title: str = "",
               xlabel: str = "training-set size"):
    for v in variants:
        sizes = sorted(sweep[v.name])
        stats = [mean_std(sweep_values(sweep[v.name], s, key)) for s in sizes]
        ax.errorbar(sizes, [m for m, _ in stats], yerr=[sd for _, sd in stats], label=v.name, color=v.color,
                    marker="o", capsize=3)
    ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()


def verdict(better: bool, margin_ok: bool) -> str:
    """A plain word for a claim: reproduced (better, beyond the spread), not reproduced, or unclear."""
    if better and margin_ok:
        return "REPRODUCED"
    if better:
        return "unclear (within spread)"
    return "NOT reproduced"


def compare(a: Sequence[float], b: Sequence[float]) -> str:
    """Does a beat b? 'REPRODUCED' only when the mean difference exceeds both spreads (std)."""
    (ma, sa), (mb, sb) = mean_std(a), mean_std(b)
    return verdict(ma > mb, ma - mb > max(sa, sb))
