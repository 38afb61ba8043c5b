"""The five families at the original's settings (docs/EXPERIMENTS.md, "The faithful setting"):
its data transform, tasks, networks (`original`), losses, metrics, optimiser grid, clipping,
epochs, evaluation points and pairing. Each family names the original file every variant follows.

A `Spec` is all a job needs to know about a family: how to build its task from the digits,
its variants, and its schedule. The sweep (`jobs`, `sweep`) turns specs into independent jobs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import torch
import torch.nn.functional as F

from . import data as D
from . import original as O
from . import programs as P
from .mnist import Digits

LINKED, PLAIN = "linked", "plain"
LRS, BATCHES = (1e-3, 5e-4, 1e-4), (32, 64, 128)  # the image families' grid; the first point is the main run
PAIR_LRS, PAIR_BATCHES = (1e-3, 1e-4, 1e-5), (64, 128, 256)


@dataclass(frozen=True)
class Variant:
    name: str
    make: Callable  # make(definitions) -> nn.Module
    clip: bool      # gradient-norm clipping at 1.0 (the original clips linked and type-preserving models)
    follows: str    # the original file
    about: str


@dataclass(frozen=True)
class Task:
    """Training and test tensors: (x, target) for images, (a, b, label) for pairs; `labels` are
    the test digits (a, b for pairs), for the diagnostics."""

    train: tuple
    test: tuple
    labels: tuple


@dataclass(frozen=True)
class Spec:
    family: str
    kind: str                  # "image" (L1 loss, PSNR) or "pair" (cross-entropy, accuracy)
    programs: tuple            # the Cajal sources linked
    variants: tuple
    epochs: int                # of the main run (the original's)
    lr: float                  # the main run: the original's first grid point
    batch: int
    lrs: tuple
    batches: tuple
    dense_until: int           # evaluate every `dense_every` steps up to here, then every 100
    dense_every: int
    seeds_original: str        # what the original ran, for the docs
    make_targets: Callable     # make_targets(x, y) -> targets (image) or labels (pair)

    def variant(self, name: str) -> Variant:
        return next(v for v in self.variants if v.name == name)

    def evaluations(self, steps: int) -> list[int]:
        """0, then every `dense_every` steps up to `dense_until`, then every 100, and the last step."""
        points = {0, steps}
        points.update(range(self.dense_every, min(self.dense_until, steps) + 1, self.dense_every))
        points.update(range(100 * (self.dense_until // 100 + 1), steps + 1, 100))
        return sorted(points)

    def task(self, digits: Digits) -> Task:
        if self.kind == "image":
            return Task(train=(digits.train_x, self.make_targets(digits.train_x, digits.train_y)),
                        test=(digits.test_x, self.make_targets(digits.test_x, digits.test_y)),
                        labels=(digits.test_y,))
        (a, b, la, lb), (ta, tb, tla, tlb) = halves(digits.train_x, digits.train_y), halves(digits.test_x, digits.test_y)
        return Task(train=(a, b, self.make_targets(la, lb)), test=(ta, tb, self.make_targets(tla, tlb)), labels=(tla, tlb))


def halves(x: torch.Tensor, y: torch.Tensor):
    """The original's pairs: the first half of the images with the second half."""
    h = len(x) // 2
    return x[:h], x[h:2 * h], y[:h], y[h:2 * h]


# ------------------------------------------------------------------ tasks


