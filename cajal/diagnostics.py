"""Checking a cell as it is typed: the error running it would report, and the type of every name.

The editor asks for this a moment after each keystroke (see docs/FRONTENDS.md, "Live checking"),
so it must be fast and harmless: it parses and type-checks against the session's definitions
and declared types, and never evaluates, compiles or changes the session. A definition or type
declaration earlier in the cell is seen by the items after it, as when the cell runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import cells, items
from .errors import CajalError, Span
from .pretty import pretty
from .session import Session
from .syntax import Iter, Lam, Let, Type, Var, children
from .types import Goal, Typing, has_unknown


@dataclass(frozen=True)
class Diagnostic:
    """An error at `span`, with the message and hint that running the cell shows; or, with
    severity "info", a typed hole's goal (a cell with holes checks, it just cannot run yet)."""

    span: Span
    message: str
    hint: str | None
    severity: str = "error"  # "error" | "info"


@dataclass(frozen=True)
class NameType:
    """`name` at `span` has type `type` (what hovering it shows)."""

    span: Span
    name: str
    type: Type


@dataclass(frozen=True)
class Report:
    diagnostics: tuple[Diagnostic, ...]
    names: tuple[NameType, ...]


def check_cell(session: Session, source: str, first_line: int = 1) -> Report:
    """Check a cell without running it: read the records of the item pipeline (`cajal.items`),
    which raises the error running would raise. Like running, checking stops at the first
    error; the names typed before it keep their types."""
    names: list[NameType] = []
    holes: list[Diagnostic] = []
    try:
        for record in items.records(session.scope(), source, first_line):
            if record.defines is not None and record.item.name_span is not None:
                names.append(NameType(record.item.name_span, record.defines, record.typing.type))
            for term, typing in record.typed_terms():
                names.extend(_names(term, typing))
            for goal in record.holes():
                if goal.span is not None:
                    holes.append(_hole(goal))
                    names.append(NameType(goal.span, goal.hole.text, goal.type))  # hovering it: `?h : 𝟚`
            if record.command is not None and record.command.reads_files:
                break  # what follows may use the file's definitions, which checking does not read
    except CajalError as err:
        diagnostic = Diagnostic(err.span or _start(source, first_line), err.message, err.hint)
        return Report((*holes, diagnostic), tuple(names))
    except (RecursionError, MemoryError):
        diagnostic = Diagnostic(_start(source, first_line), "the program is nested too deeply to process",
                                "split it into smaller definitions with `def`")
        return Report((*holes, diagnostic), tuple(names))
    return Report(tuple(holes), tuple(names))


def _hole(goal: Goal) -> Diagnostic:
    """A hole's goal, shown where the hole is: "hole ?h : 𝟚 ⊸ 𝟚, with x : 𝟚 to use"."""
    what = "a term" if has_unknown(goal.type) else "a term of that type"
    return Diagnostic(goal.span, goal.describe(), f"replace it with {what} (running the cell before then is an error)",
                      "info")


def _names(term, typing: Typing) -> list[NameType]:
    """Every variable, binder and definition name in `term`, with its type."""
    found = []
    stack = [term]
    while stack:
        node = stack.pop()
        match node:
            case Var(name, span) if span is not None and id(node) in typing.types:
                found.append(NameType(span, name, typing.types[id(node)]))
            case Lam(param, param_type, param_span=span) if span is not None:
                found.append(NameType(span, param, param_type))
            case Let(name, bound, name_span=span) if span is not None and id(bound) in typing.types:
                found.append(NameType(span, name, typing.types[id(bound)]))
            case Iter(base, var, var_span=span) if span is not None and id(base) in typing.types:
                found.append(NameType(span, var, typing.types[id(base)]))
        stack.extend(children(node))
    return found


def _start(source: str, first_line: int) -> Span:
    from .errors import Source
    return Span(first_line, 1, first_line, 2, Source(source, first_line))


# ---------------------------------------------------------------------------- the wire format


def as_message(report: Report, cell: str, body: int = 0, first_line: int = 1) -> dict:
    """The report as the `cajal.check` comm sends it. The checked source is `cell[body:]`, whose
    first line is numbered `first_line`. Positions are offsets in the whole cell in UTF-16 code
    units, as JavaScript counts them (𝟚 counts 2). `kind` is the cell's (`cajal.cells`): the
    editor highlights the cell in the language the kernel says it is in."""
    units = Utf16(cell, body, first_line)
    shown: dict[Type, str] = {}  # a cell's names share few types: print each once
    return {
        "kind": cells.CAJAL,
        "diagnostics": [
            {"from": units.at(d.span.line, d.span.col), "to": units.at(d.span.end_line, d.span.end_col),
             "message": d.message, "hint": d.hint or "", "severity": d.severity}
            for d in report.diagnostics],
        "names": [
            {"from": units.at(n.span.line, n.span.col), "to": units.at(n.span.end_line, n.span.end_col),
             "name": n.name, "type": shown.get(n.type) or shown.setdefault(n.type, pretty(n.type))}
            for n in report.names],
    }


class Utf16:
    """Maps (line, column) of the checked source to UTF-16 offsets in the cell."""

    def __init__(self, cell: str, body: int, first_line: int):
        self.lines = cell[body:].split("\n")
        self.first_line = first_line
        self.starts = [_units(cell[:body])]
        for line in self.lines:
            self.starts.append(self.starts[-1] + _units(line) + 1)
        self._wide: dict[int, list[int]] = {}  # lines with characters beyond U+FFFF

    def at(self, line: int, col: int) -> int:
        index = min(max(line - self.first_line, 0), len(self.lines) - 1)
        text = self.lines[index]
        col = min(max(col - 1, 0), len(text))
        if self.starts[index + 1] - self.starts[index] == len(text) + 1:
            return self.starts[index] + col  # no character on this line takes two units
        if index not in self._wide:
            offsets = [0]
            for ch in text:
                offsets.append(offsets[-1] + (2 if ord(ch) > 0xFFFF else 1))
            self._wide[index] = offsets
        return self.starts[index] + self._wide[index][col]


def _units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2
