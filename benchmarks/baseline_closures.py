"""The baseline the compiler is measured against: the original research implementation's
strategy. Every term denotes a Python closure on vectors; the matrix of a function is built by
calling its closure once per basis vector; `iter` applies the step closure N−1 times, so an
iter nested inside another iter's step runs N−1 times for every step of the enclosing one
(exponential in the nesting depth).

    baseline_matrix(term, nat_dim=10) -> torch.Tensor   # the (dim τ₂, dim τ₁) matrix
    baseline_vector(term, nat_dim=10) -> torch.Tensor   # any closed term, flattened

It computes the same numbers as `cajal.compile(term).tensor` on the linear fragment (the tests
of bench_compile.py check that on every benchmark term).
"""

from __future__ import annotations

import torch

from cajal.encoding import dim
from cajal.syntax import App, Arrow, BoolLit, If, Iter, Lam, Let, Nat, Succ, Var


class _Fn:
    """A function value: a closure on (vectors of) values, with its type."""

    def __init__(self, f, ty, vector=None):
        self.f, self.ty, self.vector = f, ty, vector

    def __call__(self, v):
        return self.f(v)


class Baseline:
    def __init__(self, nat_dim: int = 10):
        self.n = nat_dim
        self.calls = 0  # closure calls, to show the blow-up

    def vec(self, v) -> torch.Tensor:
        """The vector of a value; a function's matrix by calling it on each basis vector."""
        if isinstance(v, torch.Tensor):
            return v
        if v.vector is not None:  # a function that arrived as a vector
            return v.vector
        d1 = dim(v.ty.dom, self.n)
        columns = []
        for j in range(d1):  # one closure call per basis vector
            e = torch.zeros(d1)
            e[j] = 1
            columns.append(self.vec(self.call(v, self.unvec(e, v.ty.dom))))
        return torch.stack(columns, dim=1).reshape(-1)

    def unvec(self, x: torch.Tensor, ty):
        """A vector of a function type as a function value (matrix-vector product)."""
        if not isinstance(ty, Arrow):
            return x
        d1, d2 = dim(ty.dom, self.n), dim(ty.cod, self.n)
        m = x.reshape(d2, d1)
        return _Fn(lambda v: self.unvec(m @ self.vec(v), ty.cod), ty, vector=x)

    def call(self, f, v):
        self.calls += 1
        return f(v)

    def den(self, t, env, ty_of):
        """⟦t⟧ in env; ty_of gives the types of λ-bound variables (for vec)."""
        n = self.n
        if isinstance(t, Var):
            return env[t.name]
        if isinstance(t, BoolLit):
            return torch.tensor([1.0, 0.0]) if t.value else torch.tensor([0.0, 1.0])
        if isinstance(t, Nat):
            e = torch.zeros(n)
            e[t.value] = 1
            return e
        if isinstance(t, Succ):
            x = self.vec(self.den(t.arg, env, ty_of))
            return torch.cat([torch.zeros(1), x[:-1]])
        if isinstance(t, Lam):
            body_ty = ty_of(t)
            return _Fn(lambda v: self.den(t.body, {**env, t.param: v}, ty_of), body_ty)
        if isinstance(t, App):
            f = self.den(t.fn, env, ty_of)
            a = self.den(t.arg, env, ty_of)
            if isinstance(f, torch.Tensor):  # a function given as a vector
                raise TypeError("functions are closures in the baseline")
            return self.call(f, a)
        if isinstance(t, Let):
            return self.den(t.body, {**env, t.name: self.den(t.bound, env, ty_of)}, ty_of)
        if isinstance(t, If):
            c = self.vec(self.den(t.cond, env, ty_of))
            a = self.vec(self.den(t.then, env, ty_of))
            b = self.vec(self.den(t.else_, env, ty_of))
            return c[0] * a + c[1] * b
        if isinstance(t, Iter):
            count = self.vec(self.den(t.count, env, ty_of))
            h = self.den(t.base, env, ty_of)
            out = count[0] * self.vec(h)
            for i in range(1, n):  # every step, every time, whatever the count
                h = self.den(t.step, {**env, t.var: h}, ty_of)
                out = out + count[i] * self.vec(h)
            return out
        raise TypeError(f"not a term: {t!r}")


def _types(term):
    """id(Lam) -> its type, from the checker."""
    from cajal.types import check
    typing = check(term)
    return lambda lam: typing.types[id(lam)]


def baseline_vector(term, nat_dim: int = 10) -> torch.Tensor:
    b = Baseline(nat_dim)
    return b.vec(b.den(term, {}, _types(term)))


def baseline_matrix(term, nat_dim: int = 10) -> torch.Tensor:
    from cajal.types import typecheck
    ty = typecheck(term)
    return baseline_vector(term, nat_dim).reshape(dim(ty.cod, nat_dim), dim(ty.dom, nat_dim))
