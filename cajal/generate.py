"""Random well-typed Cajal programs: seeded, typed, with size bounds (no test dependency).

The generator is type-directed: asked for a term of a type τ that uses the variables of a
context Δ exactly once each, it splits Δ between the sub-terms by construction (Δ₁ ∘ Δ₂ for
application, `let` and `if`, Δ₁ ∘ Δ₂ ∘ Δ₃ for `iter`, where Δ₃ is captured by the step), so
every term it yields type-checks at its type; nothing is filtered.

    random_term(ty=None, ctx=None, seed=0, max_depth=4, max_size=None) -> (term, type, ctx)
    random_closed_term(ty=None, seed=0, max_depth=4, max_size=None)   -> (term, type)
    term_from_choices(choices, ty, ctx, max_depth)                    -> (term, type, ctx)

What is generated: terms of every type, with higher-order arguments, `if` and `iter` on
functions, `let`, `succ`, numerals, and `iter` nested in base, step and count position, with
steps that capture free variables (Δ₃: booleans and functions; a captured natural could make
values grow exponentially). Numerals are 0..MAX_NUMERAL (`succ` is built with `syntax.succ`,
so closed naturals stay one `Nat` and may exceed it); an `iter` whose type mentions ℕ counts a
small closed term or adds a variable, so values stay small and evaluation fast: values can
still exceed a `nat_dim` of 10 now and then. The nesting depth is drawn from 0..max_depth
(plus the few levels needed to use up the context); `max_size` bounds the number of nodes.
Every node is a fresh object, and bound names are fresh (`b1`, `n2`, `f3`: no shadowing; a
drawn context uses x, y, z, p, q). Abstract types are refused (they have no values).

Every choice comes from one byte string: `random_term` draws it from a seeded
`random.Random`, and the test suite's hypothesis strategies (tests/strategies.py) let
hypothesis draw it, so that a failing term shrinks towards the smallest one of its type.
"""

from __future__ import annotations

import random
from typing import Optional

from .syntax import (
    BOOL,
    NAT,
    App,
    Arrow,
    BoolLit,
    If,
    Iter,
    Lam,
    Let,
    Nat,
    Term,
    Type,
    Var,
    abstract_names,
    children,
    succ,
)

__all__ = ["random_term", "random_closed_term", "term_from_choices", "size", "Generator",
           "MAX_NUMERAL", "CHOICE_BYTES", "CONTEXT_NAMES"]

MAX_NUMERAL = 5  # numerals are 0..MAX_NUMERAL
CHOICE_BYTES = 512  # the choices one term reads (more than any term of depth ≤ 6 needs)
CONTEXT_NAMES = ("x", "y", "z", "p", "q")  # the names of a drawn context
_BASE = (BOOL, NAT)


def _has_nat(t: Type) -> bool:
    if isinstance(t, Arrow):
        return _has_nat(t.dom) or _has_nat(t.cod)
    return t == NAT


class Generator:
    """One term's generation. Every choice is read from one byte string (drawn at once: much
    cheaper than a draw per choice); a zero byte is always the simplest choice, so shrinking
    the bytes (as hypothesis does) shrinks the term, and bytes past the end read as zero."""

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


def term_from_choices(choices: bytes, ty: Optional[Type] = None, ctx: Optional[dict] = None,
                      max_depth: int = 4) -> tuple[Term, Type, dict]:
    """`(term, type, ctx)`: the term that the byte string `choices` selects, of type `ty`
    (drawn when None) whose free variables are exactly `ctx` (0..3 drawn when None), each
    used once."""
    for t in [ty, *(ctx or {}).values()]:
        if t is not None and abstract_names(t):
            raise ValueError(f"no terms are generated for abstract types ({t}): they have no values")
    gen = Generator(choices, set(ctx or ()) | set(CONTEXT_NAMES))
    if ty is None:
        ty = gen.type(2)
    if ctx is None:
        ctx = {CONTEXT_NAMES[i]: gen.type(1) for i in range(gen.pick(4))}
    ctx = dict(ctx)
    depth = gen.pick(max_depth + 1)
    return gen.term(ty, ctx, depth), ty, ctx


def size(term: Term) -> int:
    """The number of nodes of a term."""
    count, todo = 0, [term]
    while todo:
        count += 1
        todo.extend(children(todo.pop()))
    return count


def random_term(ty: Optional[Type] = None, ctx: Optional[dict] = None, *, seed: int = 0,
                max_depth: int = 4, max_size: Optional[int] = None) -> tuple[Term, Type, dict]:
    """A random well-typed `(term, type, ctx)`, the same for the same arguments. `max_depth`
    bounds the nesting; `max_size` (if given) the number of nodes: larger draws are redrawn."""
    rng = random.Random(seed)
    for _ in range(1000):
        drawn = term_from_choices(rng.randbytes(CHOICE_BYTES), ty, ctx, max_depth)
        if max_size is None or size(drawn[0]) <= max_size:
            return drawn
    raise ValueError(f"no term of at most {max_size} nodes found in 1000 draws: raise max_size")


def random_closed_term(ty: Optional[Type] = None, *, seed: int = 0, max_depth: int = 4,
                       max_size: Optional[int] = None) -> tuple[Term, Type]:
    """A random closed, well-typed `(term, type)`: a program the compiler and the evaluator
    both accept (unless a natural outgrows `nat_dim`)."""
    term, ty, _ = random_term(ty, {}, seed=seed, max_depth=max_depth, max_size=max_size)
    return term, ty
