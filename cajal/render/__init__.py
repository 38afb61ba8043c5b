"""Pictures of Cajal programs: weight heatmaps, neuron graphs, typing derivations, reduction
traces, error displays and definition cards (issue 6; docs/RENDERING.md).

Every function returns a `View`: `str(view)` is plain text (for consoles and terminals), and
`_repr_mimebundle_` adds HTML or SVG for notebooks. Nothing here imports Jupyter or IPython,
and torch loads only when a tensor is drawn.
"""

from __future__ import annotations

from .common import basis_name, basis_names, dim
from .definition import definition_view
from .derivation import derivation
from .errors import error_view
from .graph import MISSING_DOT, dot_available, graph
from .heatmap import compiled_view, curried_view, heatmap, tensor_text
from .programs import decompiled_view, equivalence_view
from .trace import trace
from .view import View, notes_html, text_view

__all__ = [
    "View", "text_view", "notes_html", "heatmap", "tensor_text", "compiled_view", "curried_view", "graph", "derivation", "trace",
    "error_view", "definition_view", "equivalence_view", "decompiled_view", "basis_name", "basis_names", "dim", "dot_available", "MISSING_DOT",
]
