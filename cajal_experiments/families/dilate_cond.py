"""`dilate_cond`: if the digit is even keep the image, else dilate it n times."""

from __future__ import annotations

from .. import data as D
from .. import models as M
from .. import programs
from ..runs import Variant
from .common import DIRECT_IMAGE, image_family, mse


def make_variants(dilate_cond1) -> list[Variant]:
    return [
        DIRECT_IMAGE,
        Variant("indirect", lambda: M.LinkedCondIter(dilate_cond1, M.ConvStep()), mse, "C0",
                "parity CNN → soft 𝟚, count CNN → soft ℕ, learned step, compiled `dilate_cond`"),
        Variant("type-preserving", lambda: M.LearnedCondIter(M.ConvStep()), mse, "C2",
                "the same soft 𝟚, soft ℕ and step; the body replaced by learned maps"),
    ]


FAMILY = image_family("dilate_cond", D.dilate_cond_targets, programs=(programs.DILATE_COND,),
                      literals=(programs.DILATE_COND_LITERAL,), make_variants=make_variants)
