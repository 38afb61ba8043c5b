"""Linking compiled programs with PyTorch (LANGUAGE.md section 6): binding inputs by position
or name, turning Python values, tensors, compiled definitions and callables into runtime
values, and the objects a call returns (a tensor, a `FunctionValue`, or a `Partial`).

A program given as an input (a `Compiled`, a `Partial`, a `FunctionValue`, or an object with
a `.compiled(nat_dim)` such as a session definition) is recognised by its `linked(rt, name)`
method, which returns (its type, its runtime value). An evaluator closure is built into nodes
and run in the caller's runtime (`closure_value`).

Batch dimensions: the batch rank R of a call is the largest number of leading dimensions of
its finite tensor inputs (a vector (…, d), or a matrix (…, d₂, d₁) for a function type); if
any input is a tensor of an abstract type, R is at least 1. Finite inputs broadcast
right-aligned (like NumPy); a tensor of an abstract type has exactly R leading batch
dimensions (the rest is the value), and count and condition weights broadcast over its
trailing dimensions.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Optional

import torch

from .. import budget
from ..encoding import check_numeral, dim, encode, is_finite
from ..errors import CajalError
from ..pretty import pretty
from ..syntax import Abstract, Arrow, BoolType, NatType, Type, arrows
from ..values import Closure, Opaque
from .build import Builder
from .estimate import Estimate
from .runtime import Runtime
from .values import Abs, OpaqueFn, apply_value, batch_shape, force, no_matrix

# ---------------------------------------------------------------- binding


def _resolve_name(key: str, names: list[str]) -> str:
    if key in names:
        return key
    if key.endswith("_") and key[:-1] in names:  # `not_`, `lambda_`: Python keywords
        return key[:-1]
    raise CajalError(f"unknown argument `{key}`",
                     hint=(f"the inputs are {', '.join(f'`{n}`' for n in names)}" if names
                           else "this program takes no named inputs"))


def call(c, args: tuple, kwargs: dict, *, record: Optional[list] = None, bound: Optional[dict] = None):
    """Bind `args`/`kwargs` to c's inputs (free variables, then top λ-parameters) and run."""
    names = [n for n, _ in c.free] + [n for n, _ in c.params]
    raw = {**c.bound_inputs, **(bound or {})}
    slots = [n for n in names if n not in raw]  # positional arguments fill these, in order
    extra = list(args[len(slots):])
    for name, value in zip(slots, args):
        raw[name] = value
    for key, value in kwargs.items():
        name = _resolve_name(key, names)
        if name in raw:
            raise CajalError(f"`{name}` is given twice", hint="pass each input once, by position or by name")
        raw[name] = value
    free_names = [n for n, _ in c.free]
    param_names = [n for n, _ in c.params]
    p = 0
    while p < len(param_names) and param_names[p] in raw:
        p += 1
    complete = all(n in raw for n in free_names) and p == len(param_names)
    if not complete:
        if record is not None:
            missing = [n for n in names if n not in raw]
            raise CajalError(f"iterates needs every input; missing {', '.join(f'`{n}`' for n in missing)}")
        return Partial(c, raw)
    value, t, rt, rank = evaluate(c, raw, p, extra=extra, record=record)
    return output(value, t, rt, rank)


def evaluate(c, raw: dict, p: int, *, extra: list = (), record=None):
    """Run c with its free variables and first p parameters bound (raw Python values), then
    apply the result to `extra`. Returns (runtime value, its type, runtime, batch rank)."""
    specs = [(n, t, raw[n]) for n, t in c.free] + [(n, t, raw[n]) for n, t in c.params[:p]]
    t = c.type
    for _ in range(p):
        t = t.cod
    more = []
    for i, a in enumerate(extra):
        if not isinstance(t, Arrow):
            raise CajalError(f"too many arguments: the result has type {pretty(t)}, which is not a function",
                             hint=f"this program takes {len(c.free) + len(c.params) + i} input(s)")
        more.append((f"argument {len(specs) + i + 1}", t.dom, a))
        t = t.cod
    rank, batch = batch_rank(specs + more, c.nat_dim)
    rt = c.runtime(record=record, batch=batch)
    env = {n: link(v, ty, name=n, rt=rt, rank=rank) for n, ty, v in specs[:len(c.free)]}
    value = c.root.run(env, rank, rt)
    ft = c.type
    for n, ty, v in specs[len(c.free):] + more:
        value = apply_value(value, link(v, ty, name=n, rt=rt, rank=rank), rank, ty=ft, rt=rt)
        ft = ft.cod
    return value, t, rt, rank


