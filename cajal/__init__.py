"""Cajal: a small typed, linear, higher-order language whose programs compile to neurons.

`import cajal` is cheap: the compiler and everything that needs torch load on first use.
"""

from __future__ import annotations

import sys

from .errors import CajalError, CajalSyntaxError, CajalTypeError, Source, Span
from .evaluation import evaluate, steps
from .parser import parse_cell, parse_term, parse_type
from .pretty import pretty
from .types import check, typecheck

# Nesting is capped at parser.MAX_DEPTH; each level costs a few Python frames.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))

__version__ = "0.1.0"

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
