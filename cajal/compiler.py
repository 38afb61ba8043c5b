"""The compiler: Cajal terms → linear and recurrent neurons (LANGUAGE.md sections 5–7).

`compile(term, ctx, nat_dim)` type-checks the term, then translates every sub-term once into a
node whose `run(env, rank, rt)` is nothing but torch operations on tensors. docs/COMPILER.md
explains the design; in short:

* Runtime values: a finite value is a tensor (…, dim τ) whose leading dimensions are batch
  dimensions, right-aligned (a function is its matrix, row-major flattened); a value of an
  abstract type is `Abs`, a tensor with exactly `rank` leading batch dimensions; a function may
  also be an `Fn` object (a closure applied by β-reduction, a linked Python callable, a matrix
  with a direct fallback, a soft mixture of functions).
* The matrix of `λx:τ₁. e` is its body run once with x bound to the identity basis of ⟦τ₁⟧ in
  a new leading batch axis (`sample`): one batched run, which for a linear body is exactly the
  contraction of its parts' tensors. Applying a matrix to a basis is a free re-indexing.
* `iter{b | y ↪ s}(n)` is a recurrent cell: W, the step's matrix, is sampled once (a constant
  weight when the step is closed), h₀ = b, hᵢ₊₁ = W hᵢ, output Σᵢ nᵢ hᵢ. When the step is not
  linear in y (or τ is abstract) the step itself runs on each hᵢ.
* Closed, finite sub-programs are folded at compile time into constants: the module's buffers,
  or `nn.Parameter`s with `module(trainable=True)`.
* Before anything is allocated, the size of every tensor is computed from the types and
  refused above `SIZE_LIMIT_BYTES` (or `size_limit=`).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Mapping, Optional

import torch
import torch.nn.functional as F
from torch import nn

from .encoding import check_numeral, dim, is_finite
from .errors import CajalError
from .parser import as_term, as_type
from .pretty import pretty
from .syntax import (
    App, Arrow, BoolLit, BoolType, If, Iter, Lam, Let, Nat, NatType, Succ, Term, Type, Var,
)
from .types import check

SIZE_LIMIT_BYTES = 1 << 30  # refuse any tensor above this (1 GiB); compile(size_limit=…) overrides
W_FRACTION = 8  # an iter uses a step matrix W only if W fits in size_limit / W_FRACTION; else runs its step


# =============================================================== runtime values


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
    """A function value that is not (only) a matrix. `exact` means: applying it equals applying
    its matrix, for every argument (a linear map). `opaque`: it involves a linked Python
    function, which runs on what it is given and is never replaced by a matrix."""

    exact = True
    opaque = False
    ty: Arrow

    def apply(self, arg, r: int):
        raise NotImplementedError

    def force(self, r: int) -> torch.Tensor:
        raise NotImplementedError


class Closure(Fn):
    """A λ with its environment, applied by β-reduction (its body runs on the argument)."""

    __slots__ = ("node", "env", "rt", "exact", "opaque")

    def __init__(self, node: "LamNode", env: dict, rt: "Runtime"):
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
            raise _no_matrix(node.ty)
        env, body, param, rt = self.env, node.body, node.param, self.rt
        return sample(lambda basis, r1: body.run({**env, param: basis}, r1, rt),
                      node.d_dom, node.d_cod, r, rt, node.ty)


class MatFn(Fn):
    """A function known by its matrix (a folded constant), with a direct fallback (β) used
    only when the argument is a function that is not a linear map."""

    __slots__ = ("m", "ty", "direct", "rt")

    def __init__(self, m: torch.Tensor, ty: Arrow, direct: Callable[[], Any], rt: "Runtime"):
        self.m, self.ty, self.direct, self.rt = m, ty, direct, rt

    def apply(self, arg, r):
        if is_exact(arg):
            out = matvec(self.m, force(arg, r), self.rt.dim(self.ty.cod), self.rt.dim(self.ty.dom))
            if isinstance(self.ty.cod, Arrow):
                direct = self.direct
                ty, rt = self.ty, self.rt
                return MatFn(out, ty.cod, lambda: apply_value(direct(), arg, r, ty, rt), rt)
            return out
        return apply_value(self.direct(), arg, r, self.ty, self.rt)

    def force(self, r):
        return self.m


class MixFn(Fn):
    """Σᵢ wᵢ · fᵢ for function values: a soft `if` or an `iter` readout over functions."""

    __slots__ = ("ws", "fs", "ty", "exact", "opaque", "rt")

    def __init__(self, ws, fs, ty, rt):
        self.ws, self.fs, self.ty, self.rt = ws, fs, ty, rt
        self.exact = all(is_exact(f) for f in fs)
        self.opaque = any(getattr(f, "opaque", False) for f in fs)

    def apply(self, arg, r):
        return mix(self.ws, [apply_value(f, arg, r, self.ty, self.rt) for f in self.fs], r, self.rt, self.ty.cod)

    def force(self, r):
        return mix(self.ws, [force(f, r) for f in self.fs], r, self.rt, self.ty)


class OpaqueFn(Fn):
    """A linked Python callable or nn.Module: it runs on batches, but has no matrix."""

    __slots__ = ("obj", "ty", "name", "rt")
    exact = False
    opaque = True

    def __init__(self, obj, ty: Arrow, name: str, rt: "Runtime"):
        self.obj, self.ty, self.name, self.rt = obj, ty, name, rt

    def apply(self, arg, r):
        dom, cod = self.ty.dom, self.ty.cod
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
                     f"{_what(dom, self.rt)} and must return a batch of {_what(cod, self.rt)}") from err
        return self._output(out, batch, r, finite_in=is_finite(dom))

    def _output(self, out, batch, r, finite_in):
        cod = self.ty.cod
        if callable(out) and not isinstance(out, torch.Tensor) and isinstance(cod, Arrow):
            return OpaqueFn(out, cod, f"{self.name}(…)", self.rt)
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


def _what(t: Type, rt) -> str:
    if is_finite(t):
        return f"vectors of size {rt.dim(t)} ({pretty(t)})"
    return f"tensors ({pretty(t)})"


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


def force(v, r: int) -> torch.Tensor:
    """The tensor of a finite value (a function's flattened matrix)."""
    if isinstance(v, Fn):
        return v.force(r)
    if isinstance(v, Abs):
        raise CajalError("a value of an abstract type has no finite encoding")
    return v


def apply_value(f, a, r: int, ty: Arrow, rt: "Runtime"):
    """Apply a function value of type ty (an Fn, or a plain flattened matrix) to a value."""
    if isinstance(f, Fn):
        return f.apply(a, r)
    return matvec(f, force(a, r), rt.dim(ty.cod), rt.dim(ty.dom))


def batch_shape(values) -> tuple:
    """The broadcast batch shape of runtime values (a function: that of what it holds)."""
    shapes = []
    for v in values:
        if isinstance(v, torch.Tensor):
            shapes.append(tuple(v.shape[:-1]))
        elif isinstance(v, Abs):
            shapes.append(tuple(v.t.shape[:v.rank]))
        elif isinstance(v, Closure):
            shapes.append(batch_shape([v.env[x] for x in v.node.free]))
        elif isinstance(v, MatFn):
            shapes.append(tuple(v.m.shape[:-1]))
        elif isinstance(v, MixFn):
            shapes.append(batch_shape(list(v.fs) + [w.unsqueeze(-1) for w in v.ws]))
    out: list = []
    for shape in shapes:  # right-aligned broadcasting (torch.broadcast_shapes imports sympy)
        for i, size in enumerate(reversed(shape)):
            if i == len(out):
                out.append(size)
            elif out[i] == 1 or size == out[i]:
                out[i] = size
            elif size != 1:
                out[i] = max(out[i], size)
    return tuple(reversed(out))


def _strip(t: torch.Tensor, keep: int) -> torch.Tensor:
    """Drop leading batch dimensions of size 1 (finite tensors broadcast right-aligned)."""
    while t.dim() > keep and t.shape[0] == 1:
        t = t[0]
    return t


def matvec(m: torch.Tensor, v: torch.Tensor, d2: int, d1: int) -> torch.Tensor:
    """Apply a batch of flattened (d2, d1) matrices to a batch of vectors; batch dims broadcast
    right-aligned. Applying to (or applying) an identity basis is a re-indexing, not a product."""
    bm, bv = m.dim() - 1, v.dim() - 1
    vb = getattr(v, "_cajal_basis", None)
    if vb is not None:  # v is eⱼ along one batch axis: the result is column j of m there
        L = max(bm, bv)
        pos = L - bv + vb
        mp = m.reshape((1,) * (L - bm) + tuple(m.shape[:-1]) + (d2, d1))
        if mp.shape[pos] == 1:
            return mp.squeeze(pos).movedim(-1, pos)
    mb = getattr(m, "_cajal_basis", None)
    if mb is not None:  # m is the unit matrix E_k along one batch axis: out[k] = e_{i_k} · v[j_k]
        L = max(bm, bv)
        pos = L - bm + mb
        vp = v.reshape((1,) * (L - bv) + tuple(v.shape))
        if vp.shape[pos] == 1:
            cols = vp.squeeze(pos).movedim(-1, pos).unsqueeze(pos).unsqueeze(-1)  # (…, 1, d1, …, 1)
            eye = torch.eye(d2, dtype=v.dtype, device=v.device)
            shape = [1] * (L + 2)
            shape[pos], shape[-1] = d2, d2
            out = cols * eye.reshape(shape)  # (…, d2, d1, …, d2)
            return out.reshape(*out.shape[:pos], d2 * d1, *out.shape[pos + 2:])
    mm = m.reshape(*m.shape[:-1], d2, d1)
    if bm == 0:
        return F.linear(v, mm)
    if bv == 0:
        return mm @ v
    return torch.einsum("...ij,...j->...i", mm, v)


def mix(ws: list, vs: list, r: int, rt: "Runtime", ty: Type):
    """Σᵢ wᵢ vᵢ: the gating of `if` and the readout of `iter`. ws: tensors of batch shape."""
    if any(isinstance(v, Fn) for v in vs):
        if not (all(tabular(v, ty) for v in vs) and _affordable(vs, ty, rt)):
            return MixFn(ws, vs, ty, rt)
        vs = [force(v, r) for v in vs]  # mixing their matrices is exact, and keeps values small
    if vs and isinstance(vs[0], Abs):
        ts = [v.at(r) for v in vs]
        out = None
        for w, t in zip(ws, ts):
            term = w.reshape((1,) * (r - w.dim()) + tuple(w.shape) + (1,) * (t.dim() - r)) * t
            out = term if out is None else out + term
        return Abs(out, r)
    out = None
    for w, v in zip(ws, vs):
        term = w.unsqueeze(-1) * v
        out = term if out is None else out + term
    return out


def _weigh(w: torch.Tensor, v, r: int, acc=None):
    """acc + w·v for a tensor or Abs v (w: batch-shaped weights); None for a function value."""
    if isinstance(v, Fn):
        return None
    if isinstance(v, Abs):
        t = v.at(r)
        term = w.reshape((1,) * (r - w.dim()) + tuple(w.shape) + (1,) * (t.dim() - r)) * t
    else:
        term = w.unsqueeze(-1) * v
    return term if acc is None else acc + term


def settle(v, ty: Type, r: int, rt: "Runtime"):
    """A value about to be bound to a variable (by let, β or an iter state): a function that
    may be its matrix becomes it, when that is small enough. Otherwise closures would nest in
    closures, and a closure that calls the one it holds k times costs k^depth."""
    if isinstance(v, Fn) and not isinstance(v, MatFn) and tabular(v, ty) and _affordable([v], ty, rt):
        return v.force(r)
    return v


def _affordable(values, ty, rt: "Runtime") -> bool:
    """Whether the matrices of these function values fit comfortably (size_limit / W_FRACTION)."""
    d = rt.dim(ty) if is_finite(ty) else None
    if d is None:
        return False
    return d * math.prod(batch_shape(values)) * rt.elem <= rt.limit // W_FRACTION


def sample(run: Callable, d_in: int, d_out: int, r: int, rt: "Runtime", ty: Type) -> torch.Tensor:
    """The matrix of a map: `run(basis, r + 1)` once on the identity basis of size d_in in a new
    leading batch axis; returns the flattened (…, d_out · d_in) matrix, column j = run(eⱼ)."""
    rt.check_size(d_in * d_out * rt.batch, ty)
    basis = rt.eye(d_in).reshape((d_in,) + (1,) * r + (d_in,))
    basis._cajal_basis = 0
    rt.depth += 1
    try:
        out = force(run(basis, r + 1), r + 1)
    finally:
        rt.depth -= 1
    nb = out.dim() - 1
    if nb < r + 1:
        out = out.reshape((1,) * (r + 1 - nb) + tuple(out.shape))
    if out.shape[0] != d_in:
        out = out.expand(d_in, *out.shape[1:])
    m = out.movedim(0, -1)
    m = m.reshape(*m.shape[:-2], d_out * d_in)
    return _strip(m, 1)


def _no_matrix(t: Type) -> CajalError:
    names = ", ".join(sorted(_abstract(t)))
    return CajalError(f"{pretty(t)} has no finite dimension (it mentions the abstract type {names}), so it has no matrix",
                      hint="run the neuron on linked inputs instead: values of abstract types are tensors of any shape")


def _abstract(t):
    from .syntax import abstract_names
    return abstract_names(t)


# =============================================================== runtime context


class Runtime:
    """What a run needs besides the environment: the module's weights, dtype and device, the
    size limit, and (for `iterates`) where to record hidden states."""

    __slots__ = ("consts", "dtype", "device", "record", "trainable", "limit", "elem", "nat_dim", "depth",
                 "batch", "_eye", "_lit", "_dims")

    def __init__(self, consts, dtype, device, nat_dim, limit, trainable=False, record=None, batch=1):
        self.consts, self.dtype, self.device, self.nat_dim = consts, dtype, device, nat_dim
        self.limit, self.trainable, self.record, self.batch = limit, trainable, record, batch
        self.elem = torch.empty(0, dtype=dtype).element_size()
        self.depth = 0
        self._eye, self._lit, self._dims = {}, {}, {}

    def dim(self, t: Type) -> int:
        d = self._dims.get(t)
        if d is None:
            d = self._dims[t] = dim(t, self.nat_dim)
        return d

    def eye(self, d: int) -> torch.Tensor:
        e = self._eye.get(d)
        if e is None:
            e = self._eye[d] = torch.eye(d, dtype=self.dtype, device=self.device)
        return e

    def lit(self, key) -> torch.Tensor:
        key = (type(key), key)  # False == 0: keep tt/ff apart from the naturals
        t = self._lit.get(key)
        if t is None:
            key = key[1]
            size = 2 if isinstance(key, bool) else self.nat_dim
            t = torch.zeros(size, dtype=self.dtype, device=self.device)
            t[(0 if key else 1) if isinstance(key, bool) else key] = 1
            if not isinstance(key, bool):
                t._cajal_onehot = key  # a count known to be exactly `key`: iterate no further
            self._lit[(type(key), key)] = t
        return t

    def check_size(self, numel: int, ty: Type, span=None, what: str = "") -> None:
        if numel * self.elem > self.limit:
            raise size_error(numel, self.elem, self.limit, ty, span, what)


def size_error(numel, elem, limit, ty, span=None, what="") -> CajalError:
    what = what or f"values of type {pretty(ty)}"
    return CajalError(
        f"this needs a tensor of {numel:,} entries ({_human(numel * elem)}) for {what}, "
        f"above the size limit of {_human(limit)}", span,
        hint="use a smaller nat_dim or smaller types, or raise the limit with "
             "cajal.compile(…, size_limit=BYTES) or cajal.compiler.SIZE_LIMIT_BYTES")


def _human(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.3g} EiB"


# =============================================================== nodes


class Node:
    """A compiled sub-term. Static facts: its type and dimension, its free variables (local,
    not definitions), `ext_cap` (binders bound outside it that an iter step inside captures)
    and `tainted` (it may make a function that is not linear: an iter inside captures a
    variable bound inside, or it uses a definition that is not linear)."""

    term: Term
    ty: Type
    dim: Optional[int]
    free: frozenset
    ext_cap: frozenset
    tainted: bool
    has_iter: bool
    smax: int  # for ℕ: the largest index that can be non-zero

    def setup(self, term, ty, nat_dim, free, ext_cap, tainted, has_iter, smax=None):
        self.term, self.ty = term, ty
        self.dim = dim(ty, nat_dim)
        self.free, self.ext_cap, self.tainted, self.has_iter = free, ext_cap, tainted, has_iter
        self.smax = nat_dim - 1 if smax is None else smax
        return self

    @property
    def finite(self) -> bool:
        return self.dim is not None

    def children(self) -> tuple:
        return ()

    def run(self, env, r, rt):
        raise NotImplementedError



class VarNode(Node):
    def __init__(self, name):
        self.name = name

    def run(self, env, r, rt):
        return env[self.name]


class LitNode(Node):
    def __init__(self, key):
        self.key = key  # a bool or an int

    def run(self, env, r, rt):
        return rt.lit(self.key)


class DefNode(Node):
    def __init__(self, name, compiled):
        self.name, self.compiled = name, compiled

    def run(self, env, r, rt):
        return self.compiled.value()


class ConstNode(Node):
    """A folded closed sub-program: weight number `index` of the module."""

    def __init__(self, index: int, raw: Node, onehot: Optional[int] = None):
        self.index, self.raw, self.onehot = index, raw, onehot

    def run(self, env, r, rt):
        raw = self.raw
        if rt.record is not None and raw.has_iter and rt.depth == 0:
            return raw.run(env, r, rt)
        m = rt.consts[self.index]
        if isinstance(self.ty, Arrow):
            return MatFn(m, self.ty, lambda: raw.run({}, 0, rt), rt)
        return m



class SuccNode(Node):
    def __init__(self, arg):
        self.arg = arg

    def children(self):
        return (self.arg,)

    def run(self, env, r, rt):
        x = force(self.arg.run(env, r, rt), r)
        return F.pad(x[..., :-1], (1, 0))



class LamNode(Node):
    def __init__(self, param, param_type, body):
        self.param, self.param_type, self.body = param, param_type, body

    def children(self):
        return (self.body,)

    def finish(self, nat_dim):
        self.static_exact = not self.tainted
        if self.dim is not None:
            self.d_dom, self.d_cod = dim(self.param_type, nat_dim), dim(self.ty.cod, nat_dim)
        return self

    def run(self, env, r, rt):
        return Closure(self, env, rt)



class AppNode(Node):
    def __init__(self, fn, arg):
        self.fn, self.arg = fn, arg

    def children(self):
        return (self.fn, self.arg)

    def run(self, env, r, rt):
        f = self.fn.run(env, r, rt)
        a = self.arg.run(env, r, rt)
        if isinstance(f, Fn):
            return f.apply(a, r)
        ty = self.fn.ty
        return matvec(f, force(a, r), rt.dim(ty.cod), rt.dim(ty.dom))



class LetNode(Node):
    def __init__(self, name, bound, body):
        self.name, self.bound, self.body = name, bound, body

    def children(self):
        return (self.bound, self.body)

    def run(self, env, r, rt):
        v = settle(self.bound.run(env, r, rt), self.bound.ty, r, rt)
        return self.body.run({**env, self.name: v}, r, rt)



class IfNode(Node):
    def __init__(self, cond, then, else_):
        self.cond, self.then, self.else_ = cond, then, else_

    def children(self):
        return (self.cond, self.then, self.else_)

    def run(self, env, r, rt):
        c = force(self.cond.run(env, r, rt), r)
        a = self.then.run(env, r, rt)
        b = self.else_.run(env, r, rt)
        return mix([c[..., 0], c[..., 1]], [a, b], r, rt, self.ty)



class IterNode(Node):
    """The recurrent neuron. `w_static`: τ is finite and the step is linear in y (no iter in it
    captures a variable bound inside it), so hᵢ₊₁ = W hᵢ with W the step's sampled matrix
    (a weight of the module when the step is closed: `w_index`)."""

    def __init__(self, base, var, step, count, captured):
        self.base, self.var, self.step, self.count = base, var, step, count
        self.captured = captured  # the names of Δ₃
        self.w_index = None

    def children(self):
        return (self.base, self.step, self.count)

    def finish(self, step_tainted: bool, limit: int, elem: int):
        self.w_static = self.dim is not None and not step_tainted
        self.sample_peak = 0
        if self.w_static:  # the largest tensor made while sampling the step on a basis, per batch element
            est = _Estimate(limit, elem)
            est.visit(self.step, {self.var: frozenset([(object(), self.dim)])})
            self.sample_peak = est.best[0]
        return self

    def w_fits(self, batch: int, limit: int, elem: int) -> bool:
        """Whether W, and sampling the step to make it, fit in size_limit / W_FRACTION (else the
        step runs on each state: as exact, and cheaper when the state space is large)."""
        return (self.dim * self.dim + self.sample_peak) * batch * elem <= limit // W_FRACTION

    def run(self, env, r, rt):
        n = force(self.count.run(env, r, rt), r)
        b = self.base.run(env, r, rt)
        recording = rt.record is not None and rt.depth == 0
        # iterates past the last count entry that can be non-zero are weighted 0: skip them
        if recording:
            k = rt.nat_dim - 1
        else:
            k = min(rt.nat_dim - 1 if rt.trainable else self.count.smax, getattr(n, "_cajal_onehot", rt.nat_dim - 1))
            if self.captured:
                k = max(k, min(1, rt.nat_dim - 1))  # run the step once, so its inputs get (zero) gradients
        step, var = self.step, self.var
        if self.w_static and is_exact(b) and all(is_exact(env[v]) for v in self.captured) and (
                self.w_index is not None or self._w_fits([env[v] for v in self.captured], rt)):
            if self.w_index is not None:
                w = rt.consts[self.w_index]
            else:
                w = sample(lambda y, r1: step.run({**env, var: y}, r1, rt), self.dim, self.dim, r, rt, self.ty)
            d = self.dim
            advance = lambda h: matvec(w, h, d, d)  # noqa: E731
            b = force(b, r)
        else:
            def advance(h):
                return settle(step.run({**env, var: h}, r, rt), self.ty, r, rt)
        # the readout Σᵢ nᵢ hᵢ, accumulated as the states are made (while each is in cache)
        h, hs, out = b, [b], _weigh(n[..., 0], b, r)
        for i in range(1, k + 1):
            h = advance(h)
            hs.append(h)
            if out is not None:
                out = _weigh(n[..., i], h, r, out)
        if recording:
            self._record(hs, r, rt)
        if out is None:  # states that are functions: a soft mixture of them
            return mix([n[..., i] for i in range(len(hs))], hs, r, rt, self.ty)
        return Abs(out, r) if isinstance(b, Abs) else out

    def _w_fits(self, values, rt) -> bool:
        return self.w_fits(math.prod(batch_shape(values)), rt.limit, rt.elem)

    def _record(self, hs, r, rt):
        try:
            if isinstance(hs[0], Abs):
                ts = [h.at(r) for h in hs]
            else:
                ts = [force(h, r) for h in hs]
            rt.record.append((self.term, torch.stack(torch.broadcast_tensors(*ts))))
        except CajalError:
            pass  # states with no tensor (opaque functions) are not recorded



# =============================================================== building


class _Builder:
    """Translates a checked term into nodes, computing the static facts bottom-up."""

    def __init__(self, nat_dim: int, defs: Mapping[str, "Compiled"], limit: int, elem: int):
        self.n = nat_dim
        self.defs = defs
        self.limit, self.elem = limit, elem

    def build(self, term: Term, scope: dict) -> Node:
        """scope: name -> (Type, binder key)."""
        n = self.n
        match term:
            case Var(name):
                if name in scope:
                    ty, key = scope[name]
                    return VarNode(name).setup(term, ty, n, frozenset([name]), frozenset(), False, False)
                c = self.defs[name]
                tainted = isinstance(c.type, Arrow) and not c.exact
                return DefNode(name, c).setup(term, c.type, n, frozenset(), frozenset(), tainted, c.has_iter,
                                              c.smax)
            case BoolLit(value):
                return LitNode(bool(value)).setup(term, BoolType(), n, frozenset(), frozenset(), False, False)
            case Nat(value):
                check_numeral(value, n, term.span)
                return LitNode(int(value)).setup(term, NatType(), n, frozenset(), frozenset(), False, False, value)
            case Succ(arg):
                a = self.build(arg, scope)
                return SuccNode(a).setup(term, a.ty, n, a.free, a.ext_cap, a.tainted, a.has_iter,
                                         min(a.smax + 1, n - 1))
            case Lam(param, pty, body):
                key = object()
                b = self.build(body, {**scope, param: (pty, key)})
                node = LamNode(param, pty, b).setup(
                    term, Arrow(pty, b.ty), n, b.free - {param}, b.ext_cap - {key},
                    b.tainted or key in b.ext_cap, b.has_iter)
                return node.finish(n)
            case App(fn, arg):
                f = self.build(fn, scope)
                a = self.build(arg, scope)
                return AppNode(f, a).setup(term, f.ty.cod, n, f.free | a.free, f.ext_cap | a.ext_cap,
                                           f.tainted or a.tainted, f.has_iter or a.has_iter)
            case If(cond, then, else_):
                c, a, b = self.build(cond, scope), self.build(then, scope), self.build(else_, scope)
                smax = max(a.smax, b.smax) if isinstance(a.ty, NatType) else None
                return IfNode(c, a, b).setup(term, a.ty, n, c.free | a.free, c.ext_cap | a.ext_cap | b.ext_cap,
                                             c.tainted or a.tainted or b.tainted,
                                             c.has_iter or a.has_iter or b.has_iter, smax)
            case Let(name, bound, body):
                bd = self.build(bound, scope)
                key = object()
                b = self.build(body, {**scope, name: (bd.ty, key)})
                return LetNode(name, bd, b).setup(
                    term, b.ty, n, bd.free | (b.free - {name}), bd.ext_cap | (b.ext_cap - {key}),
                    bd.tainted or b.tainted or key in b.ext_cap, bd.has_iter or b.has_iter,
                    b.smax if isinstance(b.ty, NatType) else None)
            case Iter(base, var, step, count):
                c = self.build(count, scope)
                bs = self.build(base, scope)
                key = object()
                s = self.build(step, {**scope, var: (bs.ty, key)})
                captured = s.free - {var}
                cap_keys = frozenset(scope[v][1] for v in captured)
                step_tainted = s.tainted or key in s.ext_cap
                node = IterNode(bs, var, s, c, tuple(sorted(captured))).setup(
                    term, bs.ty, n, c.free | bs.free | captured,
                    c.ext_cap | bs.ext_cap | (s.ext_cap - {key}) | cap_keys,
                    c.tainted or bs.tainted or step_tainted, True)
                return node.finish(step_tainted, self.limit, self.elem)
        raise TypeError(f"not a term: {term!r}")


class _Estimate:
    """The largest tensor a run allocates, computed from the types alone before anything is
    allocated. Each basis sample (a λ's matrix, an iter's W) adds a batch axis, carried by the
    variables that depend on it; a value's size is dim τ times its axes' sizes."""

    def __init__(self, limit: int, elem: int):
        self.limit, self.elem = limit, elem
        self.best = (0, None, "")

    def note(self, numel: int, node: Node, what: str = "") -> None:
        if numel > self.best[0] or (numel == self.best[0] and what and not self.best[2]):
            self.best = (numel, node, what)

    def check(self, rt: "Runtime") -> None:
        numel, node, what = self.best
        if node is not None:
            rt.check_size(numel, node.ty, node.term.span, what)

    def visit(self, node: Node, env: dict) -> frozenset:
        axes = frozenset().union(*(env.get(v, ()) for v in node.free))
        size = math.prod(s for _, s in axes)
        if node.dim:
            self.note(size * node.dim, node)
        if isinstance(node, SuccNode):
            self.visit(node.arg, env)
        elif isinstance(node, LamNode):
            if node.dim is not None:
                self.note(size * node.dim, node, f"the matrix of {pretty(node.ty)}")
                self.visit(node.body, {**env, node.param: frozenset([(object(), node.d_dom)])})
            else:
                self.visit(node.body, {**env, node.param: frozenset()})
        elif isinstance(node, AppNode):
            if isinstance(node.fn, LamNode):  # β: the body runs on the argument
                arg = self.visit(node.arg, env)
                self.visit(node.fn.body, {**env, node.fn.param: arg})
            else:
                self.visit(node.fn, env)
                self.visit(node.arg, env)
        elif isinstance(node, LetNode):
            bound = self.visit(node.bound, env)
            self.visit(node.body, {**env, node.name: bound})
        elif isinstance(node, IfNode):
            for child in node.children():
                self.visit(child, env)
        elif isinstance(node, IterNode):
            count = self.visit(node.count, env)
            base = self.visit(node.base, env)
            cap = frozenset().union(*(env.get(v, ()) for v in node.captured))
            m = math.prod(s for _, s in cap)
            w = m * node.dim * node.dim if node.dim else 0
            if node.w_static and (node.w_index is not None or node.w_fits(m, self.limit, self.elem)):
                self.note(w, node, f"the step matrix W of type {pretty(Arrow(node.ty, node.ty))}")
                self.visit(node.step, {**env, node.var: frozenset([(object(), node.dim)])})
            else:
                self.visit(node.step, {**env, node.var: base | cap | count})
        return axes


class _Folder:
    """Folds closed finite sub-programs into constants (computed once, now) and precomputes
    the step matrix W of every iter whose step is closed."""

    def __init__(self, rt: Runtime, names: list):
        self.rt = rt
        self.names = names  # what each constant is, for people: (kind, term)

    def foldable(self, node: Node) -> bool:
        if isinstance(node, ConstNode) or node.free or node.dim is None:
            return False
        return not (isinstance(node.ty, Arrow) and node.tainted)

    def prepare(self, node: Node) -> Node:
        if self.foldable(node):
            return self.fold(node)
        rt = self.rt
        closed_step = (isinstance(node, IterNode) and node.w_static and not node.captured
                       and node.w_fits(1, rt.limit, rt.elem))
        for attr in ("arg", "body", "fn", "bound", "cond", "then", "else_", "base", "step", "count"):
            child = getattr(node, attr, None)
            if isinstance(child, Node) and not (closed_step and attr == "step"):
                setattr(node, attr, self.prepare(child))
        if closed_step:  # the step's matrix W is the weight; its parts stay raw (no weights of their own)
            est = _Estimate(rt.limit, rt.elem)
            est.note(node.dim * node.dim, node, f"the step matrix W of type {pretty(Arrow(node.ty, node.ty))}")
            est.visit(node.step, {node.var: frozenset([(object(), node.dim)])})
            est.check(rt)
            step, var = node.step, node.var
            with torch.no_grad():
                w = sample(lambda y, r1: step.run({var: y}, r1, rt), node.dim, node.dim, 0, rt, node.ty)
            w = w.reshape(-1)
            node.w_index = self.add(w if self.owned(w) else w.clone(), ("step", node.term))
        return node

    def fold(self, node: Node) -> Node:
        est = _Estimate(self.rt.limit, self.rt.elem)
        est.visit(node, {})
        est.check(self.rt)
        if isinstance(node, DefNode):
            value = node.compiled.tensor.detach().to(self.rt.dtype)
        else:
            with torch.no_grad():
                value = force(node.run({}, 0, self.rt), 0)
        value = value.reshape(-1)
        if not self.owned(value):
            value = value.clone()
        onehot, smax = None, node.smax
        if isinstance(node.ty, NatType):  # the count is known now: iterate no further than it
            nz = (value != 0).nonzero()
            smax = int(nz[-1, 0]) if len(nz) else 0
            if len(nz) == 1 and value[nz[0, 0]] == 1:
                onehot = int(nz[0, 0])
        index = self.add(value, ("value", node.term))
        const = ConstNode(index, node, onehot)
        const.setup(node.term, node.ty, self.rt.nat_dim, frozenset(), frozenset(), False, node.has_iter, smax)
        return const

    def owned(self, value: torch.Tensor) -> bool:
        """Whether `value` has its own memory (not a cached basis, literal or other weight)."""
        ptr = value.untyped_storage().data_ptr()
        shared = list(self.rt._eye.values()) + list(self.rt._lit.values()) + list(self.rt.consts)
        return all(t.untyped_storage().data_ptr() != ptr for t in shared)

    def add(self, value, what) -> int:
        self.rt.consts.append(value)
        self.names.append(what)
        return len(self.rt.consts) - 1


# =============================================================== the compiled module


def _as_compiled(name, d, nat_dim):
    if isinstance(d, Compiled):
        c = d
    else:
        get = getattr(d, "compiled", None)
        c = get(nat_dim) if callable(get) else get
        if not isinstance(c, Compiled):
            raise CajalError(f"the definition `{name}` is not a compiled Cajal program",
                             hint="pass defs={name: cajal.compile(term)}")
    if c.free:
        raise CajalError(f"the definition `{name}` has free variables: a definition must be closed")
    if c.nat_dim != nat_dim:
        raise CajalError(f"the definition `{name}` was compiled with nat_dim = {c.nat_dim}, "
                         f"but this program uses nat_dim = {nat_dim}", hint="recompile it with the same nat_dim")
    return c


def compile(term, ctx: Optional[Mapping] = None, nat_dim: int = 10, *, defs: Optional[Mapping] = None,
            types: Iterable[str] = (), size_limit: Optional[int] = None, dtype=None) -> "Compiled":
    """Compile `term` (a Term or its source), whose free variables `ctx` types ({name: Type or
    type source}), to a neuron for ℕ of size `nat_dim`. `defs` gives earlier definitions
    ({name: Compiled}), `types` the declared abstract types. Raises CajalTypeError for an
    ill-typed term and CajalError for a numeral ≥ nat_dim or a tensor above the size limit."""
    if not isinstance(nat_dim, int) or isinstance(nat_dim, bool) or nat_dim < 1:
        raise CajalError(f"nat_dim must be a positive integer, not {nat_dim!r}")
    term = as_term(term)
    ctx = {name: as_type(t) for name, t in (ctx or {}).items()}
    defs = {name: _as_compiled(name, d, nat_dim) for name, d in (defs or {}).items()}
    typing = check(term, ctx, defs={name: c.type for name, c in defs.items()}, types=types)
    dtype = dtype or torch.get_default_dtype()
    limit = SIZE_LIMIT_BYTES if size_limit is None else size_limit
    scope = {name: (t, ("free", name)) for name, t in ctx.items()}
    rt = Runtime([], dtype, torch.device("cpu"), nat_dim, limit)
    root = _Builder(nat_dim, defs, limit, rt.elem).build(term, scope)
    names: list = []
    root = _Folder(rt, names).prepare(root)
    return Compiled(term=term, typing=typing, ctx=ctx, nat_dim=nat_dim, root=root, consts=rt.consts,
                    const_names=names, size_limit=limit, dtype=dtype)


class Compiled(nn.Module):
    """A compiled Cajal program: a `torch.nn.Module` whose buffers (or, with
    `module(trainable=True)`, parameters) are the weights of its closed sub-programs.

    `.type`, `.free` ((name, Type) of the context, in order), `.params` ((name, Type) of the
    λ-parameters at the top), `.nat_dim`, `.typing`, `.tensor`, `.matrix`, `.linear`,
    `.nonlinear_in`; call it (or `.call`) with inputs linked by position or name."""

    def __init__(self, *, term, typing, ctx, nat_dim, root, consts, const_names, size_limit, dtype,
                 trainable=False, links=None):
        super().__init__()
        self.term, self.typing, self.nat_dim, self.root = term, typing, nat_dim, root
        self.type = typing.type
        self.free = tuple(ctx.items())
        self.params = _chain(term)
        self.size_limit = size_limit
        self.trainable = trainable
        self.const_names = list(const_names)
        self.register_buffer("_probe", torch.zeros(0, dtype=dtype), persistent=False)
        for i, value in enumerate(consts):
            if trainable:
                self.register_parameter(f"w{i}", nn.Parameter(value.detach().clone()))
            else:
                self.register_buffer(f"w{i}", value)
        self._links = dict(links or {})
        self.links = nn.ModuleDict({k: v for k, v in self._links.items() if isinstance(v, nn.Module)})
        self._cache = None
        self._analyse()

    # ------------------------------------------------------------ static facts

    def _analyse(self):
        inputs = [n for n, _ in self.free] + [n for n, _ in self.params]
        nonlinear = {n for n, _ in self.free if n in self.typing.nonlinear}
        t = self.term
        while isinstance(t, Lam):
            if id(t) in self.typing.nonlinear:
                nonlinear.add(t.param)
            t = t.body
        raw = self.root.raw if isinstance(self.root, ConstNode) else self.root
        # a capture of a variable bound strictly inside (not an input), or a definition that is
        # not linear, may make the map non-linear in any input: say so for all (conservative)
        if _inner_taint(raw):
            nonlinear |= set(inputs)
        self.nonlinear = frozenset(nonlinear)
        self.nonlinear_in = tuple(n for n in inputs if n in nonlinear)
        self.linear = not nonlinear
        self.exact = not raw.tainted
        self.has_iter = raw.has_iter
        self.smax = raw.smax
        self.finite = is_finite(self.type) and all(is_finite(t) for _, t in self.free)

    # ------------------------------------------------------------ runtime

    @property
    def dtype(self):
        return self._probe.dtype

    @property
    def device(self):
        return self._probe.device

    def _consts(self):
        return [getattr(self, f"w{i}") for i in range(len(self.const_names))]

    def runtime(self, record=None, batch=1) -> Runtime:
        return Runtime(self._consts(), self.dtype, self.device, self.nat_dim, self.size_limit,
                       trainable=self.trainable, record=record, batch=batch)

    def value(self):
        """The runtime value of a closed program (a tensor, an Abs, or a function value)."""
        if self.free:
            raise CajalError(f"this program has free variables ({', '.join(n for n, _ in self.free)})",
                             hint="link them: call it with their values")
        return self.root.run({}, 0, self.runtime())

    def _apply(self, fn, *args, **kwargs):
        self._cache = None
        return super()._apply(fn, *args, **kwargs)

    # ------------------------------------------------------------ tensors

    @property
    def tensor(self) -> torch.Tensor:
        """The multilinear map as one tensor of shape (dim τ, dim τ₁, …, dim τ_k) for the free
        variables x₁:τ₁ … x_k:τ_k (a closed term: its vector, a function's flattened matrix).
        Column (i₁, …, i_k) is the program run on basis vectors, also where it is not linear."""
        if not self.finite:
            bad = next(t for t in [self.type] + [t for _, t in self.free] if not is_finite(t))
            raise _no_matrix(bad)
        if self._cache is not None and not self.trainable:
            return self._cache
        if not self.free:
            out = force(self.value(), 0).reshape(-1)
        else:
            out = self._open_tensor()
        if not self.trainable:
            self._cache = out
        return out

    def _open_tensor(self) -> torch.Tensor:
        dims = [dim(t, self.nat_dim) for _, t in self.free]
        k = len(dims)
        d = dim(self.type, self.nat_dim)
        rt = self.runtime(batch=math.prod(dims))
        est = _Estimate(rt.limit, rt.elem)
        est.note(d * math.prod(dims), self.root, f"the tensor of {pretty(self.type)} and its {k} input(s)")
        est.visit(self.root, {name: frozenset([(object(), di)]) for (name, _), di in zip(self.free, dims)})
        est.check(rt)
        env = {}
        for i, ((name, _), di) in enumerate(zip(self.free, dims)):
            b = rt.eye(di).reshape((1,) * i + (di,) + (1,) * (k - 1 - i) + (di,))
            b._cajal_basis = i
            env[name] = b
        rt.depth += 1
        out = force(self.root.run(env, k, rt), k)
        nb = out.dim() - 1
        out = out.reshape((1,) * (k - nb) + tuple(out.shape)).expand(*dims, d)
        return out.permute(k, *range(k)).contiguous()

    @property
    def matrix(self) -> torch.Tensor:
        """The matrix (dim τ₂, dim τ₁) of a closed function: column j is the output on basis
        vector j (for a curried function, itself a flattened matrix)."""
        if not isinstance(self.type, Arrow):
            raise CajalError(f"a value of type {pretty(self.type)} has a vector, not a matrix",
                             hint="use .tensor")
        if self.free:
            raise CajalError(
                f"this term has free variables ({', '.join(n for n, _ in self.free)}), so it is not a closed "
                "function with one matrix", hint="use .tensor (output × inputs), or link the variables first")
        t = self.tensor
        return t.reshape(dim(self.type.cod, self.nat_dim), dim(self.type.dom, self.nat_dim))

    def uncurried(self, k: Optional[int] = None) -> torch.Tensor:
        """The tensor of a closed curried function of its first k parameters (default: all the
        λs at the top), shape (dim result, dim τ₁, …, dim τ_k)."""
        k = len(self.params) if k is None else k
        ts, t = [], self.type
        for _ in range(k):
            if not isinstance(t, Arrow):
                raise CajalError(f"{pretty(self.type)} does not take {k} arguments")
            ts.append(dim(t.dom, self.nat_dim))
            t = t.cod
        m = self.matrix if k else self.tensor
        return m.reshape(dim(t, self.nat_dim), *reversed(ts)).permute(0, *range(k, 0, -1))

    # ------------------------------------------------------------ calling

    def forward(self, *args, **kwargs):
        from .link import call
        return call(self, args, kwargs)

    def call(self, *args, **kwargs):
        """Run the program on linked inputs: the free variables, then the λ-parameters at the
        top, by position or by name; fewer arguments give a partial application."""
        return self(*args, **kwargs)

    def iterates(self, *args, **kwargs) -> list:
        """Run like `call` and return the hidden states of every iter that ran on the data:
        a list of (Iter term, tensor of shape (N, …batch, dim τ)): h₀ … h_{N−1}."""
        from .link import call
        record: list = []
        call(self, args, kwargs, record=record)
        return record

    def module(self, trainable: bool = False, **links) -> "Compiled":
        """A torch.nn.Module of this program. `trainable=True` makes the weights (the tensors
        of the closed sub-programs) nn.Parameters initialised to the program. `links` bind
        inputs now (an nn.Module link becomes a submodule, so its parameters are included)."""
        if trainable == self.trainable and not links:
            return self
        consts = [t.detach().clone() for t in self._consts()]
        return Compiled(term=self.term, typing=self.typing, ctx=dict(self.free), nat_dim=self.nat_dim,
                        root=self.root, consts=consts, const_names=self.const_names, size_limit=self.size_limit,
                        dtype=self.dtype, trainable=trainable, links={**self._links, **links}).to(self.device)

    @property
    def weights(self) -> dict:
        """{name: (kind, term)}: which sub-program each weight is ('value' or 'step' matrix)."""
        return {f"w{i}": what for i, what in enumerate(self.const_names)}

    def extra_repr(self) -> str:
        return f"{pretty(self.type)}, nat_dim={self.nat_dim}" + (", trainable" if self.trainable else "")

    def __repr__(self) -> str:
        free = ", ".join(f"{n} : {pretty(t)}" for n, t in self.free)
        return f"<compiled {free + ' ⊢ ' if free else ''}{pretty(self.term)} : {pretty(self.type)} (nat_dim={self.nat_dim})>"


def _chain(term) -> tuple:
    params = []
    while isinstance(term, Lam):
        params.append((term.param, term.param_type))
        term = term.body
    return tuple(params)


def _inner_taint(node: Node) -> bool:
    """Whether something inside the top λ-chain makes a non-linear function of its own."""
    while isinstance(node, LamNode):
        node = node.body
    return node.tainted