def output(value, t: Type, rt: Runtime, rank: int):
    """What a call returns: a tensor, or a FunctionValue for a function type."""
    if isinstance(value, Abs):
        return value.at(rank)
    if isinstance(t, Arrow):
        return FunctionValue(value, t, rt=rt, rank=rank)
    return value


# ---------------------------------------------------------------- batch rank


def _tensor_like(v) -> bool:
    if isinstance(v, torch.Tensor):
        return True
    return type(v).__module__ == "numpy" and hasattr(v, "shape") and getattr(v, "ndim", 0) > 0


def batch_rank(specs, nat_dim: int, *, held: tuple = ()) -> tuple[int, int]:
    """(R, number of batch elements) for a call's inputs [(name, type, raw value)]. Refuses
    (CajalError) batch shapes that do not broadcast, naming the inputs and their shapes;
    `held`: (name, batch shape) of values already in the call (a function value's own)."""
    rank, abstract, batches = 0, False, [(name, b, b) for name, b in held]
    for name, ty, v in specs:
        if not _tensor_like(v):
            continue
        shape = tuple(v.shape)
        if not is_finite(ty):
            abstract = True
            continue
        d = dim(ty, nat_dim)
        if shape[-1:] == (d,):
            b = shape[:-1]
        elif isinstance(ty, Arrow) and shape[-2:] == (dim(ty.cod, nat_dim), dim(ty.dom, nat_dim)):
            b = shape[:-2]
        else:
            continue  # link() says what is wrong
        rank = max(rank, len(b))
        batches.append((name, shape, b))
    if abstract:
        rank = max(rank, 1)
    for name, ty, v in specs:
        if _tensor_like(v) and not is_finite(ty) and len(v.shape) >= rank:
            batches.append((name, tuple(v.shape), tuple(v.shape)[:rank]))
    _check_broadcast(batches)
    sizes = [math.prod(b) for _, _, b in batches]
    return rank, (max(sizes) if sizes else 1)  # (not max(…, default=1): torch.compile cannot trace it)


def _check_broadcast(batches: list) -> None:
    """Batch shapes broadcast right-aligned (like NumPy): each size equal, or 1."""
    seen: dict = {}  # position from the right -> (size, name, shape)
    for name, shape, batch in batches:
        for i, size in enumerate(reversed(batch)):
            if size == 1:
                continue
            other = seen.setdefault(i, (size, name, shape))
            if other[0] != size:
                raise CajalError(
                    f"the batch dimensions of `{other[1]}` (shape {other[2]}) and `{name}` (shape {shape}) "
                    f"do not broadcast: {other[0]} and {size} in the same place",
                    hint="batch dimensions line up from the right, like NumPy's: make them equal, or 1")


# ---------------------------------------------------------------- linking one value


def closure_value(closure: Closure, rt: Runtime, name: str = "this closure") -> tuple:
    """(type, runtime value) of an evaluator closure: its let-form (of linear size) built into
    nodes and run in `rt`, after the size of what it makes is checked."""
    try:
        term = closure.let_term()
    except ValueError as err:
        raise CajalError(f"`{name}`: this closure holds a linked Python value and cannot be compiled") from err
    node = Builder(rt.nat_dim, {}, limit=rt.limit, elem=rt.elem).build(term, {})
    ty = node.ty  # a closure's let-form is well-typed (it comes from evaluating a checked term)
    est = Estimate(rt.limit, rt.elem, rt.nat_dim)
    est.visit(node, {})
    est.check()
    return ty, node.run({}, 0, rt)


def encode_value(value: Any, type: Type, nat_dim: int = 10, *, dtype=None, device=None) -> torch.Tensor:
    """encoding.encode, and also for evaluator closures: the flattened matrix of the function
    (`cajal.encode` also takes the type's source)."""
    if not isinstance(value, Closure):
        return encode(value, type, nat_dim, dtype=dtype, device=device)
    t = type
    rt = Runtime([], dtype=dtype or torch.get_default_dtype(), device=torch.device(device or "cpu"),
                 nat_dim=nat_dim, limit=budget.limit())
    vt, v = closure_value(value, rt)
    if vt != t:
        raise CajalError(f"this closure has type {pretty(vt)}, not {pretty(t)}")
    return force(v, 0).reshape(-1)


