"""A *family*: one task, its Cajal program, its model variants and its settings.

A new family is one module in `families/` that builds a `Family`, plus one notebook that runs
it (the notebooks are all the same shape: the program in a `%%cajal` cell, a check that the
compiled program computes the task exactly, the sweep, the plots and the summary).

Variants (the same names in every family):
- **direct**: a plain network from the input(s) to the output; no program.
- **direct_simple**: the simplest plain network (a one-hidden-layer MLP).
- **indirect**: networks predict the program's *inputs* — a soft count (a distribution over
  ℕ), soft booleans (distributions over 𝟚), a learned step — and the compiled Cajal program
  computes the output from them. Trained end to end on the output only, like `direct`.
- **type-preserving**: the same networks and typed values as `indirect`, but the program's
  body is replaced by a learned map of the same type (it isolates what the program adds beyond
  the typed interface).
- **Church-encoded** (`and` only): `indirect` with the booleans Church-encoded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .runs import Settings


@dataclass(frozen=True)
class Task:
    """Training tensors (on the device), test tensors, and the score of a model on the test set."""

    train: tuple
    test: tuple
    score: Callable  # score(model, *test) -> {metric: float}
    truth: dict = field(default_factory=dict)  # the test set's hidden facts (digits, parities)

    def evaluate(self, model) -> dict:
        return self.score(model, *self.test)


@dataclass(frozen=True)
class Family:
    name: str            # as in the original code: dilate, dilate_cond, blur, and, eq
    programs: tuple      # the Cajal sources linked (the notebook's %%cajal cells, in order)
    metric: str          # the score's key in `Task.score` (higher is better)
    unit: str
    quick: Settings
    full: Settings
    make_task: Callable  # make_task(digits, settings, device) -> Task
    make_variants: Callable  # make_variants(**definitions) -> [Variant]
    literals: tuple = ()  # the original programs that Cajal rejects (not linear), shown failing
    claim_variant: str = "indirect"
    baseline: str = "direct"

    def settings(self, quick: bool) -> Settings:
        return self.quick if quick else self.full
