"""`blur`: Gaussian-blur an image n times (13×13, σ = 1), n read off the digit."""

from __future__ import annotations

from .. import data as D
from .. import models as M
from .. import programs
from ..family import Family
from ..runs import Settings, Variant
from .common import image_task, mse

# The learned step is a 7×7 linear convolution: the 13×13 Gaussian with σ = 1 puts all but
# ~0.1% of its mass inside the central 7×7, and a 13×13 kernel's weight gradient costs ~4× more
# on a CPU (benchmarks/bench_train.py).
STEP_SIZE = 7


def make_task(digits, settings, device):
    return image_task(digits, D.blur_targets, settings, device)


def make_variants(blur) -> list[Variant]:
    return [
        Variant("direct", M.ImageCNN, mse, "C3", "a plain residual CNN, image → image"),
        Variant("indirect", lambda: M.LinkedIter(blur, M.LinearStep(STEP_SIZE)), mse, "C0",
                f"count CNN → soft ℕ, a learned {STEP_SIZE}×{STEP_SIZE} linear step, compiled `blur`"),
    ]


FAMILY = Family(
    name="blur", title="Learning to iterate a blur",
    task_text="a digit of class n, Gaussian-blurred n times (13×13, σ = 1, reflect padding)",
    programs=(programs.BLUR,), metric="psnr", unit="dB",
    quick=Settings(seeds=2, steps=40, eval_every=20, sizes=(60,), sweep_steps=20, test=128),
    full=Settings(seeds=5, steps=200, eval_every=20, sizes=(50, 200), sweep_steps=100, test=192),
    make_task=make_task, make_variants=make_variants)
