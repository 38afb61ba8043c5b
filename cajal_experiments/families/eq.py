"""`eq`: whether two digits have the same parity."""

from __future__ import annotations

from .. import models as M
from .. import programs
from ..runs import Variant
from .common import DIRECT_PAIR, nll, pair_family


def make_variants(eq) -> list[Variant]:
    return [
        DIRECT_PAIR,
        Variant("indirect", lambda: M.LinkedBool2(eq), nll, "C0",
                "one parity CNN on each image → two soft 𝟚, compiled `eq`"),
        Variant("type-preserving", M.LearnedBool2, nll, "C2",
                "the same soft 𝟚s; `eq` replaced by a learned map 𝟚 ⊸ 𝟚 ⊸ 𝟚"),
    ]


FAMILY = pair_family("eq", lambda odd_a, odd_b: odd_a == odd_b, programs=(programs.EQ,), make_variants=make_variants)
