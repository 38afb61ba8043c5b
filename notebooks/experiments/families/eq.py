"""`eq`: whether two digits have the same parity."""

from __future__ import annotations

from .. import models as M
from .. import programs
from ..family import Family
from ..runs import Settings, Variant
from .common import nll, pair_task


def make_task(digits, settings, device):
    return pair_task(digits, lambda pa, pb: pa == pb, settings, device)


def make_variants(eq) -> list[Variant]:
    return [
        Variant("direct", M.PairCNN, nll, "C3", "a plain CNN on the two images side by side"),
        Variant("indirect", lambda: M.LinkedBool2(eq), nll, "C0",
                "one parity CNN on each image → two soft 𝟚, compiled `eq`"),
        Variant("type-preserving", M.LearnedBool2, nll, "C2",
                "the same soft 𝟚s; `eq` replaced by a learned map 𝟚 ⊸ 𝟚 ⊸ 𝟚"),
    ]


FAMILY = Family(
    name="eq", title="Equality of two parities",
    task_text="odd(a) = odd(b) for two digit images a, b (about half are true)",
    programs=(programs.EQ,), metric="bacc", unit="",
    quick=Settings(seeds=2, steps=40, eval_every=20, sizes=(100,), sweep_steps=20, test=256),
    full=Settings(seeds=5, steps=200, eval_every=20, sizes=(50, 200), sweep_steps=100, test=400),
    make_task=make_task, make_variants=make_variants)
