"""Training loops, metrics, settings and the plain-text summary tables of the experiments.

Every loop is small and deterministic given its seed; `train` draws minibatches with its own
generator, evaluates every `eval_every` steps and reports progress on an optional tqdm bar, so a
notebook can show one bar for a whole sweep of runs.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch


def quick_mode() -> bool:
    """True when the environment asks for the quick setting (CAJAL_QUICK=1)."""
    return os.environ.get("CAJAL_QUICK", "").strip().lower() not in ("", "0", "false", "no")


def setup(threads: int = 1) -> None:
    """Small models run fastest (and share a busy machine best) on one thread."""
    torch.set_num_threads(threads)


# ------------------------------------------------------------------ metrics


def psnr(pred: torch.Tensor, target: torch.Tensor, peak: float = 1.0) -> torch.Tensor:
    """Per-image peak signal-to-noise ratio in dB (images in [0, peak]; prediction clamped)."""
    mse = ((pred.clamp(0, peak) - target) ** 2).flatten(1).mean(1)
    return 10 * torch.log10(peak ** 2 / mse.clamp_min(1e-10))


def mean_psnr(pred: torch.Tensor, target: torch.Tensor, peak: float = 1.0) -> float:
    """PSNR of a whole set, from the mean squared error over all its pixels (dB). (Averaging
    per-image PSNRs would let the exactly-reproduced images, whose PSNR is infinite, dominate.)"""
    mse = float(((pred.clamp(0, peak) - target) ** 2).mean())
    return 10 * math.log10(peak ** 2 / max(mse, 1e-10))


def bool_nll(prob: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Negative log-likelihood of a soft 𝟚 (B, 2) [p(tt), p(ff)] against bool targets (B,)."""
    p = torch.where(target, prob[:, 0], prob[:, 1])
    return -torch.log(p.clamp_min(1e-7)).mean()


def bool_accuracy(prob: torch.Tensor, target: torch.Tensor) -> float:
    """How often the decoded 𝟚 (argmax: index 0 = tt) equals the target."""
    return float(((prob[:, 0] > prob[:, 1]) == target).float().mean())


def bool_balanced_accuracy(prob: torch.Tensor, target: torch.Tensor) -> float:
    """The mean of the accuracies on the tt-targets and on the ff-targets (robust to imbalance:
    answering ff always scores 0.5)."""
    said = prob[:, 0] > prob[:, 1]
    parts = [float((said[target == v] == v).float().mean()) for v in (True, False) if bool((target == v).any())]
    return sum(parts) / len(parts)


# ------------------------------------------------------------------ the loop


@dataclass
class History:
    steps: list[int] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0
    model: torch.nn.Module | None = field(default=None, repr=False)  # the trained model, if kept

    def add(self, step: int, values: dict[str, float]) -> None:
        self.steps.append(step)
        for k, v in values.items():
            self.metrics.setdefault(k, []).append(v)

    def final(self, key: str) -> float:
        return self.metrics[key][-1]


def train(model: torch.nn.Module, loss_fn: Callable, data: Sequence[torch.Tensor], *, steps: int,
          batch: int = 64, lr: float = 3e-3, seed: int = 0, evaluate: Callable | None = None,
          eval_every: int = 50, bar=None) -> History:
    """Adam on random minibatches of `data` (tensors sharing their first dimension).

    `loss_fn(model, *batch)` returns a scalar; `evaluate(model)` a dict of metrics, recorded at
    step 0, every `eval_every` steps and at the end (under torch.no_grad, in eval mode). The
    model is moved to the device of `data`; the minibatch order depends only on `seed`."""
    device = data[0].device
    model.to(device)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    hist = History()
    n = len(data[0])
    start = time.perf_counter()

    def record(step):
        if evaluate is not None:
            model.eval()
            with torch.no_grad():
                hist.add(step, evaluate(model))
            model.train()

    record(0)
    for step in range(1, steps + 1):
        idx = torch.randint(n, (min(batch, n),), generator=g).to(device)
        loss = loss_fn(model, *(t[idx] for t in data))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % eval_every == 0 or step == steps:
            record(step)
        if bar is not None:
            bar.update(1)
    hist.seconds = time.perf_counter() - start
    hist.model = model
    return hist


# ------------------------------------------------------------------ tables


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table (pandas is not a dependency)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(r):
        return "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])
