"""Cajal: a small typed, linear, higher-order language whose programs compile to neurons.

`import cajal` is cheap: the compiler and everything that needs torch load on first use.
"""

from __future__ import annotations

import sys
from typing import Any, Iterable, Mapping, Optional

from . import evaluation
from . import types as checker
from .errors import CajalError, CajalSyntaxError, CajalTypeError, Source, Span
from .parser import as_term, as_type, parse_cell, parse_term, parse_type
from .pretty import pretty

# Nesting is capped at parser.MAX_DEPTH; each level costs a few Python frames.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))

__version__ = "0.1.0"


# ---------------------------------------------------------------------------- the public API
# Strings become terms here, and only here: the stages (types, evaluation, compiler internals,
# renderers) take syntax (docs/ARCHITECTURE.md).


def check(term, ctx: Optional[Mapping] = None, *, defs: Optional[Mapping] = None,
          types: Iterable[str] = ()) -> checker.Typing:
    """Check `term` (a Term or its source), whose free variables `ctx` types ({name: Type or
    type source}, each used exactly once), and return everything learned (`Typing`). `defs`
    are constants ({name: Type}), `types` the declared abstract types. Raises CajalTypeError."""
    return checker.check(as_term(term), _context(ctx), defs=defs, types=types)


def typecheck(term, ctx: Optional[Mapping] = None, *, defs: Optional[Mapping] = None, types: Iterable[str] = ()):
    """The type of `term` (a Term or its source) in the context `ctx`."""
    return check(term, ctx, defs=defs, types=types).type


def evaluate(term, env: Optional[Mapping[str, Any]] = None, *, defs: Optional[Mapping] = None):
    """The value of `term` (a Term or its source). `env` gives the free variables (Values or
    Python bool/int); `defs` gives the values of definitions. A term with a hole is refused
    (even where evaluation would not reach it), naming the hole."""
    term = as_term(term)
    _refuse_holes(term, closed=not env and not defs)
    return evaluation.evaluate(term, env, defs=defs)


def steps(term, *, defs: Optional[Mapping] = None, limit: Optional[int] = None) -> list:
    """The small-step reduction of `term` (a Term or its source) to its value: one `Step` per
    rule applied (β, if-tt, if-ff, iter-zero, iter-succ, succ, and δ for a definition)."""
    term = as_term(term)
    _refuse_holes(term, closed=not defs)
    return evaluation.steps(term, defs=defs, limit=limit)


def _refuse_holes(term, closed: bool) -> None:
    """Raise the error of the term's first hole, with its type when the term is closed (and
    so can be checked here)."""
    from .syntax import holes
    found = holes(term)
    if not found:
        return
    if closed:
        try:
            goals = checker.check(term).holes
        except CajalTypeError:
            goals = []
        if goals:
            raise goals[0].error()
    raise evaluation.unfilled(found[0])


def _context(ctx):
    if ctx is None or not isinstance(ctx, Mapping):
        return ctx  # the checker says what a context must be
    return {name: as_type(t) for name, t in ctx.items()}

_LAZY = {
    "compile": ("cajal.compiler", "compile"),
    "Compiled": ("cajal.compiler", "Compiled"),
    "encode": ("cajal.compiler", "encode_value"),
    "decode": ("cajal.encoding", "decode"),
    "Session": ("cajal.session", "Session"),
    "Definition": ("cajal.session", "Definition"),
    "equivalent": ("cajal.equivalence", "equivalent"),
    "assert_equivalent": ("cajal.equivalence", "assert_equivalent"),
    "decompile": ("cajal.decompiler", "decompile"),
}


def load(path, session=None):
    """The definitions of a `.cj` file: a new Session holding them, or `session` with them
    added. A file holds what a cell holds; an error names the file, line and column."""
    from .session import Session
    if session is None:
        session = Session()
    session.load(path)
    return session


def __getattr__(name: str):
    if name in _LAZY:
        import importlib
        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cajal' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The lazy names too, so that dir(), help() and completion (`cajal.Se` + Tab) see them."""
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "CajalError", "CajalSyntaxError", "CajalTypeError", "Source", "Span", "evaluate", "steps",
    "parse_cell", "parse_term", "parse_type", "pretty", "check", "typecheck", "load", *_LAZY,
]
