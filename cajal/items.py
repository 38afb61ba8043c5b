"""The one pipeline of a cell's items: parse, check, validate — once, for every consumer.

`records(scope, source)` yields, per item of a cell, a `Record`: the item, its term and
`Typing`, its span, what it adds to the scope (a definition, a declared type, a setting), and
for a directive its parsed and validated argument. At the first error it raises the very
`CajalError` that running the cell raises. `Session.run` applies the records' effects
(evaluate, compile, render); the live check (`diagnostics`) and the editor help (`assist`) only
read them. So a running error and a live error cannot disagree: they are the same exception.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from . import directives
from . import types as checker  # called through the module, so a test can count the checks
from .errors import CajalTypeError, Span
from .parser import iter_cell
from .pretty import pretty
from .syntax import Def, Directive, Item, Term, TermItem, Type, TypeDecl, arrows
from .types import Goal, Typing, has_unknown


@dataclass(frozen=True)
class Scope:
    """What an item sees: the definitions' types, the declared abstract types, the size of ℕ.
    `defs` is read, never copied (a cell of many definitions stays linear)."""

    defs: Mapping[str, Type]
    types: Iterable[str]
    nat_dim: int

    def check(self, term: Term, expected: Optional[Type] = None) -> Typing:
        """The typing of `term` in this scope (raises CajalTypeError); `expected`, a declared
        type, gives its holes their types."""
        return checker.check(term, defs=self.defs, types=self.types, expected=expected)


@dataclass(frozen=True)
class Record:
    """One checked item. `term`/`typing`: the term it is about (a definition's λ chain, a term
    item, a directive's term argument). `defines`/`declares`: the name it adds to the scope (a
    definition's type is `typing.type`). `command`/`argument`: a directive's command and its
    validated argument (`directives.Checked` for a term, the value of `:set`, …)."""

    item: Item
    span: Optional[Span]
    term: Optional[Term] = None
    typing: Optional[Typing] = None
    defines: Optional[str] = None
    declares: Optional[str] = None
    command: Optional[directives.Command] = None
    argument: Any = None

    def typed_terms(self) -> list[tuple[Term, Typing]]:
        """Every checked term of the item with its typing (the two sides of `:equiv` too)."""
        if self.typing is not None:
            return [(self.term, self.typing)]
        if isinstance(self.argument, tuple):
            return [(a.term, a.typing) for a in self.argument if isinstance(a, directives.Checked)]
        return []

    def holes(self) -> list[Goal]:
        """The typed holes of its checked terms (LANGUAGE.md section 10): it checks, but only a
        command that reads typings alone (`:type`) may run with them."""
        return [goal for _, typing in self.typed_terms() for goal in typing.holes]


def records(scope: Scope, source: str, first_line: int = 1, name: Optional[str] = None) -> Iterator[Record]:
    """Check a cell's items one at a time against `scope` and what the items before them add.
    Lazy: a consumer may apply an item's effects before the next one is checked (`scope` is
    read live: what an effect adds to it, as `:load` does, is seen by the items after). Raises
    the first item's error (CajalError), as running does. `name`: the file the source is."""
    defs = ChainMap({}, scope.defs)  # the cell's definitions go in front, not into the caller's scope
    types = _Union(set(), scope.types)
    nat_dim = scope.nat_dim
    defined_here: set[str] = set()
    for item in iter_cell(source, first_line, name):
        here = Scope(defs, types, nat_dim)
        match item:
            case TypeDecl(declared):
                types.add(declared)
                yield Record(item, item.span, declares=declared)
            case Def():
                typing = check_definition(item, here, defined_here)
                defs[item.name] = typing.type
                defined_here.add(item.name)
                yield Record(item, item.span, item.term, typing, defines=item.name)
            case TermItem(term):
                yield Record(item, item.span, term, here.check(term))
            case Directive():
                command = directives.command_for(item)
                argument = directives.argument(item, here)
                if isinstance(argument, directives.Setting):
                    nat_dim = argument.nat_dim
                checked = argument if isinstance(argument, directives.Checked) else None
                yield Record(item, item.span, checked and checked.term, checked and checked.typing,
                             command=command, argument=argument)
            case _:
                raise TypeError(f"unknown item {item!r}")


class _Union:
    """The cell's declared types in front of the scope's (read live, never copied)."""

    def __init__(self, local: set[str], outer: Iterable[str]):
        self.local, self.outer = local, outer

    def add(self, name: str) -> None:
        self.local.add(name)

    def __contains__(self, name) -> bool:
        return name in self.local or name in self.outer

    def __iter__(self):
        return iter(self.local | set(self.outer))


def check_definition(item: Def, scope: Scope, defined_here: set[str]) -> Typing:
    """The typing of a definition given the scope before it, or the error that running it raises."""
    if item.name in defined_here:
        raise CajalTypeError(f"`{item.name}` is already defined in this cell", item.name_span,
                             hint="rename one of them (across cells, a later definition replaces an earlier one)")
    names = [q.name for q in item.params]
    for p in item.params:
        if names.count(p.name) > 1:
            raise CajalTypeError(f"the parameter `{p.name}` appears twice", p.span,
                                 hint="give each parameter its own name")
    declared = None if item.result_type is None else arrows(*(p.type for p in item.params), item.result_type)
    typing = scope.check(item.term, expected=declared)
    if declared is not None:
        if typing.type != declared:
            body_type = typing.type
            for _ in item.params:
                body_type = body_type.cod
            raise CajalTypeError(
                f"the body of `{item.name}` has type {pretty(body_type)}, but the definition says "
                f"{pretty(item.result_type)}", item.body.span,
                hint="change the declared result type, or the body")
    if has_unknown(typing.type):  # only holes leave a type unknown
        shown = f"def {item.name}" + "".join(f" ({p.name} : {pretty(p.type)})" for p in item.params)
        raise CajalTypeError(
            f"the type of `{item.name}` is not known: its holes leave it {pretty(typing.type)}",
            item.name_span, hint=f"declare its result type, e.g. `{shown} : 𝟚 = …`, so that its holes have types")
    return typing