def link(v: Any, ty: Type, *, name: str, rt: Runtime, rank: int):
    """The runtime value of a linked input `v` for a variable `name : ty`."""
    if isinstance(v, Opaque):
        v = v.obj
    if isinstance(v, Closure):
        vt, value = closure_value(v, rt, name)
        if vt != ty:
            raise CajalError(f"`{name}` has type {pretty(ty)}, but the linked program has type {pretty(vt)}")
        return value
    fv = _function_link(v, ty, name, rt)
    if fv is not None:
        return fv
    if not is_finite(ty) and not isinstance(ty, Arrow):
        if not _tensor_like(v):
            raise CajalError(f"`{name}` has type {pretty(ty)}: link a tensor, not {_describe(v)}",
                             hint="values of abstract types come only from linking tensors")
    if isinstance(v, (bool,)) or type(v).__name__ == "bool_":
        if not isinstance(ty, BoolType):
            raise _wrong(name, ty, "a bool", rt)
        return rt.lit(bool(v))
    if isinstance(v, numbers.Integral):
        if not isinstance(ty, NatType):
            raise _wrong(name, ty, "an int", rt)
        try:
            check_numeral(int(v), rt.nat_dim)
        except CajalError as err:
            raise CajalError(f"`{name}`: {err.message}", hint=err.hint) from None
        return rt.lit(int(v))
    if _tensor_like(v) or (isinstance(v, (list, tuple)) and v and is_finite(ty)):
        t = v if isinstance(v, torch.Tensor) else torch.as_tensor(v)
        if not is_finite(ty):
            if t.dim() < rank:
                raise CajalError(
                    f"`{name}` : {pretty(ty)} has shape {tuple(t.shape)}, but the batch has {rank} dimension(s)",
                    hint="a tensor of an abstract type starts with the batch dimensions (use size 1 to broadcast)")
            return Abs(t, rank)
        return _finite_tensor(t, ty, name, rt)
    if isinstance(ty, Arrow) and callable(v):
        return OpaqueFn(v, ty, name=name, rt=rt)
    if isinstance(ty, Abstract) or not is_finite(ty):
        raise CajalError(f"`{name}` has type {pretty(ty)}: link a tensor, not {_describe(v)}",
                         hint="values of abstract types come only from linking tensors")
    raise _wrong(name, ty, _describe(v), rt)


def _finite_tensor(t: torch.Tensor, ty: Type, name: str, rt: Runtime) -> torch.Tensor:
    d = rt.dim(ty)
    if t.dim() >= 1 and t.shape[-1] == d:
        pass
    elif isinstance(ty, Arrow) and t.dim() >= 2 and tuple(t.shape[-2:]) == (rt.dim(ty.cod), rt.dim(ty.dom)):
        t = t.reshape(*t.shape[:-2], d)
    else:
        extra = (f" or (…, {rt.dim(ty.cod)}, {rt.dim(ty.dom)})" if isinstance(ty, Arrow) else "")
        raise CajalError(
            f"`{name}` has type {pretty(ty)}, so its tensor must have shape (…, {d}){extra}, "
            f"but it has shape {tuple(t.shape)}",
            hint=_hint(ty, rt))
    if t.is_complex():
        raise CajalError(f"`{name}`: complex tensors are not supported")
    return t.to(dtype=rt.dtype, device=rt.device)


def _function_link(v, ty: Type, name: str, rt: Runtime):
    """The runtime value of a program linked to `name` (see the module docstring), or None
    when v is not a program."""
    program = v
    get = getattr(v, "compiled", None)
    if get is not None and not hasattr(v, "linked") and not isinstance(v, torch.Tensor):  # a session definition
        program = get(rt.nat_dim) if callable(get) else get
    linked = getattr(program, "linked", None)
    if not callable(linked):
        return None
    is_result = isinstance(program, (Partial, FunctionValue))
    if not isinstance(ty, Arrow) and (is_result or program.type != ty):
        what = "a function" if is_result else "a compiled program"
        raise CajalError(f"`{name}` has type {pretty(ty)}, but it was given {what}", hint=_hint(ty, rt))
    vt, value = linked(rt, name)
    if vt != ty:
        raise CajalError(f"`{name}` has type {pretty(ty)}, but the linked program has type {pretty(vt)}")
    return value


def _wrong(name, ty, got, rt) -> CajalError:
    return CajalError(f"`{name}` has type {pretty(ty)}, but it was given {got}", hint=_hint(ty, rt))


