"""Pictures of Cajal programs: weight heatmaps, neuron graphs, typing derivations, reduction
traces, error displays and definition cards (issue 6; docs/RENDERING.md).

Every function returns a `View`: `str(view)` is plain text (for consoles and terminals), and
`_repr_mimebundle_` adds HTML or SVG for notebooks. Nothing here imports Jupyter or IPython,
and torch loads only when a tensor is drawn.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Optional, Sequence

from .. import types as checker
from ..errors import CajalError
from ..parser import as_term, as_type
from ..syntax import Term, Type, free_vars
from . import derivation as derivation_module
from . import graph as graph_module
from . import heatmap as heatmap_module
from . import trace as trace_module
from .common import basis_name, basis_names, dim, is_term, is_type
from .definition import definition_view
from .errors import error_view
from .graph import MISSING_DOT, dot_available
from .heatmap import compiled_view, curried_view, tensor_text
from .programs import decompiled_view, equivalence_view
from .view import View, notes_html, text_view

# This package's face is public API: a term or type given as its source is parsed here (a
# syntax error becomes its error view), and the renderers themselves take syntax only.


@dataclass(frozen=True)
class Typed:
    """A definition given as a bare term, with its type (None when it does not check)."""

    term: Term
    type: Optional[Type]


def _from_source(draw, *, typed_defs: bool = True):
    """The renderer `draw(term, …)` as a public function that also takes the term (and the
    types of `ctx`) as source, and definitions as bare terms (typed here, once, when the view
    shows types); a syntax error becomes its error view."""
    @functools.wraps(draw)
    def drawing(term, **options) -> View:
        try:
            term = as_term(term)
            if options.get("ctx") is not None:
                options["ctx"] = {name: as_type(t) for name, t in options["ctx"].items()}
        except CajalError as err:
            return error_view(err)
        if typed_defs and options.get("defs"):
            options["defs"] = _typed(options["defs"], options.get("types", ()))
        return draw(term, **options)
    return drawing


def _typed(defs, types) -> dict:
    """The definitions, those given as bare terms with their types (a term may use the others)."""
    raw, done = dict(defs), {}

    def type_of(name: str, busy: frozenset) -> Optional[Type]:
        d = raw[name]
        if not is_term(d):
            return d if is_type(d) else getattr(d, "type", None)
        if name not in done and name not in busy:
            uses = {n: t for n in free_vars(d) if n in raw and (t := type_of(n, busy | {name})) is not None}
            try:
                done[name] = Typed(d, checker.check(d, defs=uses, types=types).type)
            except CajalError:
                done[name] = Typed(d, None)
        return done[name].type if name in done else None

    for name in raw:
        type_of(name, frozenset())
    return {name: done.get(name, d) for name, d in raw.items()}


graph = _from_source(graph_module.graph)
derivation = _from_source(derivation_module.derivation)
trace = _from_source(trace_module.trace, typed_defs=False)  # δ needs the terms only


def heatmap(tensor, out_type, in_types: Sequence = (), *, title: Optional[str] = None,
            note: Optional[str] = None, **options) -> View:
    """A labelled heatmap of a compiled tensor; the types may be given as their sources (see
    `render.heatmap.heatmap`)."""
    try:
        out_type = _type(out_type)
        in_types = [(x[0], _type(x[1])) if isinstance(x, tuple) and len(x) == 2 else _type(x) for x in in_types]
    except CajalError as err:
        return text_view(err.message, title=title, note=note)
    return heatmap_module.heatmap(tensor, out_type, in_types, title=title, note=note, **options)


def _type(t):
    return as_type(t) if t is not None else None


__all__ = [
    "View", "text_view", "notes_html", "heatmap", "tensor_text", "compiled_view", "curried_view", "graph", "derivation", "trace",
    "error_view", "definition_view", "equivalence_view", "decompiled_view", "basis_name", "basis_names", "dim", "dot_available", "MISSING_DOT",
]
