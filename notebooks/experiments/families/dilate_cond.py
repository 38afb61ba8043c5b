"""`dilate_cond`: if the digit is even keep the image, else dilate it n times."""

from __future__ import annotations

from .. import data as D
from .. import models as M
from .. import programs
from ..family import Family
from ..runs import Settings, Variant
from .common import image_task, mse


def make_task(digits, settings, device):
    return image_task(digits, D.dilate_cond_targets, settings, device)


def make_variants(dilate_cond1) -> list[Variant]:
    return [
        Variant("direct", M.ImageCNN, mse, "C3", "a plain residual CNN, image → image"),
        Variant("indirect", lambda: M.LinkedCondIter(dilate_cond1, M.ConvStep()), mse, "C0",
                "parity CNN → soft 𝟚, count CNN → soft ℕ, learned step, compiled `dilate_cond`"),
        Variant("type-preserving", lambda: M.LearnedCondIter(M.ConvStep()), mse, "C2",
                "the same soft 𝟚, soft ℕ and step; the body replaced by learned maps"),
    ]


FAMILY = Family(
    name="dilate_cond", title="A conditional around an iteration",
    task_text="an even digit unchanged; an odd digit n dilated n times",
    programs=(programs.DILATE_COND,), literals=(programs.DILATE_COND_LITERAL,), metric="psnr", unit="dB",
    quick=Settings(seeds=2, steps=40, eval_every=20, sizes=(60,), sweep_steps=20, test=128),
    full=Settings(seeds=5, steps=200, eval_every=20, sizes=(50, 200), sweep_steps=100, test=192),
    make_task=make_task, make_variants=make_variants)
