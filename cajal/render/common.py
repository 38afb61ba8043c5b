"""Helpers the renderers share: dimensions and basis names of types, argument normalisation."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from ..encoding import ARROW, paren  # noqa: F401
from ..encoding import basis_name as encoding_basis_name
from ..encoding import dim as encoding_dim
from ..pretty import pretty
from ..syntax import Abstract, Arrow, BoolType, NatType, Term, Type


def dim(t: Type, nat_dim: int) -> Optional[int]:
    """The dimension of ⟦t⟧, or None when t mentions an abstract type."""
    return encoding_dim(t, nat_dim)


def basis_name(t: Type, k: int, nat_dim: int) -> str:
    """The name of the k-th basis vector of ⟦t⟧ (encoding.basis_name); for a type with no
    finite dimension, just the index."""
    return encoding_basis_name(t, k, nat_dim) if dim(t, nat_dim) is not None else str(k)


def basis_names(t: Type, nat_dim: int) -> list[str]:
    n = dim(t, nat_dim)
    return [basis_name(t, k, nat_dim) for k in range(n or 0)]


def block_size(t: Type, nat_dim: int) -> Optional[int]:
    """The size of the visible blocks of an axis of type t: for τ₁ ⊸ τ₂, dim τ₁ (one block per
    basis vector of the result, one entry per basis vector of the argument); else None."""
    if isinstance(t, Arrow):
        n = dim(t.dom, nat_dim)
        if n and n < dim(t, nat_dim):
            return n
    return None


def show_type(t) -> str:
    return pretty(t) if t is not None else "?"


def is_type(x) -> bool:
    return isinstance(x, (BoolType, NatType, Arrow, Abstract))


def is_term(x) -> bool:
    from ..syntax import App, BoolLit, If, Iter, Lam, Let, Nat, Succ, Var
    return isinstance(x, (Var, BoolLit, Nat, Succ, Lam, App, If, Let, Iter))


class Defs:
    """Definitions as the renderers get them: a mapping from names to Types, Terms, or objects
    with `.type` / `.term` (a session Definition, a Compiled, the render package's `Typed`).
    Gives what is known of each; it never type-checks (a bare Term has no type here: the
    render package's face types the definitions given as bare terms, once)."""

    def __init__(self, defs: Optional[Mapping[str, Any]], types: Iterable[str] = ()):
        self.raw = dict(defs or {})
        self.abstract = set(types)

    def names(self):
        return self.raw.keys()

    def term(self, name: str) -> Optional[Term]:
        d = self.raw.get(name)
        if is_term(d):
            return d
        t = getattr(d, "term", None)
        return t if is_term(t) else None

    def terms(self) -> dict[str, Term]:
        return {n: t for n in self.raw if (t := self.term(n)) is not None}

    def type(self, name: str) -> Optional[Type]:
        d = self.raw.get(name)
        if is_type(d):
            return d
        t = getattr(d, "type", None)
        return t if is_type(t) else None

    def types_for(self, term: Term) -> dict[str, Type]:
        """The types of the definitions `term` mentions (for the checker)."""
        from ..syntax import free_vars
        out = {}
        for name in free_vars(term):
            if name in self.raw:
                t = self.type(name)
                if t is not None:
                    out[name] = t
        return out


def fmt_value(v: float) -> str:
    """A number for a cell: integers exactly, others with 3 significant digits."""
    if v == 0:
        return "0"
    if v != v:
        return "nan"
    if v in (float("inf"), float("-inf")):
        return "∞" if v > 0 else "−∞"
    if v == int(v) and abs(v) < 1e6:
        return str(int(v))
    return f"{v:.3g}" if abs(v) >= 1e-3 else f"{v:.1e}"


def truncate(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    half = (width - 1) // 2
    return text[:half] + "…" + text[len(text) - (width - 1 - half):]
