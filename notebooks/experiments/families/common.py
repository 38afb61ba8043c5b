"""The two kinds of task the families share: image → image (PSNR) and a pair of images → 𝟚
(accuracy), with their losses."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from .. import data as D
from ..family import Task
from ..train import bool_balanced_accuracy, bool_nll, mean_psnr

PAIRS = 2000  # training pairs of the 𝟚 families (drawn from the training images)


def mse(model, x, target):
    return F.mse_loss(model(x), target)


def nll(model, a, b, target):
    return bool_nll(model(a, b), target)


def image_task(digits: D.Digits, targets: Callable, settings, device) -> Task:
    """Images and `targets(images, labels)`; the score is the test PSNR (dB)."""
    x, y = digits.train_x, digits.train_y
    tx, ty = digits.test_x[: settings.test], digits.test_y[: settings.test]
    to = lambda *ts: tuple(t.to(device) for t in ts)
    return Task(train=to(x, targets(x, y)), test=to(tx, targets(tx, ty)),
                score=lambda model, a, t: {"psnr": mean_psnr(model(a), t)}, truth={"digit": ty.to(device)})


def pair_task(digits: D.Digits, label: Callable, settings, device, pairs: int = PAIRS) -> Task:
    """Pairs of images labelled with `label(odd_a, odd_b)`; the score is the balanced test
    accuracy (the mean of the accuracies on true and on false pairs: a constant answer scores
    0.5 however unbalanced the labels are)."""
    a, b, pa, pb = D.digit_pairs(digits.train_x, digits.train_y, pairs, seed=0)
    ta, tb, tpa, tpb = D.digit_pairs(digits.test_x, digits.test_y, settings.test, seed=1)
    to = lambda *ts: tuple(t.to(device) for t in ts)
    return Task(train=to(a, b, label(pa, pb)), test=to(ta, tb, label(tpa, tpb)),
                score=lambda model, a, b, t: {"bacc": bool_balanced_accuracy(model(a, b), t)},
                truth={"odd_a": tpa.to(device), "odd_b": tpb.to(device)})


def true_bools(t: torch.Tensor) -> torch.Tensor:
    """Bool tensor → one-hot 𝟚 (index 0 = tt)."""
    return F.one_hot((~t).long(), 2).float()
