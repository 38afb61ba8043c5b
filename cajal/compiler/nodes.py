"""Nodes: a compiled sub-term each, whose `run(env, rank, rt)` is torch operations only.

`env` maps variables to runtime values (compiler/values.py), `rank` is the number of leading
batch dimensions of abstract values, `rt` the `Runtime`. Every node carries static facts,
written once, by the pass named here, and read by the passes after it:

| fact           | on        | written by            | meaning                                                      |
|----------------|-----------|-----------------------|--------------------------------------------------------------|
| `term`, `ty`   | all       | build (`Node.setup`)  | the sub-term and its type                                    |
| `dim`          | all       | build (`Node.setup`)  | dim ⟦ty⟧, None for a type that mentions an abstract type     |
| `size`         | all       | build (`Node.setup`)  | (dim, its degree in nat_dim), for the size estimate          |
| `free`         | all       | build (`Node.setup`)  | its free local variables (not definitions)                   |
| `ext_cap`      | all       | build (`Node.setup`)  | binders outside it that an iter step inside it captures      |
| `tainted`      | all       | build (`Node.setup`)  | it may make a function that is not linear (below)            |
| `has_iter`     | all       | build (`Node.setup`)  | an iter runs inside it (so `iterates` may record it)          |
| `smax`         | all (ℕ)   | build; fold narrows   | the largest natural it can be: iterate no further than that  |
| `static_exact` | LamNode   | build (`finish`)      | its closures are linear maps when what they capture is       |
| `d_dom/d_cod`  | LamNode   | build (`finish`)      | the dimensions of its parameter and result                   |
| `w_static`     | IterNode  | build                 | τ finite, step linear in y: hᵢ₊₁ = W hᵢ with W sampled once  |
| `sample_peak`  | IterNode  | build (estimate)      | the largest tensor sampling the step makes, per batch element |
| `w_index`      | IterNode  | fold                  | the weight holding W when the step is closed, else None      |
| `index`, `raw` | ConstNode | fold                  | the weight holding the folded value, and the node it replaced |

A node is *tainted* when an iter inside it captures a variable bound inside it (the iter's
step then depends non-linearly on that variable), or it uses a definition that is not
linear. An untainted function value is *exact*: applying it is multiplying by its matrix.
"""

from __future__ import annotations

import math
from typing import Optional

import torch

from ..encoding import degree, dim
from ..errors import CajalError
from ..pretty import pretty
from ..syntax import Arrow, Term, Type
from .cell import FEW_STEPS, functional_map, gathered_states, onehot_count, read_out
from .ops import shift
from .runtime import Runtime
from .values import (
    W_FRACTION,
    Abs,
    BetaFn,
    MatFn,
    apply_matrix,
    apply_value,
    batch_shape,
    force,
    is_exact,
    mix,
    sample,
    settle,
)


class Node:
    """A compiled sub-term with its static facts (see the table above)."""

    term: Term
    ty: Type
    dim: Optional[int]
    free: frozenset
    ext_cap: frozenset
    tainted: bool
    has_iter: bool
    smax: int

    def setup(self, *, term: Term, ty: Type, nat_dim: int, free: frozenset = frozenset(),
              ext_cap: frozenset = frozenset(), tainted: bool = False, has_iter: bool = False,
              smax: Optional[int] = None) -> "Node":
        self.term, self.ty = term, ty
        self.dim = dim(ty, nat_dim)
        self.size = (self.dim, degree(ty)) if self.dim is not None else None
        self.free, self.ext_cap, self.tainted, self.has_iter = free, ext_cap, tainted, has_iter
        self.smax = nat_dim - 1 if smax is None else smax
        return self

    @property
    def finite(self) -> bool:
        return self.dim is not None

    def children(self) -> tuple:
        return ()

    def run(self, env: dict, r: int, rt: Runtime):
        raise NotImplementedError


class VarNode(Node):
    def __init__(self, name: str):
        self.name = name

    def run(self, env, r, rt):
        return env[self.name]


