"""`and`: the AND of two digits' parities (odd ∧ odd)."""

from __future__ import annotations

from .. import models as M
from .. import programs
from ..runs import Variant
from .common import DIRECT_PAIR, nll, pair_family


def make_variants(and_, and_church) -> list[Variant]:
    return [
        DIRECT_PAIR,
        Variant("indirect", lambda: M.LinkedBool2(and_), nll, "C0",
                "one parity CNN on each image → two soft 𝟚, compiled `and`"),
        Variant("type-preserving", M.LearnedBool2, nll, "C2",
                "the same soft 𝟚s; `and` replaced by a learned map 𝟚 ⊸ 𝟚 ⊸ 𝟚"),
        Variant("Church-encoded", lambda: M.LinkedBool2(and_church), nll, "C4",
                "as indirect, through the Church-encoded `and`"),
    ]


FAMILY = pair_family("and", lambda odd_a, odd_b: odd_a & odd_b, programs=(programs.AND, programs.CHURCH),
                     literals=(programs.AND_LITERAL, programs.CHURCH_LITERAL), make_variants=make_variants)
