"""Hypothesis generators of well-typed Cajal terms, for the tests of every stage.

The generator is type-directed: it is asked for a term of a type τ that uses the variables
of a context Δ exactly once each, and it splits Δ between the sub-terms by construction
(Δ₁ ∘ Δ₂ for application, `let` and `if`, Δ₁ ∘ Δ₂ ∘ Δ₃ for `iter`, where Δ₃ is captured by the
step), so every term it yields type-checks at its type; nothing is filtered.

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

What is generated: terms of every type, with higher-order arguments, `if` and `iter` on
functions, `let`, `succ`, numerals, and `iter` nested in base, step and count position, with
steps that capture free variables (Δ₃: booleans and functions; a captured natural could make
values grow exponentially). Numerals are 0..5 (`succ` is built with `syntax.succ`, so closed
naturals stay one `Nat` and may exceed 5); an `iter` whose type mentions ℕ counts a small
closed term or adds a variable, so values stay small and evaluation fast: values can still
exceed a `nat_dim` of 10 now and then. The nesting depth is drawn from 0..max_depth (plus
the few levels needed to use up the context). Every node is a fresh object (so `id()`-keyed
checker tables are unambiguous), and bound names are fresh (`b1`, `n2`, `f3`: no shadowing;
a drawn context uses x, y, z, p, q). Abstract types are refused (they have no values).
Choices come from one byte string, so hypothesis shrinks a failing term towards the
smallest one of its type.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from typing import Optional

import pytest
from hypothesis import strategies as st

from cajal import CajalError
from cajal import evaluation as _evaluator
from cajal.compiler import compile
from cajal.syntax import (
    BOOL, NAT, App, Arrow, BoolLit, BoolType, If, Iter, Lam, Let, Nat, NatType, Term, Type,
    Var, abstract_names, children, succ,
)

__all__ = ["types", "typed_terms", "closed_terms", "values", "value_has_type", "evaluate_below", "numerals", "MAX_NUMERAL"]


MAX_NUMERAL = 5  # numerals are 0..MAX_NUMERAL

_BASE = (BOOL, NAT)


@functools.lru_cache(maxsize=None)
def types(max_depth: int = 2) -> st.SearchStrategy[Type]:
    """Types 𝟚, ℕ and arrows between them, nested at most `max_depth` deep."""
    if max_depth <= 0:
        return st.sampled_from(_BASE)
    smaller = types(max_depth - 1)
    return st.one_of(st.sampled_from(_BASE), st.builds(Arrow, smaller, smaller))


# ---------------------------------------------------------------- the generator


def _has_nat(t: Type) -> bool:
    if isinstance(t, Arrow):
        return _has_nat(t.dom) or _has_nat(t.cod)
    return t == NAT


class _Gen:
    """One term's generation. Every choice is read from one byte string that hypothesis draws
    at once (much cheaper than a draw per choice); a zero byte is always the simplest choice,
    so hypothesis shrinks terms by shrinking the bytes."""

    def __init__(self, choices: bytes, taken: set[str]):
        self.choices = choices
        self.index = 0
        self.taken = set(taken)
        self.counter = 0

    def pick(self, n: int) -> int:
        """A choice in range(n)."""
        if n <= 1:
            return 0
        i = self.index
        self.index += 1
        if i >= len(self.choices):
            return 0
        return self.choices[i] % n

    def choose(self, options):
        return options[self.pick(len(options))]

    def fresh(self, ty: Type) -> str:
        prefix = "b" if ty == BOOL else "n" if ty == NAT else "f"
        while True:
            self.counter += 1
            name = f"{prefix}{self.counter}"
            if name not in self.taken:
                self.taken.add(name)
                return name

    def type(self, depth: int) -> Type:
        """Like `types(depth)`, drawn with the generator's own choices (cheaper)."""
        if depth <= 0 or self.pick(2) == 0:
            return _BASE[self.pick(2)]
        return Arrow(self.type(depth - 1), self.type(depth - 1))

    def small_type(self) -> Type:
        """A type for an intermediate value (argument, let-bound, ...): mostly base types."""
        k = self.pick(6)
        if k < 2:
            return BOOL
        if k < 4:
            return NAT
        return Arrow(self.choose(_BASE), self.choose(_BASE))

    def split(self, ctx: dict[str, Type], parts: int) -> list[dict[str, Type]]:
        """A random partition of `ctx` into `parts` disjoint contexts (Δ = Δ₁ ∘ … ∘ Δₙ)."""
        out: list[dict[str, Type]] = [{} for _ in range(parts)]
        for name, t in ctx.items():
            out[self.pick(parts)][name] = t
        return out

    # -- the recursive generator: a term of type `ty` using each variable of `ctx` once

    def term(self, ty: Type, ctx: dict[str, Type], depth: int) -> Term:
        if depth <= 0:
            return self.finish(ty, ctx)
        options = []
        if len(ctx) == 1 and next(iter(ctx.values())) == ty:
            options += ["var"] * 3
        if not ctx and ty in _BASE:
            options += ["lit"] * 2
        if isinstance(ty, Arrow):
            options += ["lam"] * 3
        if ty == NAT:
            options += ["succ"]
        if ctx:
            options += ["elim"] * 2
        options += ["app", "if", "let", "iter"]
        rule = self.choose(options)
        d = depth - 1
        if rule == "var":
            return Var(next(iter(ctx)))
        if rule == "lit":
            return self.literal(ty)
        if rule == "lam":
            name = self.fresh(ty.dom)
            return Lam(name, ty.dom, self.term(ty.cod, {**ctx, name: ty.dom}, d))
        if rule == "succ":
            return succ(self.term(NAT, ctx, d))
        if rule == "elim":
            names = list(ctx)
            x = names[self.pick(len(names))]
            rest = {k: v for k, v in ctx.items() if k != x}
            return self.eliminate(x, ctx[x], ty, rest, d)
        if rule == "app":
            a = self.small_type()
            c1, c2 = self.split(ctx, 2)
            return App(self.term(Arrow(a, ty), c1, d), self.term(a, c2, d))
        if rule == "if":
            c1, c2 = self.split(ctx, 2)
            return If(self.term(BOOL, c1, d), self.term(ty, c2, d), self.term(ty, c2, d))
        if rule == "let":
            a = self.small_type()
            c1, c2 = self.split(ctx, 2)
            bound = self.term(a, c1, d)
            name = self.fresh(a)
            return Let(name, bound, self.term(ty, {**c2, name: a}, d))
        # iter. To keep evaluation fast, naturals must not grow out of hand, and they could:
        # `iter{1 | y ↪ iter{0 | z ↪ succ (succ z)}(y)}(n)` is 2ⁿ. So the count of an iter
        # whose type mentions ℕ is a small closed term, and the step captures (Δ₃) no
        # naturals; an iter of any other type can count anything (its result cannot grow).
        if _has_nat(ty):
            c2, c3 = self.split(ctx, 2)
            c1 = {}
            count = self.term(NAT, c1, min(d - 1, 1))
        else:
            c1, c2, c3 = self.split(ctx, 3)
            count = self.term(NAT, c1, d - 1 if self.pick(2) else min(d - 1, 1))
        for name, t in list(c3.items()):
            if t == NAT:  # a captured natural would be re-read on every iteration
                c2[name] = c3.pop(name)
        base = self.term(ty, c2, d)
        var = self.fresh(ty)
        step = self.term(ty, {**c3, var: ty}, d)
        return Iter(base, var, step, count)

    def literal(self, ty: Type) -> Term:
        if ty == BOOL:
            return BoolLit(bool(self.pick(2)))
        return Nat(self.pick(MAX_NUMERAL + 1))

    def eliminate(self, x: str, tx: Type, ty: Type, rest: dict[str, Type], depth: int) -> Term:
        """A term of type `ty` that uses `x : tx` once (by its eliminator) and `rest`."""
        if tx == ty and not rest:
            return Var(x)
        if tx == BOOL:
            return If(Var(x), self.term(ty, rest, depth), self.term(ty, rest, depth))
        if tx == NAT:
            if ty == NAT and not rest and self.pick(2):
                return succ(Var(x))
            var = self.fresh(ty)
            if depth <= 0 or _has_nat(ty):
                # x is the count: adding x (or nothing) to a base keeps naturals small
                base = self.finish(ty, rest) if depth <= 0 else self.term(ty, rest, depth)
                step = succ(Var(var)) if ty == NAT and self.pick(2) else Var(var)
                return Iter(base, var, step, Var(x))
            c2, c3 = self.split(rest, 2)
            for name, t in list(c3.items()):
                if t == NAT:
                    c2[name] = c3.pop(name)
            return Iter(self.term(ty, c2, depth), var, self.term(ty, {**c3, var: ty}, depth), Var(x))
        # a function: apply it, and use the result
        c1, c2 = self.split(rest, 2)
        arg = self.term(tx.dom, c1, depth)
        if tx.cod == ty and not c2:
            return App(Var(x), arg)
        name = self.fresh(tx.cod)
        return Let(name, App(Var(x), arg), self.term(ty, {**c2, name: tx.cod}, depth))

    def finish(self, ty: Type, ctx: dict[str, Type]) -> Term:
        """The smallest terms: literals, variables, eliminations (terminates by type size)."""
        if not ctx:
            if isinstance(ty, Arrow):
                name = self.fresh(ty.dom)
                return Lam(name, ty.dom, self.finish(ty.cod, {name: ty.dom}))
            return self.literal(ty)
        names = list(ctx)
        x = names[self.pick(len(names))]
        rest = {k: v for k, v in ctx.items() if k != x}
        return self.eliminate(x, ctx[x], ty, rest, 0)


_CTX_NAMES = ("x", "y", "z", "p", "q")
_CHOICES = st.binary(min_size=512, max_size=512)


@st.composite
def typed_terms(draw, ty: Optional[Type] = None, ctx: Optional[dict] = None, max_depth: int = 4):
    """`(term, type, ctx)`: a term of `type` whose free variables are exactly `ctx`, each used
    once. `ty=None` draws a type; `ctx=None` draws a context of 0..3 variables."""
    for t in [ty, *(ctx or {}).values()]:
        if t is not None and abstract_names(t):
            raise ValueError(f"no terms are generated for abstract types ({t!r}): they have no values")
    gen = _Gen(draw(_CHOICES), set(ctx or ()) | set(_CTX_NAMES))
    if ty is None:
        ty = gen.type(2)
    if ctx is None:
        ctx = {_CTX_NAMES[i]: gen.type(1) for i in range(gen.pick(4))}
    ctx = dict(ctx)
    depth = gen.pick(max_depth + 1)
    term = gen.term(ty, ctx, depth)
    return term, ty, ctx


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