class LitNode(Node):
    def __init__(self, key):
        self.key = key  # a bool or an int

    def run(self, env, r, rt):
        return rt.lit(self.key)


class DefNode(Node):
    """An earlier definition, used by value (its compiled program)."""

    def __init__(self, name: str, compiled):
        self.name, self.compiled = name, compiled

    def run(self, env, r, rt):
        return self.compiled.value()


class ConstNode(Node):
    """A folded closed sub-program: weight number `index` of the module; `raw` is the node it
    replaced (run instead when `iterates` records the iters inside it)."""

    def __init__(self, index: int, raw: Node):
        self.index, self.raw = index, raw

    def run(self, env, r, rt):
        raw = self.raw
        if raw.has_iter and rt.recording:
            return raw.run(env, r, rt)
        m = rt.consts[self.index]
        if isinstance(self.ty, Arrow):
            return MatFn(m, self.ty, direct=lambda: raw.run({}, 0, rt), rt=rt)
        return m


class SuccNode(Node):
    def __init__(self, arg: Node):
        self.arg = arg

    def children(self):
        return (self.arg,)

    def run(self, env, r, rt):
        return shift(force(self.arg.run(env, r, rt), r))


class LamNode(Node):
    def __init__(self, param: str, param_type: Type, body: Node):
        self.param, self.param_type, self.body = param, param_type, body

    def children(self):
        return (self.body,)

    def finish(self, nat_dim: int) -> "LamNode":
        self.static_exact = not self.tainted
        if self.dim is not None:
            self.d_dom, self.d_cod = dim(self.param_type, nat_dim), dim(self.ty.cod, nat_dim)
            self.dom_size = (self.d_dom, degree(self.param_type))
        return self

    def run(self, env, r, rt):
        return BetaFn(self, env, rt)


class AppNode(Node):
    def __init__(self, fn: Node, arg: Node):
        self.fn, self.arg = fn, arg

    def children(self):
        return (self.fn, self.arg)

    def run(self, env, r, rt):
        return apply_value(self.fn.run(env, r, rt), self.arg.run(env, r, rt), r, ty=self.fn.ty, rt=rt)


class LetNode(Node):
    def __init__(self, name: str, bound: Node, body: Node):
        self.name, self.bound, self.body = name, bound, body

    def children(self):
        return (self.bound, self.body)

    def run(self, env, r, rt):
        v = settle(self.bound.run(env, r, rt), self.bound.ty, r, rt)
        return self.body.run({**env, self.name: v}, r, rt)


class IfNode(Node):
    def __init__(self, cond: Node, then: Node, else_: Node):
        self.cond, self.then, self.else_ = cond, then, else_

    def children(self):
        return (self.cond, self.then, self.else_)

    def run(self, env, r, rt):
        c = force(self.cond.run(env, r, rt), r)
        a = self.then.run(env, r, rt)
        b = self.else_.run(env, r, rt)
        return mix([c[..., 0], c[..., 1]], [a, b], r, rt=rt, ty=self.ty)


