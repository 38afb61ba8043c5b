"""Print terms, types and values in the canonical Unicode form, or in ASCII on request.

The printer brackets exactly where the grammar needs it, so `parse(pretty(t)) == t`.
"""

from __future__ import annotations

from .lexicon import ASCII, UNICODE
from .syntax import (
    Abstract,
    App,
    Arrow,
    BoolLit,
    BoolType,
    Hole,
    If,
    Iter,
    Lam,
    Let,
    Nat,
    NatType,
    Succ,
    Unknown,
    Var,
    subscript,  # noqa: F401 (offered to the views: `pretty.subscript`)
    type_text,
)

# Precedence of the position a term is printed in: the whole text, a function applied to an
# argument, an argument (brackets are added where the position needs them).
TOP, FUNCTION, ARGUMENT = 0, 1, 2


def pretty(thing, ascii: bool = False) -> str:
    """The source text of a term, type or value."""
    from .errors import ensure_recursion_limit
    ensure_recursion_limit()
    try:
        return _pretty(thing, ASCII if ascii else UNICODE)
    except RecursionError:
        from .errors import CajalError
        raise CajalError("this is nested too deeply to print",
                         hint="split the program into smaller definitions with `def`") from None


def pretty_at(term, position: int) -> str:
    """The text of a term printed in `position` (TOP, FUNCTION or ARGUMENT) of a larger term."""
    return _term(term, position, UNICODE)


def _pretty(thing, sym) -> str:
    from .values import Closure, Opaque  # values import pretty for their repr

    match thing:
        case bool():
            return "tt" if thing else "ff"
        case int():
            return numeral(thing)
        case Closure():
            return _term(thing.as_term(), TOP, sym)
        case Opaque():
            if thing.type is None:
                return "<linked value>"
            return f"<linked {_type(thing.type, sym)}>"
        case BoolType() | NatType() | Arrow() | Abstract() | Unknown():
            return _type(thing, sym)
    return _term(thing, TOP, sym)


_STR_LIMIT = 10 ** 4000


def numeral(n: int) -> str:
    """The decimal digits of n, however many (`str()` refuses ints of over 4300 digits)."""
    if n < _STR_LIMIT:
        return str(n)
    half = len(bin(n)) * 3 // 20  # about half the number of decimal digits
    high, low = divmod(n, 10 ** half)
    return numeral(high) + numeral(low).zfill(half)


def _type(t, sym) -> str:
    return type_text(t, ascii=sym is ASCII)


def _term(t, prec: int, sym) -> str:
    match t:
        case Var(name):
            return name
        case Hole():
            return t.text
        case BoolLit(value):
            return "tt" if value else "ff"
        case Nat(value):
            return numeral(value)
        case Succ(arg):
            text = f"succ {_term(arg, ARGUMENT, sym)}"
            return f"({text})" if prec == ARGUMENT else text
        case App(fn, arg):
            text = f"{_term(fn, FUNCTION, sym)} {_term(arg, ARGUMENT, sym)}"
            return f"({text})" if prec == ARGUMENT else text
        case Iter(base, var, step, count):
            return (f"iter{{{_term(base, TOP, sym)} | {var} {sym['↪']} {_term(step, TOP, sym)}}}"
                    f"({_term(count, TOP, sym)})")
        case Lam(param, param_type, body):
            text = f"{sym['λ']}{param}:{_type(param_type, sym)}. {_term(body, TOP, sym)}"
        case If(c, a, b):
            text = f"if {_term(c, TOP, sym)} then {_term(a, TOP, sym)} else {_term(b, TOP, sym)}"
        case Let(name, bound, body):
            text = f"let {name} = {_term(bound, TOP, sym)} in {_term(body, TOP, sym)}"
        case _:
            raise TypeError(f"not a term: {t!r}")
    return text if prec == TOP else f"({text})"


