"""`blur`: Gaussian-blur an image n times (13×13, σ = 1), n read off the digit."""

from __future__ import annotations

from .. import data as D
from .. import models as M
from .. import programs
from ..runs import Variant
from .common import DIRECT_IMAGE, image_family, mse

# The learned step is a 7×7 linear convolution: the 13×13 Gaussian with σ = 1 puts all but
# ~0.1% of its mass inside the central 7×7, and a 13×13 kernel's weight gradient costs ~4× more
# on a CPU.
STEP_SIZE = 7


def make_variants(blur) -> list[Variant]:
    return [
        DIRECT_IMAGE,
        Variant("indirect", lambda: M.LinkedIter(blur, M.LinearStep(STEP_SIZE)), mse, "C0",
                f"count CNN → soft ℕ, a learned {STEP_SIZE}×{STEP_SIZE} linear step, compiled `blur`"),
    ]


FAMILY = image_family("blur", D.blur_targets, programs=(programs.BLUR,), make_variants=make_variants)
