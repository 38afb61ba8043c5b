"""Reading weights back as a program: round a trained (or soft) tensor to the nearest
well-typed Cajal program, column by column, and say how far the weights were from it.

Rounding is per one-hot block, by argmax (as `encoding.decode`), except that a block whose
entries peak and sum below ½ rounds to the zero vector: what a natural past ℕ's end compiles to
(a soft count whose mass is all there still rounds by argmax). The rounded table is written
as a term:

- a function of a 𝟚 argument is a table of `if`s: `λx:𝟚. if x then v_tt else v_ff`;
- a function of an ℕ argument whose columns follow one step, v_{k+1} = s(v_k), with s a step
  that has a short term (any 𝟚 ⊸ 𝟚 table, or `succ` on ℕ), is `λn:ℕ. iter{v₀ | y ↪ s}(n)`;
- any other function of an ℕ argument is a *lookup*: a k-bit counter (2ᵏ ≥ N) held as a
  truth table h : 𝟚 ⊸ … ⊸ 𝟚 ⊸ τ, advanced n times by an `iter` whose step rotates the table
  by one (`h ↪ λb₁…b_k. h (b̄ + 1)`), then read at 0: `(iter{table | h ↪ rotate h}(n)) tt … tt`.
  It is long, but it is an ordinary program of the right type whose tensor is the table.

A function whose argument is itself a function has no table of values (its columns are unit
matrices, not programs), so it is refused with a CajalError. `Decompiled.max_distance` and
`.mean_distance` are the max and mean absolute difference between the weights and the rounded
program's tensor.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Optional

from .encoding import dim, infer_nat_dim
from .errors import CajalError
from .parser import as_type
from .pretty import pretty
from .syntax import (
    BOOL,
    NAT,
    App,
    Arrow,
    BoolLit,
    BoolType,
    If,
    Iter,
    Lam,
    Nat,
    NatType,
    Term,
    Type,
    Var,
    succ,
)

WIDTH = 88  # a program longer than this is laid out over indented lines


@dataclass(frozen=True, eq=False)
class Decompiled:
    """The program nearest to some weights. `term` is the program, `weights` the weights as
    given (flattened to the vector of `type`), `rounded` the program's exact tensor (same
    shape), `lookups` how many ℕ-argument tables had no step and became lookups, `zeros` how
    many blocks rounded to the zero vector, `name` the definition whose weights these are."""

    term: Term
    type: Type
    nat_dim: int
    weights: Any
    rounded: Any
    lookups: int = 0
    name: Optional[str] = None
    zeros: int = 0

    @property
    def difference(self):
        """weights − rounded, entry by entry (what the heatmap of `:decompile` draws)."""
        return self.weights - self.rounded

    @property
    def max_distance(self) -> float:
        """The largest absolute difference between an entry of the weights and the program's."""
        return float(self.difference.abs().max()) if self.weights.numel() else 0.0

    @property
    def mean_distance(self) -> float:
        """The mean absolute difference between the weights and the program's tensor."""
        return float(self.difference.abs().mean()) if self.weights.numel() else 0.0

    @property
    def program(self) -> str:
        """The program in Cajal syntax, laid out over indented lines when it is long."""
        return layout(self.term)

    @property
    def heading(self) -> str:
        """What the program is: "the program nearest to the weights of `not` : 𝟚 ⊸ 𝟚"."""
        source = f"the weights of `{self.name}`" if self.name else "the weights"
        return f"the program nearest to {source} : {pretty(self.type)}"

    @property
    def text(self) -> str:
        lines = [f"-- {self.heading}", self.program]
        lines.append(f"-- distance of the weights from this program: max {self.max_distance:.4g}, "
                     f"mean {self.mean_distance:.4g} (nat_dim {self.nat_dim})")
        if self.lookups:
            lines.append("-- no single step reproduces the ℕ columns, so they are read from a lookup table "
                         "(a bit counter advanced by iter)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text

    def _repr_pretty_(self, p, cycle):
        p.text(self.text)

    def _repr_mimebundle_(self, include=None, exclude=None):
        from . import render
        return render.decompiled_view(self)._repr_mimebundle_()


def decompile(tensor, type=None, nat_dim: Optional[int] = None, *, name: Optional[str] = None) -> Decompiled:
    """The well-typed program nearest to `tensor`, a vector of ⟦type⟧ (for a function, its
    flattened matrix or the (dim τ₂, dim τ₁) matrix itself): every one-hot block rounded by
    argmax. N is inferred from the size unless given. `tensor` may also be a compiled
    program or trained module (`Definition.module(trainable=True)`): its weights now, its type."""
    import torch

    if type is None:
        if not (hasattr(tensor, "tensor") and hasattr(tensor, "type")):
            raise CajalError("decompile needs the type of the weights",
                             hint="write cajal.decompile(tensor, '𝟚 ⊸ 𝟚'), or pass a compiled module")
        if getattr(tensor, "free", ()):
            raise CajalError("decompile takes a closed program; this one has free variables")
        tensor, type, nat_dim = tensor.tensor, tensor.type, nat_dim or tensor.nat_dim
    t = as_type(type)
    if not isinstance(tensor, torch.Tensor):
        try:
            tensor = torch.as_tensor(tensor)
        except (TypeError, ValueError, RuntimeError) as err:
            raise CajalError(f"decompile takes a tensor, not {tensor.__class__.__name__}") from err
    x = tensor.detach().cpu().double()
    if x.dim() == 2 and isinstance(t, Arrow):
        x = x.reshape(-1)
    if x.dim() != 1:
        raise CajalError(f"decompile takes one vector (or one function's matrix), not a tensor of shape "
                         f"{tuple(tensor.shape)}", hint="decompile each element of a batch on its own")
    _check_decompilable(t)
    n = nat_dim or infer_nat_dim(t, x.shape[0])
    if x.shape[0] != dim(t, n):
        raise CajalError(f"a vector of type {pretty(t)} with nat_dim {n} has {dim(t, n)} entries, "
                         f"not {x.shape[0]}")
    if not torch.isfinite(x).all():
        raise CajalError("the weights hold NaN or infinite entries, so no program is nearest to them",
                         hint="check the training (a learning rate too high?)")
    rounder = _Rounder(n)
    term, rounded = rounder.round(x, t)
    return Decompiled(term, t, n, x, rounded, rounder.lookups, name, rounder.zeros)


def _check_decompilable(t: Type) -> None:
    if isinstance(t, Arrow):
        if isinstance(t.dom, Arrow):
            raise CajalError(f"cannot decompile a function of a function ({pretty(t)})",
                             hint="its columns are unit matrices, not programs: decompile functions of 𝟚 and ℕ "
                                  "arguments (their results may be functions)")
        _check_decompilable(t.dom)
        _check_decompilable(t.cod)
    elif not isinstance(t, (BoolType, NatType)):
        raise CajalError(f"the type {pretty(t)} has no finite dimension, so it has no table to decompile")


BOOL_NAMES = ("x", "y", "z", "w")
NAT_NAMES = ("n", "m", "k", "j")
HALF = 0.5  # a block whose entries peak and sum below this rounds to the zero vector


class _Rounder:
    """Rounds one tensor. Parameters are named by depth (`λx:𝟚. … λy:𝟚.`, `λn:ℕ. … λm:ℕ.`),
    the lookups' bits and tables by a counter; it counts the lookups it made."""

    def __init__(self, nat_dim: int):
        self.n = nat_dim
        self.used: dict[str, int] = {}
        self.lookups = 0
        self.zeros = 0

    def fresh(self, base: str) -> str:
        k = self.used.get(base, 0)
        self.used[base] = k + 1
        return base if k == 0 else f"{base}{k}"

    def round(self, x, t: Type, depth: int = 0) -> tuple[Term, Any]:
        """(the nearest value's term, its exact vector)."""
        import torch
        if isinstance(t, (BoolType, NatType)):
            clean = torch.zeros_like(x)
            if float(x.max()) < HALF and float(x.sum()) < HALF:
                self.zeros += 1
                return self.zero(t), clean
            i = int(x.argmax())
            clean[i] = 1
            return (BoolLit(i == 0) if isinstance(t, BoolType) else Nat(i)), clean
        d1, d2 = dim(t.dom, self.n), dim(t.cod, self.n)
        m = x.reshape(d2, d1)
        columns = [self.round(m[:, j], t.cod, depth + 1) for j in range(d1)]
        clean = torch.stack([c for _, c in columns], dim=1).reshape(-1)
        terms = [term for term, _ in columns]
        if isinstance(t.dom, BoolType):
            v = _name(BOOL_NAMES, depth)
            return Lam(v, BOOL, If(Var(v), terms[0], terms[1])), clean
        return self.nat_function(t, terms, [c for _, c in columns], depth), clean

    def zero(self, t: Type) -> Term:
        """A closed term of type t whose vector is 0 (what a natural past ℕ's end makes): the
        natural N itself, `(λz:ℕ. succ z) (N-1)`, or for another type an iter counted by it."""
        import torch
        beyond = App(Lam("z", NAT, succ(Var("z"))), Nat(self.n - 1))
        if isinstance(t, NatType):
            return beyond
        some, _ = self.round(torch.ones(dim(t, self.n), dtype=torch.float64), t)
        return Iter(some, "y", Var("y"), beyond)

    def nat_function(self, t: Arrow, terms: list[Term], vectors: list, depth: int) -> Term:
        """λn:ℕ. … whose column k is terms[k]: an iter of one step, or else a lookup."""
        n = _name(NAT_NAMES, depth)
        step = _step(t.cod, vectors, self.n)
        if step is not None:
            return Lam(n, NAT, Iter(terms[0], "y", step(Var("y")), Var(n)))
        return Lam(n, NAT, self.lookup(t.cod, terms, Var(n)))

    def lookup(self, cod: Type, terms: list[Term], count: Term) -> Term:
        """`(iter{table | h ↪ rotate h}(count)) tt … tt`: terms[count] for any table."""
        self.lookups += 1
        k = max(1, (len(terms) - 1).bit_length())
        bits = [self.fresh("b") for _ in range(k)]
        h = self.fresh("h")
        table = _bits_lambda(bits, lambda i: terms[i] if i < len(terms) else terms[0])
        step_bits = [self.fresh("b") for _ in range(k)]
        rotate = _bits_lambda(step_bits, lambda i: _apply(Var(h), _bit_values((i + 1) % 2 ** k, k)))
        return _apply(Iter(table, h, rotate, count), _bit_values(0, k))


def _name(names: tuple[str, ...], depth: int) -> str:
    return names[depth] if depth < len(names) else f"{names[0]}{depth}"


def _index(values: tuple) -> Optional[int]:
    """The position of the 1 in a rounded block, or None for the zero block."""
    return values.index(1.0) if 1.0 in values else None


def _step(cod: Type, vectors: list, nat_dim: int):
    """A step s with vectors[k+1] = s(vectors[k]) for every k (a function on the values seen),
    as a function from the step's variable to its body; None when there is none with a short
    term (a 𝟚 table, the identity, or `succ`)."""
    seen: dict[tuple, tuple] = {}
    for a, b in zip(vectors, vectors[1:]):
        if seen.setdefault(tuple(a.tolist()), tuple(b.tolist())) != tuple(b.tolist()):
            return None  # the columns do not follow one function
    if all(key == value for key, value in seen.items()):
        return lambda y: y
    if isinstance(cod, BoolType):
        tt, ff, zero = (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)
        if seen.get(zero, zero) != zero:
            return None  # a step is linear: the zero vector stays zero
        on_tt, on_ff = seen.get(tt, tt), seen.get(ff, ff)  # an unvisited value stays as it is
        if zero in (on_tt, on_ff):
            return None
        return lambda y: If(y, BoolLit(on_tt == tt), BoolLit(on_ff == tt))
    if isinstance(cod, NatType):
        def after(i):
            return None if i is None or i + 1 >= nat_dim else i + 1
        if all(_index(value) == after(_index(key)) for key, value in seen.items()):
            return succ
    return None


def _bits_lambda(bits: list[str], leaf) -> Term:
    """λb₁…b_k:𝟚. a complete tree of `if`s on the bits (b₁ most significant, tt = 0) whose
    leaf for the number i is leaf(i)."""
    def tree(j: int, prefix: int) -> Term:
        if j == len(bits):
            return leaf(prefix)
        return If(Var(bits[j]), tree(j + 1, 2 * prefix), tree(j + 1, 2 * prefix + 1))
    body = tree(0, 0)
    for b in reversed(bits):
        body = Lam(b, BOOL, body)
    return body


def _bit_values(i: int, k: int) -> list[Term]:
    return [BoolLit(not (i >> (k - 1 - j)) & 1) for j in range(k)]


def _apply(f: Term, args: list[Term]) -> Term:
    for a in args:
        f = App(f, a)
    return f


# ---------------------------------------------------------------- layout


def layout(term: Term, indent: int = 0) -> str:
    """A term in Cajal syntax: on one line when it fits in WIDTH, otherwise its λs, `if`s and
    `iter`s broken over indented lines (which the parser reads back as one item)."""
    flat = pretty(term)
    if indent + len(flat) <= WIDTH:
        return flat
    pad = "  "
    match term:
        case Lam(param, t, body):
            return f"λ{param}:{pretty(t)}. " + _continue(body, indent)
        case If(cond, then, other):
            return (f"if {pretty(cond)}\n{pad * (indent // 2 + 1)}then " + layout(then, indent + 7).lstrip()
                    + f"\n{pad * (indent // 2 + 1)}else " + layout(other, indent + 7).lstrip())
        case Iter(base, var, step, count):
            inner = pad * (indent // 2 + 1)
            return (f"iter{{ {layout(base, indent + 2)}\n{inner}| {var} ↪ {layout(step, indent + 2)}\n"
                    f"{inner}}}({pretty(count)})")
        case App(_, _):
            head, args = term, []
            while isinstance(head, App):
                args.append(head.arg)
                head = head.fn
            return f"({layout(head, indent + 1)}) " + " ".join(pretty(a) for a in reversed(args))
    return flat


def _continue(body: Term, indent: int) -> str:
    if isinstance(body, Lam):
        return layout(body, indent)
    text = layout(body, indent + 2)
    return text if "\n" not in text else "\n" + "  " * (indent // 2 + 1) + text


def tables(t: Type, nat_dim: int, limit: int):
    """The values of a type with a table (𝟚, ℕ, and functions of 𝟚/ℕ arguments into such), as
    `Rounded` values in a fixed order: tt before ff, 0 before 1, tables by their columns in
    that order, except that for an ℕ argument the tables an `iter` of one step writes come
    before those that need a lookup (so that a counterexample reads short). None when there
    are more than `limit`, or the type has no table."""
    import torch
    t = as_type(t)
    if isinstance(t, (BoolType, NatType)):
        d = dim(t, nat_dim)
        if d > limit:
            return None
        return [Rounded(x) for x in torch.eye(d, dtype=torch.float64)]
    if not isinstance(t, Arrow) or isinstance(t.dom, Arrow) or not isinstance(t.dom, (BoolType, NatType)):
        return None
    columns = tables(t.cod, nat_dim, limit)
    d1 = dim(t.dom, nat_dim)
    if columns is None or len(columns) ** d1 > limit:
        return None
    short, long = [], []
    for combo in itertools.product(range(len(columns)), repeat=d1):
        vectors = [columns[i].vector for i in combo]
        value = Rounded(torch.stack(vectors, dim=1).reshape(-1))
        stepped = isinstance(t.dom, BoolType) or _step(t.cod, vectors, nat_dim) is not None
        (short if stepped else long).append(value)
    return short + long


class Rounded:
    """One value of a tabled type, by its exact vector (its term is made when asked)."""

    def __init__(self, vector):
        self.vector = vector

    def term(self, t: Type, nat_dim: int) -> Term:
        return decompile(self.vector, t, nat_dim).term


__all__ = ["decompile", "Decompiled", "layout", "tables", "Rounded"]
