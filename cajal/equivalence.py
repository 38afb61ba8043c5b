"""Program equivalence: two closed programs of one type are equal when their compiled tensors
are, exactly, at one size of ℕ (`nat_dim`). The types are finite vector spaces, so this is a
decision, not a test on samples.

When they differ, `equivalent` names the smallest input where they do, as Cajal values, with
both programs' outputs (the evaluator's). The inputs are the arguments up to a result of type
𝟚 or ℕ. An argument of type 𝟚 or ℕ ranges over its values; one of a function type over its
tables (functions of 𝟚/ℕ arguments, while there are few enough). "Smallest" orders inputs by
the sum of their arguments' positions (tt is 0 and ff is 1, n is n, a table's position in the
enumeration `decompiler.tables` makes), then lexicographically, first argument first.

A higher-order argument's tensor columns are unit matrices, which are not programs, so two
programs can have different tensors and agree on every Cajal input (`λf. if f tt then tt else tt`
and `λf. if f ff then tt else tt`); then the difference names that basis input and says so.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Optional

from .compiler.program import compile_typing
from .decompiler import tables
from .encoding import basis_name, dim
from .errors import CajalError, CajalTypeError
from .evaluation import apply, evaluate
from .parser import as_term
from .pretty import pretty, subscript
from .syntax import Arrow, BoolLit, BoolType, Nat, NatType, Term, Type, abstract_names, free_vars
from .types import Typing, check
from .values import term_value

MAX_INPUTS = 4096  # the most inputs of higher-order arguments tried one by one
LONG = 60  # an argument longer than this is named in calls and spelled out once


@dataclass(frozen=True)
class Program:
    """One side of a comparison: a display name, its type, and how to compile and evaluate it."""

    name: str
    type: Type
    compiled: Any  # nat_dim → Compiled
    value: Any  # the evaluator's value
    defs: Any  # the evaluator's definitions (for applying the value)
    term: Optional[Term] = None


@dataclass(frozen=True)
class Difference:
    """Where two programs differ: the arguments (as Cajal terms; a basis name when `basis`),
    the evaluator's outputs of each side, and what their compiled tensors give there when it
    is not the evaluator's output encoded (a natural past ℕ's end is the zero vector)."""

    args: tuple[str, ...]
    outputs: tuple[str, str]
    compiled: tuple[str, str]
    basis: bool = False  # the input is a basis vector that is not a Cajal value


@dataclass(frozen=True)
class Equivalence:
    """The verdict of `equivalent(a, b)`: truthy when the programs are equal."""

    left: str
    right: str
    type: Type
    nat_dim: int
    equal: bool
    difference: Optional[Difference] = None

    def __bool__(self) -> bool:
        return self.equal

    def call(self, side: str) -> str:
        """`side` applied to the differing input, as Cajal (`or ff tt`); a long argument by its
        name in `where` (a₁, a₂, …)."""
        name = side if _atomic(side) else f"({side})"
        return " ".join([name, *(_wrap(a) for a in self.arg_names)])

    @property
    def arg_names(self) -> tuple[str, ...]:
        """The differing input's arguments as shown in calls: a long one (a function table
        written as a lookup) is named a₁, a₂, … and spelled out by `where`."""
        args = self.difference.args if self.difference else ()
        return tuple(a if len(a) <= LONG else f"a{subscript(i + 1)}" for i, a in enumerate(args))

    @property
    def where(self) -> list[str]:
        """`a₁ = …` for each argument that `arg_names` names."""
        args = self.difference.args if self.difference else ()
        return [f"{n} = {a}" for n, a in zip(self.arg_names, args) if n != a]

    @property
    def text(self) -> str:
        t = pretty(self.type)
        if self.equal:
            return f"{self.left} ≡ {self.right} : {t}  (equal tensors at nat_dim {self.nat_dim})"
        d = self.difference
        if d.basis:
            return (f"{self.left} ≢ {self.right} : {t}  (nat_dim {self.nat_dim})\n"
                    f"they agree on every Cajal input tried, but their tensors differ at the basis input "
                    f"{', '.join(d.args)}, which is not a Cajal value: there {self.left} gives {d.compiled[0]} "
                    f"and {self.right} gives {d.compiled[1]}")
        lines = [f"{self.left} ≢ {self.right} : {t}  (nat_dim {self.nat_dim})"]
        if d.args:
            lines.append("the smallest input where they differ: " + " ".join(_wrap(a) for a in self.arg_names))
            lines += [f"  where {w}" for w in self.where]
        lines += [f"  {self.call(self.left)} = {d.outputs[0]}", f"  {self.call(self.right)} = {d.outputs[1]}"]
        if d.compiled != d.outputs:
            lines.append(f"  compiled at nat_dim {self.nat_dim}: {d.compiled[0]} and {d.compiled[1]} "
                         "(a natural past ℕ's end is the zero vector)")
        return "\n".join(lines)

    def message(self, name: Optional[str] = None) -> str:
        """The checker's sentence for an exercise: "your `or` differs at `or ff tt`: yours
        gives `ff`, expected `tt`" (the left side is the student's)."""
        name = name or self.left
        if self.equal:
            return f"your `{name}` is right"
        d = self.difference
        call = " ".join([name, *(_wrap(a) for a in d.args)])
        if d.basis:
            return (f"your `{name}` agrees with the expected program on every input tried, but its weights "
                    f"differ at the basis input {', '.join(d.args)}")
        yours, expected = d.outputs if d.outputs[0] != d.outputs[1] else d.compiled
        return f"your `{name}` differs at `{call}`: yours gives `{yours}`, expected `{expected}`"

    def __str__(self) -> str:
        return self.text

    def _repr_pretty_(self, p, cycle):
        p.text(self.text)

    def _repr_mimebundle_(self, include=None, exclude=None):
        from . import render
        return render.equivalence_view(self)._repr_mimebundle_()


