"""`dilate`: dilate an image n times, n read off the digit (the paper's first experiment)."""

from __future__ import annotations

from .. import data as D
from .. import models as M
from .. import programs
from ..family import Family
from ..runs import Settings, Variant
from .common import image_task, mse


def make_task(digits, settings, device):
    return image_task(digits, D.dilation_targets, settings, device)


def make_variants(dilate) -> list[Variant]:
    return [
        Variant("direct", M.ImageCNN, mse, "C3", "a plain residual CNN, image → image"),
        Variant("direct_simple", M.ImageMLP, mse, "C1", "a plain MLP with a skip, image → image"),
        Variant("indirect", lambda: M.LinkedIter(dilate, M.ConvStep()), mse, "C0",
                "count CNN → soft ℕ, learned step, compiled `dilate`"),
        Variant("type-preserving", lambda: M.LearnedIter(M.ConvStep()), mse, "C2",
                "the same soft ℕ and step; the iteration replaced by learned maps"),
    ]


FAMILY = Family(
    name="dilate", title="Learning to iterate a dilation",
    task_text="a digit of class n, dilated n times (x ← lerp(x, dilate(x), 0.7), vertical 3-pixel element)",
    programs=(programs.DILATE,), metric="psnr", unit="dB",
    quick=Settings(seeds=2, steps=40, eval_every=20, sizes=(60,), sweep_steps=20, test=128),
    full=Settings(seeds=5, steps=200, eval_every=20, sizes=(50, 200), sweep_steps=100, test=192),
    make_task=make_task, make_variants=make_variants)
