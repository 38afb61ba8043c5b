"""What the families share: the two kinds of task — image → image, scored by PSNR, and a pair
of images → 𝟚, scored by balanced accuracy — with their losses, plain baselines and settings."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from .. import data as D
from .. import models as M
from ..family import Family, Task
from ..runs import Settings, Variant
from ..train import bool_balanced_accuracy, bool_nll, mean_psnr

PAIRS = 2000  # training pairs of the 𝟚 families (drawn from the training images)

IMAGE_QUICK = Settings(seeds=2, steps=40, eval_every=20, sizes=(60,), sweep_steps=20, test=128)
IMAGE_FULL = Settings(seeds=5, steps=200, eval_every=20, sizes=(50, 200), sweep_steps=100, test=192)
PAIR_QUICK = Settings(seeds=2, steps=40, eval_every=20, sizes=(100,), sweep_steps=20, test=256)
PAIR_FULL = Settings(seeds=5, steps=200, eval_every=20, sizes=(50, 200), sweep_steps=100, test=400)


def mse(model, x, target):
    return F.mse_loss(model(x), target)


def nll(model, a, b, target):
    return bool_nll(model(a, b), target)


DIRECT_IMAGE = Variant("direct", M.ImageCNN, mse, "C3", "a plain residual CNN, image → image")
DIRECT_PAIR = Variant("direct", M.PairCNN, nll, "C3", "a plain CNN on the two images side by side")


def _to(device, *tensors) -> tuple:
    return tuple(t.to(device) for t in tensors)


def image_task(targets: Callable, digits: D.Digits, settings, device) -> Task:
    """Images and `targets(images, labels)`; the score is the test PSNR (dB)."""
    x, y = digits.train_x, digits.train_y
    tx, ty = digits.test_x[: settings.test], digits.test_y[: settings.test]
    return Task(train=_to(device, x, targets(x, y)), test=_to(device, tx, targets(tx, ty)),
                score=lambda model, a, t: {"psnr": mean_psnr(model(a), t)}, truth={"digit": ty.to(device)})


def pair_task(label: Callable, digits: D.Digits, settings, device, pairs: int = PAIRS) -> Task:
    """Pairs of images labelled with `label(odd_a, odd_b)`; the score is the balanced test
    accuracy (the mean of the accuracies on true and on false pairs: a constant answer scores
    0.5 however unbalanced the labels are)."""
    a, b, pa, pb = D.digit_pairs(digits.train_x, digits.train_y, pairs, seed=0)
    ta, tb, tpa, tpb = D.digit_pairs(digits.test_x, digits.test_y, settings.test, seed=1)
    return Task(train=_to(device, a, b, label(pa, pb)), test=_to(device, ta, tb, label(tpa, tpb)),
                score=lambda model, a, b, t: {"bacc": bool_balanced_accuracy(model(a, b), t)},
                truth={"odd_a": tpa.to(device), "odd_b": tpb.to(device)})


def image_family(name: str, targets: Callable, **kw) -> Family:
    """A family whose task maps an image to `targets(image, digit)`."""
    return Family(name=name, metric="psnr", unit="dB", quick=IMAGE_QUICK, full=IMAGE_FULL,
                  make_task=lambda digits, settings, device: image_task(targets, digits, settings, device), **kw)


def pair_family(name: str, label: Callable, **kw) -> Family:
    """A family whose task maps two digit images to `label(odd_a, odd_b)`."""
    return Family(name=name, metric="bacc", unit="", quick=PAIR_QUICK, full=PAIR_FULL,
                  make_task=lambda digits, settings, device: pair_task(label, digits, settings, device), **kw)


def true_bools(t: torch.Tensor) -> torch.Tensor:
    """Bool tensor → one-hot 𝟚 (index 0 = tt)."""
    return F.one_hot((~t).long(), 2).float()
