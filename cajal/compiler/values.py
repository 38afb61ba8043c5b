"""Runtime values of compiled programs, and the operations on them that know what they are.

* A finite value is a tensor (…, dim τ) whose leading dimensions are batch dimensions,
  right-aligned; a function's tensor is its matrix, row-major flattened.
* A value of an abstract type is `Abs`: a tensor with exactly `rank` leading batch dimensions.
* A function may also be an `Fn`: a `BetaFn` (a λ with its environment, applied by
  β-reduction), a `MatFn` (a folded matrix with a direct fallback), a `MixFn` (a soft mixture
  of functions) or an `OpaqueFn` (a linked Python callable).

`exact` (of an Fn): applying it equals multiplying by its matrix, for every argument.
`tabular` (of a value at a type): it may be replaced by its matrix. `settle`: replace a
function about to be bound to a variable by its matrix when it is tabular and affordable.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import torch

from ..encoding import is_finite
from ..errors import CajalError
from ..pretty import pretty
from ..syntax import Arrow, BoolType, NatType, Type, abstract_names
from .ops import broadcast_shape, matvec, strip, weigh
from .runtime import Runtime

W_FRACTION = 8  # a function is replaced by its matrix (an iter uses W) only within size_limit / W_FRACTION


class Abs:
    """A value of an abstract type: a tensor whose first `rank` dimensions are batch dimensions."""

    __slots__ = ("t", "rank")

    def __init__(self, t: torch.Tensor, rank: int):
        self.t, self.rank = t, rank

    def at(self, r: int) -> torch.Tensor:
        if r > self.rank:
            return self.t.reshape((1,) * (r - self.rank) + tuple(self.t.shape))
        return self.t


class Fn:
    """A function value that is not (only) a matrix. `exact`: applying it equals applying its
    matrix, for every argument (a linear map). `opaque`: it involves a linked Python function,
    which runs on what it is given and is never replaced by a matrix."""

    exact = True
    opaque = False
    ty: Arrow

    def apply(self, arg, r: int):
        raise NotImplementedError

    def force(self, r: int) -> torch.Tensor:
        raise NotImplementedError

    def batch_shape(self) -> tuple:
        raise NotImplementedError


class BetaFn(Fn):
    """A λ (a `LamNode`) with its environment, applied by β-reduction: its body runs on the
    argument. Its matrix is its body run once on the identity basis (`sample`)."""

    __slots__ = ("node", "env", "rt", "exact", "opaque")

    def __init__(self, node, env: dict, rt: Runtime):
        self.node, self.env, self.rt = node, env, rt
        self.exact = node.static_exact and all(is_exact(env[v]) for v in node.free)
        self.opaque = any(getattr(env[v], "opaque", False) for v in node.free)

    @property
    def ty(self):
        return self.node.ty

    def apply(self, arg, r):
        node = self.node
        return node.body.run({**self.env, node.param: settle(arg, node.param_type, r, self.rt)}, r, self.rt)

    def force(self, r):
        node = self.node
        if node.dim is None:
            raise no_matrix(node.ty)
        env, body, param, rt = self.env, node.body, node.param, self.rt
        return sample(lambda basis, r1: body.run({**env, param: basis}, r1, rt),
                      d_in=node.d_dom, d_out=node.d_cod, r=r, rt=rt, ty=node.ty)

    def batch_shape(self):
        return batch_shape([self.env[x] for x in self.node.free])


class MatFn(Fn):
    """A function known by its matrix (a folded constant), with a direct fallback (β) used
    only when the argument is a function that is not a linear map."""

    __slots__ = ("m", "ty", "direct", "rt")

    def __init__(self, m: torch.Tensor, ty: Arrow, *, direct: Callable[[], Any], rt: Runtime):
        self.m, self.ty, self.direct, self.rt = m, ty, direct, rt

    def apply(self, arg, r):
        if is_exact(arg):
            out = apply_matrix(self.m, arg, r, ty=self.ty, rt=self.rt)
            if isinstance(self.ty.cod, Arrow):
                direct = self.direct
                ty, rt = self.ty, self.rt
                return MatFn(out, ty.cod, direct=lambda: apply_value(direct(), arg, r, ty=ty, rt=rt), rt=rt)
            return out
        return apply_value(self.direct(), arg, r, ty=self.ty, rt=self.rt)

    def force(self, r):
        return self.m

    def batch_shape(self):
        return tuple(self.m.shape[:-1])


class MixFn(Fn):
    """Σᵢ wᵢ · fᵢ for function values: a soft `if` or an `iter` readout over functions."""

    __slots__ = ("ws", "fs", "ty", "exact", "opaque", "rt")

    def __init__(self, ws, fs, *, ty, rt):
        self.ws, self.fs, self.ty, self.rt = ws, fs, ty, rt
        self.exact = all(is_exact(f) for f in fs)
        self.opaque = any(getattr(f, "opaque", False) for f in fs)

    def apply(self, arg, r):
        return mix(self.ws, [apply_value(f, arg, r, ty=self.ty, rt=self.rt) for f in self.fs], r, rt=self.rt,
                   ty=self.ty.cod)

    def force(self, r):
        return mix(self.ws, [force(f, r) for f in self.fs], r, rt=self.rt, ty=self.ty)

    def batch_shape(self):
        return batch_shape(list(self.fs) + [w.unsqueeze(-1) for w in self.ws])


class OpaqueFn(Fn):
    """A linked Python callable or nn.Module: it runs on batches, but has no matrix."""

    __slots__ = ("obj", "ty", "name", "rt")
    exact = False
    opaque = True

    def __init__(self, obj, ty: Arrow, *, name: str, rt: Runtime):
        self.obj, self.ty, self.name, self.rt = obj, ty, name, rt

    def apply(self, arg, r):
        dom = self.ty.dom
        if is_finite(dom):
            x = force(arg, r)
            batch = tuple(x.shape[:-1])
            inp = x.reshape(-1, x.shape[-1])
        else:
            x = arg.at(r)
            batch = tuple(x.shape[:r])
            inp = x if r <= 1 else x.reshape(-1, *x.shape[r:])
        try:
            out = self.obj(inp)
        except (RuntimeError, ValueError, TypeError, IndexError) as err:
            raise CajalError(
                f"the function linked to `{self.name}` failed on an input of shape {tuple(inp.shape)}: {err}",
                hint=f"`{self.name}` has type {pretty(self.ty)}; it receives a batch of "
                     f"{_what(dom, self.rt)} and must return a batch of {_what(self.ty.cod, self.rt)}") from err
        return self._output(out, batch, r, finite_in=is_finite(dom))

    def _output(self, out, batch, r, *, finite_in):
        cod = self.ty.cod
        if callable(out) and not isinstance(out, torch.Tensor) and isinstance(cod, Arrow):
            return OpaqueFn(out, cod, name=f"{self.name}(…)", rt=self.rt)
        if not isinstance(out, torch.Tensor):
            raise CajalError(f"the function linked to `{self.name}` returned {type(out).__name__}, not a tensor",
                             hint=f"it must return a batch of {_what(cod, self.rt)}")
        if is_finite(cod):
            d = self.rt.dim(cod)
            if isinstance(cod, Arrow) and out.shape[-1] != d and out.shape[-2:] == (self.rt.dim(cod.cod), self.rt.dim(cod.dom)):
                out = out.reshape(*out.shape[:-2], d)
            if out.shape[-1:] != (d,):
                raise CajalError(
                    f"the function linked to `{self.name}` returned shape {tuple(out.shape)}, "
                    f"but a value of type {pretty(cod)} needs a last dimension of {d}",
                    hint=f"`{self.name}` has type {pretty(self.ty)}")
            out = out.to(self.rt.dtype)
            if finite_in or r > 0:
                n = math.prod(batch)
                if out.shape[:-1].numel() != n:
                    raise CajalError(f"the function linked to `{self.name}` returned {out.shape[:-1].numel()} "
                                     f"results for a batch of {n}")
                out = out.reshape(*batch, d)
            return out
        # abstract result
        if finite_in or r > 1:
            n = math.prod(batch)
            if out.dim() == 0 or out.shape[0] != n:
                raise CajalError(f"the function linked to `{self.name}` returned shape {tuple(out.shape)} "
                                 f"for a batch of {n}", hint=f"`{self.name}` has type {pretty(self.ty)}")
            out = out.reshape(*batch, *out.shape[1:])
            out = out.reshape((1,) * (r - len(batch)) + tuple(out.shape))
        return Abs(out, r)

    def force(self, r):
        raise CajalError(
            f"`{self.name}` is linked to a Python function, which has no matrix, but a matrix is needed here",
            hint="link a matrix (a tensor of shape (…, d₂, d₁)) or a compiled Cajal definition instead")

    def batch_shape(self):
        return ()


def _what(t: Type, rt: Runtime) -> str:
    if is_finite(t):
        return f"vectors of size {rt.dim(t)} ({pretty(t)})"
    return f"tensors ({pretty(t)})"


def no_matrix(t: Type) -> CajalError:
    """The error for asking the matrix of a type that mentions an abstract type."""
    names = ", ".join(sorted(abstract_names(t)))
    return CajalError(f"{pretty(t)} has no finite dimension (it mentions the abstract type {names}), so it has no matrix",
                      hint="run the neuron on linked inputs instead: values of abstract types are tensors of any shape")


# =============================================================== facts about values


def is_exact(v) -> bool:
    return not isinstance(v, Fn) or v.exact


def first_order(t: Type) -> bool:
    """Whether a value of type t only ever receives arguments of type 𝟚 or ℕ (and returns one
    after its last). Such a function's matrix, its basis sample, agrees with it on every
    one-hot argument, even where it is not linear."""
    while isinstance(t, Arrow):
        if not isinstance(t.dom, (BoolType, NatType)):
            return False
        t = t.cod
    return isinstance(t, (BoolType, NatType))


def tabular(v, ty: Type) -> bool:
    """Whether a value may be replaced by its matrix (LANGUAGE.md §5: a λ denotes its matrix):
    it is linear, or a first-order Cajal function, exact on one-hot inputs. Other functions
    stay closures, applied by β, so that a run on one-hot inputs stays exact: replacing a
    non-linear higher-order function by its matrix would not be."""
    return is_exact(v) or (first_order(ty) and not v.opaque)


def batch_shape(values) -> tuple:
    """The broadcast batch shape of runtime values (a function: that of what it holds)."""
    shapes = []
    for v in values:
        if isinstance(v, torch.Tensor):
            shapes.append(tuple(v.shape[:-1]))
        elif isinstance(v, Abs):
            shapes.append(tuple(v.t.shape[:v.rank]))
        elif isinstance(v, Fn):
            shapes.append(v.batch_shape())
    return broadcast_shape(shapes)


def affordable(values, ty: Type, rt: Runtime) -> bool:
    """Whether the matrices of these function values fit comfortably (size_limit / W_FRACTION)."""
    d = rt.dim(ty) if is_finite(ty) else None
    if d is None:
        return False
    return d * math.prod(batch_shape(values)) * rt.elem <= rt.limit // W_FRACTION


# =============================================================== operations on values


def force(v, r: int) -> torch.Tensor:
    """The tensor of a finite value (a function's flattened matrix)."""
    if isinstance(v, Fn):
        return v.force(r)
    if isinstance(v, Abs):
        raise CajalError("a value of an abstract type has no finite encoding")
    return v


def apply_matrix(m: torch.Tensor, arg, r: int, *, ty: Arrow, rt: Runtime) -> torch.Tensor:
    """A (batch of) flattened matrices of type ty applied to a finite value; a re-indexing
    when either side is an identity basis the runtime handed out."""
    v = force(arg, r)
    return matvec(m, v, rows=rt.dim(ty.cod), cols=rt.dim(ty.dom),
                  m_basis=rt.basis_axis(m), v_basis=rt.basis_axis(v))


def apply_value(f, a, r: int, *, ty: Arrow, rt: Runtime):
    """Apply a function value of type ty (an Fn, or a plain flattened matrix) to a value."""
    if isinstance(f, Fn):
        return f.apply(a, r)
    return apply_matrix(f, a, r, ty=ty, rt=rt)


def mix(ws: list, vs: list, r: int, *, rt: Runtime, ty: Type):
    """Σᵢ wᵢ vᵢ: the gating of `if` and the readout of `iter`. ws: tensors of batch shape."""
    if any(isinstance(v, Fn) for v in vs):
        if not (all(tabular(v, ty) for v in vs) and affordable(vs, ty, rt)):
            return MixFn(ws, vs, ty=ty, rt=rt)
        vs = [force(v, r) for v in vs]  # mixing their matrices is exact, and keeps values small
    abstract = bool(vs) and isinstance(vs[0], Abs)
    out = None
    for w, v in zip(ws, vs):
        out = weigh(w, v.at(r) if abstract else v, r, acc=out, abstract=abstract)
    return Abs(out, r) if abstract else out


def settle(v, ty: Type, r: int, rt: Runtime):
    """A value about to be bound to a variable (by let, β or an iter state): a function that
    may be its matrix becomes it, when that is small enough. Otherwise closures would nest in
    closures, and a closure that calls the one it holds k times costs k^depth."""
    if isinstance(v, Fn) and not isinstance(v, MatFn) and tabular(v, ty) and affordable([v], ty, rt):
        return v.force(r)
    return v


def sample(run: Callable, *, d_in: int, d_out: int, r: int, rt: Runtime, ty: Type) -> torch.Tensor:
    """The matrix of a map: `run(basis, r + 1)` once on the identity basis of size d_in in a new
    leading batch axis; returns the flattened (…, d_out · d_in) matrix, column j = run(eⱼ)."""
    rt.check_size(d_in * d_out * rt.batch, ty)
    basis = rt.basis(d_in, axis=0, rank=r + 1)
    rt.sampling += 1
    try:
        out = force(run(basis, r + 1), r + 1)
    finally:
        rt.sampling -= 1
        rt.forget_basis(basis)
    if out is basis and d_out == d_in:  # the identity map: its matrix is the basis, symmetric
        return strip(out.reshape(*out.shape[1:-1], d_in * d_in), 1)
    del basis  # a large one is freed before its matrix is copied out
    nb = out.dim() - 1
    if nb < r + 1:
        out = out.reshape((1,) * (r + 1 - nb) + tuple(out.shape))
    if out.shape[0] != d_in:
        out = out.expand(d_in, *out.shape[1:])
    m = out.movedim(0, -1)
    del out
    m = m.reshape(*m.shape[:-2], d_out * d_in)
    return strip(m, 1)
