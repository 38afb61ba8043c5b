"""Values of the evaluator: Python `bool` (tt/ff), Python `int` (naturals, unbounded),
closures, and opaque values linked in from Python."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping, Optional, Union

from .syntax import BoolLit, Lam, Nat, Term, Type


@dataclass(frozen=True)
class Closure:
    """A λ with the (immutable) environment it was made in."""

    param: str
    param_type: Type
    body: Term
    env: Mapping[str, "Value"] = field(default_factory=lambda: MappingProxyType({}))
    # The definitions in scope where the λ was written: a definition is used by value, so a
    # closure keeps the definitions it was made with (they are not substituted on display).
    defs: Mapping[str, "Value"] = field(default_factory=lambda: MappingProxyType({}), repr=False)

    def as_term(self) -> Term:
        """The closed term this closure stands for: the values of its free variables substituted
        in. Cached (a closure is immutable): closures that capture closures then share their
        terms, so converting a chain of them takes linear, not exponential, time."""
        term = self.__dict__.get("_term")
        if term is None:
            from .substitute import substitute
            from .syntax import free_vars
            free = free_vars(self.body) - {self.param}
            term = Lam(self.param, self.param_type,
                       substitute(self.body, {x: value_term(self.env[x]) for x in free if x in self.env}))
            self.__dict__["_term"] = term
        return term

    def let_term(self) -> Term:
        """The closed term this closure stands for, of size linear in what it holds: its free
        variables bound by `let` to their values. (`as_term` substitutes them, copying a value
        into every `if` branch that uses it: exponential for closures of closures.) This is the
        form the compiler is given."""
        term = self.__dict__.get("_let_term")
        if term is None:
            from .syntax import Let, free_vars
            term = Lam(self.param, self.param_type, self.body)
            for x in sorted(free_vars(self.body) - {self.param}, reverse=True):
                if x in self.env:
                    v = self.env[x]
                    term = Let(x, v.let_term() if isinstance(v, Closure) else value_term(v), term)
            self.__dict__["_let_term"] = term
        return term

    def __eq__(self, other):
        return isinstance(other, Closure) and self.as_term() == other.as_term()

    def __hash__(self):
        return hash(self.as_term())


@dataclass(frozen=True, eq=False)
class Opaque:
    """A value from Python (a tensor, a module, a function) that Cajal carries unchanged."""

    obj: Any
    type: Optional[Type] = None


Value = Union[bool, int, Closure, Opaque]


def value_term(v: Value) -> Term:
    """A value as a term, to substitute it into another term."""
    if isinstance(v, bool):
        return BoolLit(v)
    if isinstance(v, int):
        return Nat(v)
    if isinstance(v, Closure):
        return v.as_term()
    raise ValueError("a linked Python value has no Cajal term")


def is_value(term: Term) -> bool:
    return isinstance(term, (BoolLit, Nat, Lam))


def term_value(term: Term) -> Value:
    """A value term (tt, 3, λ) as a value."""
    match term:
        case BoolLit(b):
            return b
        case Nat(n):
            return n
        case Lam(param, t, body):
            return Closure(param, t, body)
    raise ValueError(f"not a value: {term!r}")
