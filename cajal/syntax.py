"""Abstract syntax of Cajal: types, terms and the items of a cell.

Every node is a small frozen dataclass. Source positions (`span`) are carried for error
messages but never take part in equality, so `parse(pretty(t)) == t` compares structure only.
Closed naturals are one `Nat(n)` node, never a chain of `Succ`: a numeral of 10,000 stays one
node, and `succ` of a numeral folds (use `succ()` to build terms).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Optional, Union

from .errors import Span
from .lexicon import ASCII, HOLE, UNICODE


def _span():
    return field(default=None, compare=False, repr=False)


# ---------------------------------------------------------------- types


class _PrintsAsCajal:
    """Types print as Cajal: `str(t)` and `print(t)` give `𝟚 ⊸ ℕ`; `repr` stays structural."""

    __slots__ = ()

    def __str__(self) -> str:
        return type_text(self)


def type_text(t: "Type", ascii: bool = False, left: bool = False) -> str:
    """The Cajal notation of a type (`𝟚 ⊸ ℕ`, or `Bool -o Nat` in ASCII). It lives with the
    types so that `str(t)` needs no printer module; `cajal.pretty` prints terms with it."""
    sym = ASCII if ascii else UNICODE
    if isinstance(t, BoolType):
        return sym["Bool"]
    if isinstance(t, NatType):
        return sym["Nat"]
    if isinstance(t, Abstract):
        return t.name
    if isinstance(t, Unknown):
        return f"t{t.number}" if ascii else "τ" + subscript(t.number)
    if isinstance(t, Arrow):
        text = f"{type_text(t.dom, ascii, True)} {sym['⊸']} {type_text(t.cod, ascii)}"
        return f"({text})" if left else text
    raise TypeError(f"not a type: {t!r}")


@dataclass(frozen=True)
class BoolType(_PrintsAsCajal):
    span: Optional[Span] = _span()


@dataclass(frozen=True)
class NatType(_PrintsAsCajal):
    span: Optional[Span] = _span()


@dataclass(frozen=True)
class Arrow(_PrintsAsCajal):
    """The linear function type `dom ⊸ cod`."""

    dom: "Type"
    cod: "Type"
    span: Optional[Span] = _span()


@dataclass(frozen=True)
class Abstract(_PrintsAsCajal):
    """A base type declared with `type A`; its values come only from linking."""

    name: str
    span: Optional[Span] = _span()


@dataclass(frozen=True)
class Unknown(_PrintsAsCajal):
    """A type the checker could not determine: the type of a hole that nothing around it fixes
    (LANGUAGE.md section 10). It prints as τ₁, τ₂, … and only ever appears in what the checker
    reports about a term with holes, which never runs."""

    number: int


def subscript(i: int) -> str:
    """`i` in subscript digits (h₁₂, τ₁), as views name states and inputs and the checker
    unknown types (`cajal.pretty` offers it to the views)."""
    return str(i).translate(_SUBSCRIPTS)


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")

Type = Union[BoolType, NatType, Arrow, Abstract]

BOOL = BoolType()
NAT = NatType()


def arrows(*types: Type) -> Type:
    """`arrows(a, b, c)` is `a ⊸ b ⊸ c`."""
    result = types[-1]
    for t in reversed(types[:-1]):
        result = Arrow(t, result)
    return result


def abstract_names(t: Type) -> frozenset[str]:
    """The abstract types a type mentions (a type is finite-dimensional iff there are none).
    Not cached: types are small, and `torch.compile` traces through this function (it warns
    about an `lru_cache` in a compiled program's call)."""
    match t:
        case Arrow(dom, cod):
            return abstract_names(dom) | abstract_names(cod)
        case Abstract(name):
            return frozenset((name,))
        case _:
            return frozenset()


# ---------------------------------------------------------------- terms


@dataclass(frozen=True)
class Var:
    name: str
    span: Optional[Span] = _span()


@dataclass(frozen=True)
class BoolLit:
    value: bool
    span: Optional[Span] = _span()


@dataclass(frozen=True)
class Nat:
    """A closed natural: `zero` is Nat(0), the numeral 3 is Nat(3)."""

    value: int
    span: Optional[Span] = _span()


@dataclass(frozen=True)
class Succ:
    arg: "Term"
    span: Optional[Span] = _span()


@dataclass(frozen=True)
class Lam:
    param: str
    param_type: Type
    body: "Term"
    span: Optional[Span] = _span()
    param_span: Optional[Span] = _span()


@dataclass(frozen=True)
class App:
    fn: "Term"
    arg: "Term"
    span: Optional[Span] = _span()


@dataclass(frozen=True)
class If:
    cond: "Term"
    then: "Term"
    else_: "Term"
    span: Optional[Span] = _span()


@dataclass(frozen=True)
class Let:
    """`let name = bound in body`, which means `(λname:τ. body) bound`."""

    name: str
    bound: "Term"
    body: "Term"
    span: Optional[Span] = _span()
    name_span: Optional[Span] = _span()


@dataclass(frozen=True)
class Iter:
    """`iter{base | var ↪ step}(count)`: step applied count times to base."""

    base: "Term"
    var: str
    step: "Term"
    count: "Term"
    span: Optional[Span] = _span()
    var_span: Optional[Span] = _span()


@dataclass(frozen=True)
class Hole:
    """A typed hole, `?name` (or `?`, whose name is ""): a term still to write. The checker
    gives it a type and a context (`types.Goal`); running, evaluating or compiling it is an
    error that names it."""

    name: str
    span: Optional[Span] = _span()

    @property
    def text(self) -> str:
        return HOLE + self.name


Term = Union[Var, BoolLit, Nat, Succ, Lam, App, If, Let, Iter, Hole]


def succ(arg: Term, span: Optional[Span] = None) -> Term:
    """`succ arg`, folding numerals so that closed naturals stay canonical."""
    if isinstance(arg, Nat):
        return Nat(arg.value + 1, span)
    return Succ(arg, span)


def free_vars(term: Term) -> set[str]:
    """The free variables of a term."""
    match term:
        case Var(name):
            return {name}
        case BoolLit() | Nat() | Hole():
            return set()
        case Succ(arg):
            return free_vars(arg)
        case Lam(param, _, body):
            return free_vars(body) - {param}
        case App(fn, arg):
            return free_vars(fn) | free_vars(arg)
        case If(c, a, b):
            return free_vars(c) | free_vars(a) | free_vars(b)
        case Let(name, bound, body):
            return free_vars(bound) | (free_vars(body) - {name})
        case Iter(base, var, step, count):
            return free_vars(base) | (free_vars(step) - {var}) | free_vars(count)
    raise TypeError(f"not a term: {term!r}")


# The fields that hold each term's immediate sub-terms, in source order (the one list of them:
# `children` reads it, and a path of child numbers is spelled with it).
CHILD_FIELDS: dict[type, tuple[str, ...]] = {
    Succ: ("arg",),
    Lam: ("body",),
    App: ("fn", "arg"),
    If: ("cond", "then", "else_"),
    Let: ("bound", "body"),
    Iter: ("base", "step", "count"),
}


def children(term: Term) -> tuple[Term, ...]:
    """The immediate sub-terms, in source order."""
    return tuple(getattr(term, name) for name in CHILD_FIELDS.get(type(term), ()))


def leading_lambdas(term: Term) -> tuple[list[Lam], Term]:
    """The λs a term starts with (its parameters, outermost first) and the body under them."""
    lams = []
    while isinstance(term, Lam):
        lams.append(term)
        term = term.body
    return lams, term


def holes(term: Term) -> list[Hole]:
    """The holes of a term, in source order."""
    found, stack = [], [term]
    while stack:
        node = stack.pop()
        if isinstance(node, Hole):
            found.append(node)
        stack.extend(reversed(children(node)))
    return found


# ---------------------------------------------------------------- items of a cell


@dataclass(frozen=True)
class Param:
    name: str
    type: Type
    span: Optional[Span] = _span()


@dataclass(frozen=True)
class Def:
    """`def name params : result = body`; `term` is the curried λ it means."""

    name: str
    params: tuple[Param, ...]
    result_type: Optional[Type]
    body: Term
    span: Optional[Span] = _span()
    name_span: Optional[Span] = _span()

    @functools.cached_property
    def term(self) -> Term:
        """Built once and kept (in the instance's dict: the dataclass stays frozen), so a
        `Typing` of it keeps matching its nodes."""
        term = self.body
        for p in reversed(self.params):
            term = Lam(p.name, p.type, term, self.body.span, p.span)
        return term


@dataclass(frozen=True)
class TypeDecl:
    name: str
    span: Optional[Span] = _span()


@dataclass(frozen=True)
class Directive:
    """`:word text`; `text` is kept raw (with its position) for the directive to parse."""

    word: str
    text: str
    span: Optional[Span] = _span()
    text_offset: int = field(default=0, compare=False)


@dataclass(frozen=True)
class TermItem:
    term: Term
    span: Optional[Span] = _span()


Item = Union[Def, TypeDecl, Directive, TermItem]