def _hint(ty: Type, rt: Runtime) -> str:
    if isinstance(ty, BoolType):
        return "pass True/False, or a tensor of shape (…, 2) (a soft boolean)"
    if isinstance(ty, NatType):
        return f"pass an int 0…{rt.nat_dim - 1}, or a tensor of shape (…, {rt.nat_dim}) (a soft count)"
    if isinstance(ty, Arrow) and is_finite(ty):
        return (f"pass a matrix of shape (…, {rt.dim(ty.cod)}, {rt.dim(ty.dom)}) or (…, {rt.dim(ty)}), "
                "a compiled Cajal definition, or a Python callable / nn.Module on batches")
    if isinstance(ty, Arrow):
        return "pass a Python callable or nn.Module on batches, or a compiled Cajal definition"
    return "link a tensor whose leading dimensions are batch dimensions"


def _describe(v) -> str:
    if isinstance(v, torch.Tensor):
        return f"a tensor of shape {tuple(v.shape)}"
    if isinstance(v, float):
        return f"the float {v!r}"
    return f"a {type(v).__name__}"


# ---------------------------------------------------------------- results


class FunctionValue:
    """The result of a call whose type is a function: callable on more arguments, with the
    `.matrix` (…, d₂, d₁) and flattened `.tensor` of its (batched) value."""

    def __init__(self, value, type: Arrow, *, rt: Runtime, rank: int):
        self.value, self.type, self.rt, self.rank = value, type, rt, rank

    @property
    def nat_dim(self) -> int:
        return self.rt.nat_dim

    def __call__(self, *args):
        if not args:
            return self
        value, t = self.value, self.type
        specs = []
        for i, a in enumerate(args):
            if not isinstance(t, Arrow):
                raise CajalError(f"too many arguments: the result has type {pretty(t)}, which is not a function")
            specs.append((f"argument {i + 1}", t.dom, a))
            t = t.cod
        held = batch_shape([self.value])
        rank, batch = batch_rank(specs, self.rt.nat_dim, held=(("this function value", held),))
        rank = max(rank, self.rank)
        ft = self.type
        for n, ty, a in specs:
            value = apply_value(value, link(a, ty, name=n, rt=self.rt, rank=rank), rank, ty=ft, rt=self.rt)
            ft = ft.cod
        return output(value, t, self.rt, rank)

    @property
    def tensor(self) -> torch.Tensor:
        if not is_finite(self.type):
            raise no_matrix(self.type)
        return force(self.value, self.rank)

    @property
    def matrix(self) -> torch.Tensor:
        t = self.tensor
        return t.reshape(*t.shape[:-1], self.rt.dim(self.type.cod), self.rt.dim(self.type.dom))

    def linked(self, rt: Runtime, name: str) -> tuple:
        return self.type, self.value

    def __repr__(self) -> str:
        return f"<function value : {pretty(self.type)}>"


class Partial:
    """A partial application: the inputs given so far; call it with the rest. When the bound
    inputs are all the free variables and the first parameters, it has a `.matrix`."""

    def __init__(self, compiled, bound: dict):
        self.compiled, self.bound = compiled, dict(bound)

    @property
    def remaining(self) -> tuple:
        c = self.compiled
        return tuple((n, t) for n, t in c.free + c.params if n not in self.bound)

    @property
    def type(self) -> Type:
        c = self.compiled
        t = c.type
        for _ in c.params:
            t = t.cod
        rest = [t2 for _, t2 in self.remaining]
        return arrows(*rest, t) if rest else t

    @property
    def nat_dim(self) -> int:
        return self.compiled.nat_dim

    def __call__(self, *args, **kwargs):
        return call(self.compiled, args, kwargs, bound=self.bound)

    def function(self) -> FunctionValue:
        c = self.compiled
        missing = [n for n, _ in c.free if n not in self.bound]
        names = [n for n, _ in c.params]
        p = 0
        while p < len(names) and names[p] in self.bound:
            p += 1
        if missing or any(n in self.bound for n in names[p:]):
            raise CajalError("this partial application has no matrix: bind the free variables and the "
                             "parameters in order first", hint=f"still missing: {', '.join(n for n, _ in self.remaining)}")
        value, t, rt, rank = evaluate(c, self.bound, p)
        return FunctionValue(value, t, rt=rt, rank=rank)

    @property
    def tensor(self) -> torch.Tensor:
        return self.function().tensor

    @property
    def matrix(self) -> torch.Tensor:
        return self.function().matrix

    def linked(self, rt: Runtime, name: str) -> tuple:
        fv = self.function()
        return fv.type, fv.value

    def __repr__(self) -> str:
        return f"<partial application : {pretty(self.type)}>"