def equivalent(a, b, *, nat_dim: Optional[int] = None, session=None) -> Equivalence:
    """Whether the closed programs a and b (sources, terms, or session definitions) are equal:
    their compiled tensors at `nat_dim` (default: the session's, or a definition's, or 10)
    are exactly equal. Names in sources are the `session`'s definitions (by default the session
    of a definition compared). Raises CajalTypeError when their types differ."""
    if session is None:
        session = next((x.session for x in (a, b) if _is_definition(x)), None)
    n = nat_dim or (session.nat_dim if session is not None else None) \
        or next((x.nat_dim for x in (a, b) if hasattr(x, "nat_dim") and isinstance(x.nat_dim, int)), 10)
    left, right = program(a, session), program(b, session)
    return compare(left, right, n)


def assert_equivalent(mine, expected, *, name: Optional[str] = None, nat_dim: Optional[int] = None,
                      session=None) -> Equivalence:
    """An exercise's check (nbgrader can grade the cell): raises AssertionError with "your `or`
    differs at `or ff tt`: yours gives `ff`, expected `tt`" unless `mine` equals `expected`."""
    verdict = equivalent(mine, expected, nat_dim=nat_dim, session=session)
    if not verdict:
        raise AssertionError(verdict.message(name or _name_of(mine)))
    return verdict


def program(x, session=None, name: Optional[str] = None, typing: Optional[Typing] = None) -> Program:
    """A side of a comparison from a source, a term or a session definition; `name` is how the
    verdict calls it (by default the definition's name, or the term printed). `typing`: the
    term's typing when it is checked already (`:equiv`'s pipeline), so it is not checked again."""
    if _is_definition(x):
        return Program(x.name, x.type, x.compiled, x.value, {n: d.value for n, d in x.uses.items()}, x.term)
    term = typing.term if typing is not None else as_term(x)
    if session is not None:
        typing = typing or session.check(term)
        used = free_vars(term)
        defs = {k: d for k, d in session.definitions.items() if k in used}
        values = {k: d.value for k, d in defs.items()}

        def compiled(n, typing=typing, defs=defs):
            return compile_typing(typing, {}, n, defs={k: d.compiled(n) for k, d in defs.items()},
                                  size_limit=session.size_limit)
    else:
        typing = typing or check(term)
        values = {}

        def compiled(n, typing=typing):
            return compile_typing(typing, {}, n, defs={})
    value = evaluate(term, defs=values)
    return Program(name or pretty(term), typing.type, compiled, value, values, term)


def require_comparable(left_name: str, left_type: Type, right_name: str, right_type: Type, right_span=None) -> None:
    """Two programs can be compared when they have one type, with no abstract type in it (the
    rule `compare` applies, and `:equiv` checks before it runs)."""
    if left_type != right_type:
        raise CajalTypeError(f"{left_name} has type {pretty(left_type)}, but {right_name} has type "
                             f"{pretty(right_type)}: only programs of one type can be equal", right_span,
                             hint="compare programs of the same type")
    if abstract_names(left_type):
        raise CajalError(f"programs of type {pretty(left_type)} cannot be compared: it has no finite dimension",
                         hint="abstract types have no values in Cajal; compare programs over 𝟚 and ℕ")


def compare(left: Program, right: Program, n: int) -> Equivalence:
    """The verdict on two programs at nat_dim n."""
    require_comparable(left.name, left.type, right.name, right.type, getattr(right.term, "span", None))
    ca, cb = left.compiled(n), right.compiled(n)
    ta, tb = ca.tensor, cb.tensor
    if _equal(ta, tb):
        return Equivalence(left.name, right.name, left.type, n, True)
    return Equivalence(left.name, right.name, left.type, n, False, _difference(left, right, ca, cb, n))