def dilate_targets(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """n = label steps of x ← lerp(x, dilate(x), 0.7), on the normalised image (dataset_dilate.py)."""
    return D.dilation_targets(x, y)


def dilate_cond_targets(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Odd digits dilated `label` times, even digits kept (dataset_dilate_cond.py)."""
    return D.dilate_cond_targets(x, y)


def blur_targets(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """`label` Gaussian blurs, 13×13, σ = 1, reflect padding (dataset_blur.py)."""
    return D.blur_targets(x, y)


def and_labels(la: torch.Tensor, lb: torch.Tensor) -> torch.Tensor:
    """Class 1 when both digits are even (dataset_and.py)."""
    return ((la % 2 == 0) & (lb % 2 == 0)).long()


def eq_labels(la: torch.Tensor, lb: torch.Tensor) -> torch.Tensor:
    """Class 1 when the digits have the same parity (dataset_eq.py)."""
    return ((la % 2) == (lb % 2)).long()


# ------------------------------------------------------------------ metrics


def psnr(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Per-image PSNR as torcheval's `peak_signal_noise_ratio` computes it on one image: data
    range = that target's max − min, 10·log10(range² / MSE). (B,) in dB."""
    t, p = target.flatten(1), pred.flatten(1)
    data_range = t.max(1).values - t.min(1).values
    mse = ((p - t) ** 2).mean(1)
    return 10 * torch.log10(data_range ** 2 / mse)


def loss(kind: str, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return F.l1_loss(out, target) if kind == "image" else F.cross_entropy(out, target)


def count_accuracy(model, x: torch.Tensor, labels: torch.Tensor) -> float | None:
    """How often the count network's largest logit is the digit (a diagnostic: the count is
    never trained on the label); None for models without one."""
    count = getattr(model, "count", None)
    if count is None:
        return None
    return float((count(x).argmax(1) == labels).float().mean())


# ------------------------------------------------------------------ variants


@cache
def definitions() -> dict:
    """The compiled Cajal definitions of every family, by Python name (made once per process)."""
    out = {}
    for name in ("dilate", "dilate_cond", "blur", "and", "church_and", "eq"):
        out.update(P.load(name))
    return out


def _d(name):
    return lambda defs: defs[name]


def _variants(*vs) -> tuple:
    return tuple(Variant(*v) for v in vs)


SPECS = {
    "dilate": Spec(
        "dilate", "image", (P.DILATE,), _variants(
            (LINKED, lambda d: O.LinkedIter(d["dilate"], O.HyperStep()), True, "dilate/model_direct.py",
             "count CNN (raw logits) and a hypernetwork step, linked to the compiled `dilate`"),
            (PLAIN, lambda d: O.PlainCNN(), False, "dilate/model_indirect.py", "3 × Conv 13×13, −1 padding"),
            ("direct_simple", lambda d: O.LinkedIter(d["dilate"], O.ConvStep()), True,
             "dilate/model_direct_simple.py", "the linked model with one learned Conv2d(1,1,13) as its step"),
            ("type-preserving", lambda d: O.TypePreservingIter(), True, "dilate/model_type.py",
             "count CNN, then Linear(7840 → 784) on kron(image, count)")),
        epochs=10, lr=1e-3, batch=32, lrs=LRS, batches=BATCHES, dense_until=200, dense_every=20,
        seeds_original="seeds 3–9 (linked), 10 (others)", make_targets=dilate_targets),
    "dilate_cond": Spec(
        "dilate_cond", "image", (P.DILATE_COND,), _variants(
            (LINKED, lambda d: O.LinkedCondIter(d["dilate_cond1"], O.HyperStep()), True,
             "dilate_cond/model_direct.py", "parity MLP, count CNN, hypernetwork step, compiled `dilate_cond`"),
            (PLAIN, lambda d: O.PlainCNN(), False, "dilate_cond/model_indirect.py", "3 × Conv 13×13, −1 padding"),
            ("type-preserving", lambda d: O.TypePreservingCondIter(), True, "dilate_cond/model_type.py",
             "parity MLP, count CNN, Linear(15680 → 784) on kron(kron(image, count), parity)")),
        epochs=10, lr=1e-3, batch=32, lrs=LRS, batches=BATCHES, dense_until=200, dense_every=20,
        seeds_original="10 seeds", make_targets=dilate_cond_targets),
    "blur": Spec(
        "blur", "image", (P.BLUR,), _variants(
            (LINKED, lambda d: O.LinkedIter(d["blur"], O.HyperStep(tanh=False, scale=0.1)), True,
             "blur/model_direct.py", "count CNN and a hypernetwork kernel × 0.1, compiled `blur`"),
            (PLAIN, lambda d: O.PlainCNN(), False, "blur/model_indirect.py", "3 × Conv 13×13, −1 padding")),
        epochs=10, lr=1e-3, batch=32, lrs=LRS, batches=BATCHES, dense_until=0, dense_every=100,
        seeds_original="1 seed; linked: batch 64, lr 1e-4, 20 epochs; plain: batch 32, lr 1e-3, 5 epochs",
        make_targets=blur_targets),
    "and": Spec(
        "and", "pair", (P.AND, P.CHURCH_AND), _variants(
            (LINKED, lambda d: O.LinkedPair(d["and_"] if "and_" in d else d["and"]), True, "and/model_direct.py",
             "two MLPs 784-400-2 (raw logits), compiled `and`"),
            (PLAIN, lambda d: O.PlainPair(), False, "and/model_indirect.py", "MLP 1568-400-2"),
            ("type-preserving", lambda d: O.TypePreservingPair(), True, "and/model_type.py",
             "two MLPs, Linear(4 → 2) on the kron of their logits"),
            ("church", lambda d: O.LinkedPair(d["and_church"], out=8, names=("f", "r")), True, "and/model_church.py",
             "two MLPs 784-400-8, each an arbitrary Church boolean, compiled Church `and`")),
        epochs=5, lr=1e-3, batch=64, lrs=PAIR_LRS, batches=PAIR_BATCHES, dense_until=300, dense_every=10,
        seeds_original="10 seeds (Church: 5)", make_targets=and_labels),
    "eq": Spec(
        "eq", "pair", (P.EQ,), _variants(
            (LINKED, lambda d: O.LinkedPair(d["eq"]), True, "eq/model_direct.py",
             "two MLPs 784-400-2 (raw logits), compiled `eq`"),
            (PLAIN, lambda d: O.PlainPair(), False, "eq/model_indirect.py", "MLP 1568-400-2"),
            ("type-preserving", lambda d: O.TypePreservingPair(), True, "eq/model_type.py",
             "two MLPs, Linear(4 → 2) on the kron of their logits")),
        epochs=5, lr=1e-3, batch=64, lrs=PAIR_LRS, batches=PAIR_BATCHES, dense_until=300, dense_every=10,
        seeds_original="10 seeds", make_targets=eq_labels),
}
ORDER = tuple(SPECS)


def steps_per_epoch(n: int, batch: int) -> int:
    """A DataLoader with shuffle and the last partial batch kept."""
    return math.ceil(n / batch)
