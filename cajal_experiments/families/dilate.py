"""`dilate`: dilate an image n times, n read off the digit (the paper's first experiment)."""

from __future__ import annotations

from .. import data as D
from .. import models as M
from .. import programs
from ..runs import Variant
from .common import DIRECT_IMAGE, image_family, mse


def make_variants(dilate) -> list[Variant]:
    return [
        DIRECT_IMAGE,
        Variant("direct_simple", M.ImageMLP, mse, "C1", "a plain MLP with a skip, image → image"),
        Variant("indirect", lambda: M.LinkedIter(dilate, M.ConvStep()), mse, "C0",
                "count CNN → soft ℕ, learned step, compiled `dilate`"),
        Variant("type-preserving", lambda: M.LearnedIter(M.ConvStep()), mse, "C2",
                "the same soft ℕ and step; the iteration replaced by learned maps"),
    ]


FAMILY = image_family("dilate", D.dilation_targets, programs=(programs.DILATE,), make_variants=make_variants)