def _equal(a, b) -> bool:
    return a.shape == b.shape and bool((a.double() == b.double()).all())


def _difference(left: Program, right: Program, ca, cb, n: int) -> Difference:
    doms, result = _arguments(left.type)
    if all(isinstance(d, (BoolType, NatType)) for d in doms):
        # every input is a basis vector: the tensors' columns are the outputs
        ta, tb = _uncurried(ca, len(doms)), _uncurried(cb, len(doms))
        differs = (ta.double() != tb.double()).any(dim=0)
        index = min((tuple(i) for i in differs.nonzero().tolist()), key=_order)
        args = [BoolLit(i == 0) if isinstance(d, BoolType) else Nat(i) for d, i in zip(doms, index)]
        out = (ta[(slice(None), *index)], tb[(slice(None), *index)])
        return _report(left, right, args, out, result, n)
    found = _search(left, right, ca, cb, doms, result, n)
    if found is not None:
        return found
    ta, tb = _uncurried(ca, len(doms)), _uncurried(cb, len(doms))
    differs = (ta.double() != tb.double()).any(dim=0)
    index = min((tuple(i) for i in differs.nonzero().tolist()), key=_order)
    names = tuple(basis_name(d, i, n) for d, i in zip(doms, index))
    out = (ta[(slice(None), *index)], tb[(slice(None), *index)])
    shown = tuple(_show_vector(v, result, n) for v in out)
    return Difference(names, shown, shown, basis=True)


def _search(left, right, ca, cb, doms, result, n) -> Optional[Difference]:
    """The smallest input of values (tables for function arguments) where the compiled
    programs differ, running both on each; None when none of those tried differs."""
    choices = [tables(d, n, MAX_INPUTS) for d in doms]
    if any(c is None for c in choices) or _count(choices) > MAX_INPUTS:
        return None
    for index in sorted(itertools.product(*(range(len(c)) for c in choices)), key=_order):
        vectors = [choices[k][i].vector for k, i in enumerate(index)]
        out = (_run(ca, vectors, doms, n), _run(cb, vectors, doms, n))
        if not _equal(out[0], out[1]):
            args = [choices[k][i].term(d, n) for k, (d, i) in enumerate(zip(doms, index))]
            return _report(left, right, args, out, result, n)
    return None


def _run(compiled, vectors, doms, n):
    import torch
    args = [v.to(compiled.dtype).reshape(dim(d.cod, n), dim(d.dom, n)) if isinstance(d, Arrow) else v.to(compiled.dtype)
            for v, d in zip(vectors, doms)]
    out = compiled.call(*args) if args else compiled.tensor
    return torch.as_tensor(out).detach().reshape(-1)


def _report(left: Program, right: Program, args: list[Term], compiled_out, result: Type, n: int) -> Difference:
    """The difference at these arguments, with the evaluator's outputs."""
    outputs = []
    for side in (left, right):
        value = side.value
        for a in args:
            value = apply(value, term_value(a), side.defs)
        outputs.append(pretty(value))
    return Difference(tuple(pretty(a) for a in args), tuple(outputs),
                      tuple(_show_vector(v, result, n) for v in compiled_out))


def _show_vector(v, t: Type, n: int) -> str:
    """A compiled output as Cajal: its value when one-hot, `0-vector` past ℕ's end."""
    from .decompiler import decompile
    v = v.double().reshape(-1)
    if not bool(((v == 0) | (v == 1)).all()):
        return "[" + ", ".join(f"{x:g}" for x in v.tolist()) + "]"
    if float(v.abs().sum()) == 0 and not isinstance(t, Arrow):
        return "the zero vector"
    return pretty(decompile(v, t, n).term)


def _arguments(t: Type) -> tuple[list[Type], Type]:
    doms = []
    while isinstance(t, Arrow):
        doms.append(t.dom)
        t = t.cod
    return doms, t


def _uncurried(compiled, k: int):
    return compiled.uncurried(k) if k else compiled.tensor.reshape(-1)


def _order(index: tuple) -> tuple:
    return (sum(index), index)


def _count(choices) -> int:
    total = 1
    for c in choices:
        total *= len(c)
    return total


def _atomic(text: str) -> bool:
    return text.replace("_", "a").replace("'", "a").isalnum()



def _is_definition(x) -> bool:
    """A session's Definition (known by what it offers: this module sits beside the session)."""
    return all(hasattr(x, a) for a in ("compiled", "value", "type", "uses", "session"))


def _wrap(text: str) -> str:
    return text if _atomic(text) else f"({text})"


def _name_of(x) -> str:
    return getattr(x, "name", None) or (x if isinstance(x, str) and _atomic(x) else "program")


__all__ = ["equivalent", "assert_equivalent", "Equivalence", "Difference", "Program", "program", "compare"]
