"""Hypothesis strategies of well-typed Cajal terms, for the tests of every stage.

The terms come from the package's generator, `cajal.generate` (type-directed: every term it
yields type-checks, nothing is filtered; its docstring says what it generates). Here
hypothesis draws the generator's byte string of choices, so a failing term shrinks towards the
smallest one of its type.

API (import with `from strategies import ...` inside tests/):

    types(max_depth=2)                      -> strategy of Types: 𝟚, ℕ and arrows of them
    typed_terms(ty=None, ctx=None, max_depth=4)
                                            -> strategy of (term, type, ctx); ctx maps every
                                               free variable of term to its Type, each used
                                               exactly once (ctx=None draws a small context,
                                               ctx={} gives closed terms)
    closed_terms(ty=None, max_depth=4)      -> strategy of (term, type), term closed
    values(ty)                              -> strategy of Python values of type ty: bool for
                                               𝟚, a small int for ℕ, a Closure for arrows
    value_has_type(v, ty)                   -> whether an evaluator value has type ty
    evaluate_below(term, n)                 -> (value, fits): the evaluator's value, and whether
                                               no natural ≥ n appeared on the way (the hypothesis
                                               of the compiler's correctness theorem); a numeral
                                               ≥ n must be refused by the compiler
    numerals(term)                          -> the numerals in a term
    holed_terms(ctx=None, max_depth=3)      -> strategy of (holed, type, ctx, original, target):
                                               a typed term `original` whose sub-term `target`
                                               (one of its nodes) is replaced in `holed` by the
                                               typed hole `?h` (LANGUAGE.md section 10)
    replace_subterm(term, target, by)       -> term with its node `target` replaced by `by`
"""

from __future__ import annotations

import dataclasses
import functools
from contextlib import contextmanager
from typing import Optional

import pytest
from hypothesis import strategies as st

from cajal import CajalError
from cajal import evaluation as _evaluator
from cajal.compiler import compile
from cajal.generate import CHOICE_BYTES, MAX_NUMERAL, term_from_choices
from cajal.syntax import BOOL, CHILD_FIELDS, NAT, Arrow, BoolType, Hole, Nat, NatType, Type, children

__all__ = ["types", "typed_terms", "closed_terms", "values", "value_has_type", "evaluate_below", "numerals", "MAX_NUMERAL"]


_BASE = (BOOL, NAT)


@functools.lru_cache(maxsize=None)
def types(max_depth: int = 2) -> st.SearchStrategy[Type]:
    """Types 𝟚, ℕ and arrows between them, nested at most `max_depth` deep."""
    if max_depth <= 0:
        return st.sampled_from(_BASE)
    smaller = types(max_depth - 1)
    return st.one_of(st.sampled_from(_BASE), st.builds(Arrow, smaller, smaller))


_CHOICES = st.binary(min_size=CHOICE_BYTES, max_size=CHOICE_BYTES)


@st.composite
def typed_terms(draw, ty: Optional[Type] = None, ctx: Optional[dict] = None, max_depth: int = 4):
    """`(term, type, ctx)`: a term of `type` whose free variables are exactly `ctx`, each used
    once. `ty=None` draws a type; `ctx=None` draws a context of 0..3 variables."""
    return term_from_choices(draw(_CHOICES), ty, ctx, max_depth)


def closed_terms(ty: Optional[Type] = None, max_depth: int = 4):
    """`(term, type)` with term closed and of that type."""
    return typed_terms(ty, {}, max_depth).map(lambda t: (t[0], t[1]))


def values(ty: Type) -> st.SearchStrategy:
    """Python values of type `ty`: bool for 𝟚, an int in 0..5 for ℕ, and for a function type
    the Closure of a generated closed term."""
    if isinstance(ty, BoolType):
        return st.booleans()
    if isinstance(ty, NatType):
        return st.integers(0, MAX_NUMERAL)
    if isinstance(ty, Arrow):
        from cajal.evaluation import evaluate
        return closed_terms(ty, max_depth=2).map(lambda t: evaluate(t[0]))
    raise ValueError(f"no values are generated for {ty!r}")


def value_has_type(v, ty: Type) -> bool:
    """Whether the evaluator value `v` has type `ty` (closures are re-checked as terms)."""
    from cajal.types import typecheck
    from cajal.values import Closure, value_term
    if ty == BOOL:
        return isinstance(v, bool)
    if ty == NAT:
        return isinstance(v, int) and not isinstance(v, bool) and v >= 0
    if isinstance(ty, Arrow):
        return isinstance(v, Closure) and typecheck(value_term(v)) == ty
    return False


@contextmanager
def _watch_naturals():
    """Run the real evaluator, noting the largest natural it produces (iter counts and succ)."""
    seen = [0]
    original = _evaluator._nat

    def nat(v, term):
        n = original(v, term)
        seen[0] = max(seen[0], n + 1)
        return n

    _evaluator._nat = nat
    try:
        yield seen
    finally:
        _evaluator._nat = original


def numerals(term):
    """The numerals in a term."""
    if isinstance(term, Nat):
        yield term.value
    for child in children(term):
        yield from numerals(child)


def evaluate_below(term, n):
    """The value of a term, and whether no natural ≥ n appears on the way (the theorem's
    hypothesis). A numeral ≥ n must be refused by the compiler: that is checked here too."""
    if max(numerals(term), default=0) >= n:
        with pytest.raises(CajalError, match="nat_dim"):
            compile(term, nat_dim=n)
        return None, False
    with _watch_naturals() as seen:
        v = _evaluator.evaluate(term)
    return v, seen[0] < n


def replace_subterm(term, target, by):
    """`term` with its node `target` (found by identity) replaced by `by`; the parts that do
    not contain it are shared."""
    if term is target:
        return by
    fields = CHILD_FIELDS.get(type(term), ())
    new = {name: replace_subterm(getattr(term, name), target, by) for name in fields}
    if all(new[name] is getattr(term, name) for name in fields):
        return term
    return dataclasses.replace(term, **new)


def _nodes(term):
    found, stack = [], [term]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(children(node))
    return found


@st.composite
def holed_terms(draw, ctx: Optional[dict] = None, max_depth: int = 3):
    """(holed, type, ctx, original, target): `original` with its sub-term `target` replaced by
    the hole `?h`."""
    original, ty, ctx = draw(typed_terms(None, ctx, max_depth))
    target = draw(st.sampled_from(_nodes(original)))
    return replace_subterm(original, target, Hole("h")), ty, ctx, original, target