class IterNode(Node):
    """The recurrent neuron: h₀ = base, hᵢ₊₁ = step(hᵢ), output Σᵢ nᵢ hᵢ for the count n.
    With `w_static`, hᵢ₊₁ = W hᵢ for W the step's sampled matrix (a weight of the module
    when the step is closed: `w_index`); else the step runs on each state."""

    def __init__(self, *, base: Node, var: str, step: Node, count: Node, captured: tuple):
        self.base, self.var, self.step, self.count = base, var, step, count
        self.captured = captured  # the names of Δ₃
        self.w_static = False
        self.sample_peak = 0
        self.w_index: Optional[int] = None

    def children(self):
        return (self.base, self.step, self.count)

    def w_fits(self, batch: int, limit: int, elem: int) -> bool:
        """Whether W, and sampling the step to make it, fit in size_limit / W_FRACTION (else the
        step runs on each state: as exact, and cheaper when the state space is large)."""
        return (self.dim * self.dim + self.sample_peak) * batch * elem <= limit // W_FRACTION

    def steps(self, n: torch.Tensor, rt: Runtime) -> int:
        """How many steps to run: iterates past the last count entry that can be non-zero are
        weighted 0, so they are skipped (all of them when recording or training)."""
        if rt.recording:
            return rt.nat_dim - 1
        literal = rt.literal(n)
        k = min(rt.nat_dim - 1 if rt.trainable else self.count.smax,
                rt.nat_dim - 1 if literal is None else literal)
        if self.captured:
            k = max(k, min(1, rt.nat_dim - 1))  # run the step once, so its inputs get (zero) gradients
        return k

    def run(self, env, r, rt):
        n = force(self.count.run(env, r, rt), r)
        b = self.base.run(env, r, rt)
        k = self.steps(n, rt)
        captured = [env[v] for v in self.captured]
        if self.w_static and is_exact(b) and all(is_exact(v) for v in captured) and (
                self.w_index is not None or self.w_fits(math.prod(batch_shape(captured)), rt.limit, rt.elem)):
            hs = self._by_matrix(env, force(b, r), k=k, r=r, rt=rt)
        else:
            hs = [b]
            for _ in range(k):
                hs.append(self._same_shape(settle(self.step.run({**env, self.var: hs[-1]}, r, rt), self.ty, r, rt),
                                           hs[-1], r))
        if rt.recording:
            self._record(list(hs), r, rt)
        if len(hs) > FEW_STEPS and (isinstance(hs, torch.Tensor) or all(isinstance(h, torch.Tensor) for h in hs)):
            count = onehot_count(n, rt)
            if count is not None:  # a one-hot count picks its state
                if not isinstance(hs, torch.Tensor):
                    hs = torch.stack(torch.broadcast_tensors(*hs))
                return read_out(hs, count, n)
        return mix([n[..., i] for i in range(len(hs))], list(hs), r, rt=rt, ty=self.ty)

    def _same_shape(self, h, before, r: int):
        """A state of an abstract type keeps its shape (a linked step may not change it)."""
        if isinstance(h, Abs) and isinstance(before, Abs):
            a, b = tuple(before.at(r).shape[r:]), tuple(h.at(r).shape[r:])
            if a != b:
                raise CajalError(
                    f"the step of this iter changed the shape of its state of type {pretty(self.ty)} from {a} to {b}",
                    self.term.span,
                    hint="an iter's state keeps one shape: a function linked as its step must return tensors "
                         "shaped like its input (e.g. pad a convolution)")
        return h

    def _by_matrix(self, env, b: torch.Tensor, *, k: int, r: int, rt: Runtime):
        """The states h₀ … h_k under W: gathered when W is functional (cell.py), else
        multiplied one by one. Stacked (k + 1, …batch, d) where they share a batch shape."""
        if self.w_index is not None:
            w = rt.consts[self.w_index]
        else:
            step, var = self.step, self.var
            w = sample(lambda y, r1: step.run({**env, var: y}, r1, rt), d_in=self.dim, d_out=self.dim, r=r, rt=rt,
                       ty=self.ty)
        f = functional_map(w, self.dim) if k > FEW_STEPS and not b.requires_grad else None
        if f is not None:
            return gathered_states(f, b, k)
        ty = Arrow(self.ty, self.ty)
        hs = [b]
        for _ in range(k):
            hs.append(apply_matrix(w, hs[-1], r, ty=ty, rt=rt))
        return hs

    def _record(self, hs, r, rt):
        try:
            ts = [h.at(r) for h in hs] if isinstance(hs[0], Abs) else [force(h, r) for h in hs]
        except CajalError:
            return  # states with no tensor (opaque functions) are not recorded
        rt.record.append((self.term, torch.stack(torch.broadcast_tensors(*ts))))

