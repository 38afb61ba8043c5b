"""The infoview: what the editor shows beside a Cajal cell for the term at the cursor.

A moment after typing or moving the cursor stops, the editor asks (over the `cajal.check`
comm, docs/FRONTENDS.md "The infoview") for the innermost term at the cursor: its type, the
linear context split there (Δ = Δ₁ ∘ Δ₂: Δ₂ the variables this subterm consumes, Δ₁ those the
rest of the term still has to use), the enclosing item's compiled weights as the small heatmap
`:matrix` draws, with the axes that subterm reads highlighted, and the cell's error. It reads
the item pipeline's records (`cajal.items`: parsed and checked once); it never evaluates, never
changes the session, and compiles only through the memory budget, with a panel-sized limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from . import budget, items
from .diagnostics import Diagnostic, Utf16
from .encoding import dim
from .errors import CajalError, Span
from .pretty import pretty
from .render.view import esc
from .session import Session
from .syntax import (
    Def,
    Hole,
    Iter,
    Lam,
    Let,
    Term,
    TermItem,
    Type,
    abstract_names,
    children,
    free_vars,
    leading_lambdas,
)
from .types import Typing

# A panel heatmap draws at most this many entries; a larger program is named, not drawn.
PANEL_CELLS = 1024
# Compiling for the panel may use at most this much memory (or the session's limit, if lower).
PANEL_LIMIT_BYTES = 64 << 20
OUTPUT = "output"  # the heatmap's name for its rows (the result)


@dataclass(frozen=True)
class Weights:
    """The enclosing item's heatmap (`html`, `text`, as `:matrix` draws it, its axes' header
    cells tagged with their source spans), and the axes to highlight (`highlight`: the first
    parameter's name for the columns, `output` for the rows), marked `data-cajal-hl`. When the
    sub-term at the cursor is closed, `part_html` is its own block of weights, read from the
    compiled program (`Compiled.tensor_of`: no second compile)."""

    html: str
    text: str
    highlight: tuple[str, ...]
    part_html: Optional[str] = None  # the weights of the closed sub-term at the cursor, if any


@dataclass(frozen=True)
class Info:
    """What the infoview shows. `span`/`type`: the innermost term at the cursor (None outside
    every term); `consumes` (Δ₂) and `rest` (Δ₁): (name, type) of the linear variables this
    subterm uses and of those the rest of the term uses; `item`: the enclosing definition's
    name (or the item's source); `weights` or `weights_note` (why there are none); `error`:
    the cell's first error, as running it reports it."""

    span: Optional[Span] = None
    type: Optional[Type] = None
    consumes: tuple[tuple[str, Type], ...] = ()
    rest: tuple[tuple[str, Type], ...] = ()
    item: Optional[str] = None
    weights: Optional[Weights] = None
    weights_note: Optional[str] = None
    error: Optional[Diagnostic] = None


def info_at(session: Session, source: str, line: int, col: int, first_line: int = 1, *,
            weights: bool = True) -> Info:
    """The infoview for the cursor at (`line`, `col`) of a cell body `source` whose first line
    is `first_line`. `weights=False` skips compiling (types and contexts only)."""
    found: Optional[items.Record] = None
    records: list[items.Record] = []
    defined_before: set[str] = set()  # names the cell defines before the cursor's item
    error = None
    try:
        for record in items.records(session.scope(), source, first_line):
            records.append(record)
            if record.command is not None and record.command.reads_files:
                break  # what follows may use the file's definitions (as the live check does)
    except CajalError as err:
        error = Diagnostic(err.span or _start(source, first_line), err.message, err.hint)
    except (RecursionError, MemoryError):
        error = Diagnostic(_start(source, first_line), "the program is nested too deeply to process",
                           "split it into smaller definitions with `def`")
    # the cursor is before a character; at the end of a term (`not x|`), it is at that term
    for col in (col, col - 1):
        found = next((r for r in records if _contains(r.span, line, col)), None)
        if found is not None:
            break
    if found is None:
        return Info(error=error)
    name = found.defines or _first_line_of(found.span)
    terms = found.typed_terms()  # one, or none, or the two of `:equiv`
    term, typing = next(((t, ty) for t, ty in terms if _contains(t.span, line, col)), terms[0] if terms else (None, None))
    if term is None:
        return Info(item=name, error=error)
    for record in records[:records.index(found)]:
        if record.defines:
            defined_before.add(record.defines)
    node, scope = _innermost(term, typing, line, col)
    if isinstance(node, Lam) and _contains(node.param_span, line, col):
        node_type, consumed = node.param_type, {node.param: node.param_type}  # the parameter it binds
    elif isinstance(node, Hole):  # a typed hole: what it may use (LANGUAGE.md section 10)
        goal = next(g for g in typing.holes if g.hole is node)
        node_type, consumed = goal.type, dict(goal.context)
    else:
        node_type, consumed = typing.types[id(node)], typing.contexts.get(id(node), {})
    consumes = tuple(consumed.items())
    rest = tuple((n, t) for n, t in scope.items() if n not in consumed)
    drawn, note = (_weights(session, found, node, consumed, defined_before, line, col) if weights
                   else (None, None))
    return Info(node.span, node_type, consumes, rest, name, drawn, note, error)


def _contains(span: Optional[Span], line: int, col: int) -> bool:
    """Whether the character at (line, col) is in `span`."""
    return span is not None and (span.line, span.col) <= (line, col) < (span.end_line, span.end_col)


def _innermost(term: Term, typing: Typing, line: int, col: int) -> tuple[Term, dict[str, Type]]:
    """The innermost sub-term at the cursor, and the linear variables bound around it (name →
    type, outermost first; an inner binder of the same name replaces the outer one)."""
    scope: dict[str, Type] = {}
    node = term
    while not (isinstance(node, Lam) and _contains(node.param_span, line, col)):
        inner = [c for c in children(node) if _contains(c.span, line, col)]
        if not inner:
            break
        child = inner[0]
        bound = _binds(node, child, typing)
        if bound is not None:
            scope.pop(bound[0], None)
            scope[bound[0]] = bound[1]
        node = child
    return node, scope


def _binds(node: Term, child: Term, typing: Typing) -> Optional[tuple[str, Type]]:
    """The variable `node` binds in its sub-term `child`, with its type, if any."""
    match node:
        case Lam(param, param_type):
            return param, param_type
        case Let(name, bound, body) if child is body:
            return name, typing.types[id(bound)]
        case Iter(base, var, step) if child is step:
            return var, typing.types[id(base)]
    return None


def _first_line_of(span: Optional[Span]) -> Optional[str]:
    """The item's first line (what the panel calls an item that is not a definition)."""
    if span is None or span.source is None:
        return None
    lines = span.source.text.split("\n")
    index = span.line - span.source.first_line
    return lines[index].strip()[:60] if 0 <= index < len(lines) else None


def _start(source: str, first_line: int) -> Span:
    from .errors import Source
    return Span(first_line, 1, first_line, 2, Source(source, first_line))


# ---------------------------------------------------------------------------- the weights


def _weights(session: Session, record: items.Record, node: Term, consumed: dict, defined_before: set[str],
             line: int, col: int) -> tuple[Optional[Weights], Optional[str]]:
    """The heatmap of the item at the cursor with the axes `node` reads highlighted, or why
    there is none. The program is compiled with the session's definitions, through the memory
    budget with the panel's limit."""
    from .compiler.program import compile_typing
    from .render.heatmap import compiled_view

    typing = record.typing
    if not (isinstance(record.item, (Def, TermItem))):
        return None, "weights are drawn for definitions and terms"
    if abstract_names(typing.type):
        return None, f"{pretty(typing.type)} mentions an abstract type: there are no weights to draw"
    used = free_vars(typing.term)
    pending = sorted(used & defined_before)
    if pending:
        return None, f"run this cell's definition of `{pending[0]}` first to see the weights"
    params, body = leading_lambdas(typing.term)
    entries = dim(typing.type, session.nat_dim)
    if entries is None or entries > PANEL_CELLS:
        what = f"{entries:,} weights" if entries is not None else "weights of no finite size"
        return None, f"this program has {what}, too many for the panel (up to {PANEL_CELLS:,}): `:matrix` draws them"
    limit = min(budget.limit(session.size_limit), PANEL_LIMIT_BYTES)
    try:
        defs = {n: d.compiled() for n, d in session.definitions.items() if n in used}
        compiled = compile_typing(typing, {}, session.nat_dim, defs=defs, size_limit=limit)
        view = compiled_view(compiled, title=None)
        part = _part(compiled, node, session.nat_dim) if node is not typing.term and not consumed else None
    except CajalError as err:
        return None, f"not compiled for the panel: {err.message}"
    highlight = _highlight(node, consumed, params, body)
    return Weights(_marked(view.html, highlight), view.text, highlight, part), None


def _part(compiled, node: Term, nat_dim: int) -> Optional[str]:
    """The heatmap of a closed sub-term's weights in the compiled program (a definition it
    names, a folded constant, or its node run once), marked as highlighted; None if it has
    none (open, not finite, or larger than the panel draws)."""
    from .render.heatmap import heatmap, span_attr
    from .syntax import Arrow

    t = compiled.typing.types.get(id(node))
    entries = dim(t, nat_dim) if t is not None else None
    if entries is None or entries > PANEL_CELLS:
        return None
    tensor = compiled.tensor_of(node)
    if tensor is None:
        return None
    title = f"{pretty(node)} : {pretty(t)}, its weights in this program"
    if isinstance(t, Arrow) and dim(t.dom, nat_dim):
        view = heatmap(tensor.reshape(dim(t.cod, nat_dim), dim(t.dom, nat_dim)), t.cod, [t.dom], nat_dim=nat_dim,
                       title=title)
    else:
        view = heatmap(tensor, t, nat_dim=nat_dim, title=title)
    where = f' data-cajal-span="{span_attr(node.span)}"' if node.span is not None else ""
    return f'<div class="cajal-infoview-part" data-cajal-hl{where}>{view.html}</div>'


def _highlight(node: Term, consumed: dict, params: list[Lam], body: Term) -> tuple[str, ...]:
    """The heatmap axes the sub-term at the cursor reads: a parameter of the item is the
    columns (the first) or a block of rows (the others: `:matrix` draws a curried function's
    later arguments inside its rows); the body and what it is made of is the rows."""
    first = params[0].param if params else None
    names = [p.param for p in params]
    marks: list[str] = []
    for name in consumed:
        if name in names:
            marks.append(name if name == first else OUTPUT)
    if node is body:
        marks.append(OUTPUT)
    return tuple(dict.fromkeys(marks))


def _marked(html: str, highlight: tuple[str, ...]) -> str:
    """The heatmap HTML with the header cells of the highlighted axes marked `data-cajal-hl`."""
    for axis in highlight:
        attribute = f'data-cajal-axis="{esc(axis)}"'
        html = html.replace(attribute, attribute + " data-cajal-hl")
    return html


# ---------------------------------------------------------------------------- the wire format


def position(cell: str, body: int, first_line: int, offset: int) -> Optional[tuple[int, int]]:
    """(line, column) in the checked source `cell[body:]` of a cursor at `offset` UTF-16 code
    units into the whole cell (as the editor counts); None in the cell's header line."""
    units, index = 0, 0
    while index < len(cell) and units < offset:
        units += 2 if ord(cell[index]) > 0xFFFF else 1
        index += 1
    if index < body:
        return None
    before = cell[body:index]
    line = first_line + before.count("\n")
    return line, index - body - (before.rfind("\n") + 1) + 1


def as_message(info: Info, cell: str, body: int = 0, first_line: int = 1) -> dict:
    """The infoview as the `cajal.check` comm sends it (docs/FRONTENDS.md "The infoview"):
    spans as UTF-16 offsets in the whole cell, types printed."""
    units = Utf16(cell, body, first_line)

    def where(span: Optional[Span]) -> Optional[dict]:
        if span is None:
            return None
        return {"from": units.at(span.line, span.col), "to": units.at(span.end_line, span.end_col)}

    error = info.error
    return {
        "term": where(info.span),
        "type": pretty(info.type) if info.type is not None else None,
        "consumes": [{"name": n, "type": pretty(t)} for n, t in info.consumes],
        "rest": [{"name": n, "type": pretty(t)} for n, t in info.rest],
        "item": info.item,
        "weights": None if info.weights is None else {
            "html": info.weights.html, "text": info.weights.text, "highlight": list(info.weights.highlight),
            "part_html": info.weights.part_html},
        "weights_note": info.weights_note,
        "error": None if error is None else {**where(error.span), "message": error.message, "hint": error.hint or ""},
    }
