"""A Cajal session: the definitions, declared types and settings that cells share.

Both front-ends (the `%%cajal` magic and the Cajal kernel) are thin wrappers around
`Session.run`, so a cell behaves the same in either. A cell runs item by item and stops at its
first error; what it defined before the error stays.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Optional

from . import directives, files, items
from .errors import CajalError, echo_number
from .evaluation import apply, evaluate
from .pretty import pretty
from .python_names import python_name
from .result import Result
from .substitute import substitute
from .syntax import (
    BOOL,
    NAT,
    Arrow,
    Def,
    Directive,
    Term,
    TermItem,
    Type,
    TypeDecl,
    abstract_names,
    free_vars,
)
from .types import Typing, check
from .values import Closure, Value


class Definition:
    """A named, closed program: callable from Python on linked inputs (LANGUAGE.md section 7)."""

    def __init__(self, item: Def, type_: Type, typing: Typing, source: str, session: "Session",
                 defs: dict[str, "Definition"]):
        self.name = item.name
        self.params = tuple((p.name, p.type) for p in item.params)
        self.type = type_
        self.term = item.term
        self.source = source
        self.typing = typing
        self._session = session
        used = free_vars(self.term)  # looked up by name: a cell of many defs stays linear
        self._defs = {name: defs[name] for name in sorted(used) if name in defs}
        self._value: Optional[Value] = None
        self._compiled: Optional[tuple[int, Any]] = None  # (nat_dim, neuron): one at a time

    def __repr__(self) -> str:
        return f"{self.name} : {pretty(self.type)}"

    @property
    def nat_dim(self) -> int:
        """The size of ℕ this definition compiles at: its session's (`:set nat_dim N`)."""
        return self._session.nat_dim

    @property
    def session(self) -> "Session":
        """The session it was defined in (whose definitions a program compared with it may use)."""
        return self._session

    @property
    def python_name(self) -> Optional[str]:
        """The name it has in Python (`not_` for `not`); None if it stays Cajal-only (see
        cajal.python_names)."""
        return python_name(self.name)

    # ------------------------------------------------------------ unfolding (δ)

    @property
    def unfolded_term(self) -> Term:
        """The term δ unfolds this definition to. A definition it uses that has since been
        redefined is inlined (closed), so a trace computes the value this definition has:
        definitions are used by value."""
        current = self._session.definitions
        stale = {n: d.closed_term for n, d in self._defs.items() if current.get(n) is not d}
        return substitute(self.term, stale)

    @functools.cached_property
    def closed_term(self) -> Term:
        """This definition's term with every definition it uses inlined (closed terms only are
        substituted, so no variable is captured). Cached: a definition never changes."""
        return substitute(self.term, {n: d.closed_term for n, d in self._defs.items()})

    # ------------------------------------------------------------ exact evaluation

    @property
    def value(self) -> Value:
        """The exact value (a bool, an int, or a closure), evaluated once."""
        if self._value is None:
            self._value = evaluate(self.term, defs={n: d.value for n, d in self._defs.items()})
        return self._value

    def eval(self, *args: Any) -> Any:
        """Exact evaluation on Python values: `and_.eval(True, False)` is `False`."""
        t = self.type
        value = self.value
        for i, arg in enumerate(args):
            if not isinstance(t, Arrow):
                raise CajalError(f"`{self.name}` takes {i} argument(s), but {len(args)} were given")
            value = apply(value, _python_value(arg, t.dom, self.name, i), {n: d.value for n, d in self._defs.items()})
            t = t.cod
        return value

    # ------------------------------------------------------------ compiled neuron

    @property
    def uses(self) -> dict[str, "Definition"]:
        """The definitions this one uses, as they were when it was made (a later redefinition
        of one does not change this definition, nor its views)."""
        return dict(self._defs)

    def compiled(self, nat_dim: Optional[int] = None):
        """The compiled neuron for the session's (or the given) size of ℕ, from the typing the
        definition was checked with (never checked again). The last one made is kept (a sweep
        over nat_dim holds one neuron per definition, not one per size)."""
        n = nat_dim or self.nat_dim
        if self._compiled is None or self._compiled[0] != n:
            self._compiled = None  # the old neuron is freed before the new one is made
            self._compiled = (n, self.compile_in_scope(self.typing, n))
        return self._compiled[1]

    def compile_in_scope(self, what: Term | Typing, nat_dim: Optional[int] = None):
        """Compile a closed term (or its checked typing) that may use the definitions this one
        uses (a view of this definition draws the weights of its parts with it)."""
        from .compiler.program import compile_typing
        n = nat_dim or self.nat_dim
        if not isinstance(what, Typing):
            what = check(what, defs={name: d.type for name, d in self._defs.items()}, types=self._session.types)
        used = free_vars(what.term)
        defs = {name: d.compiled(n) for name, d in self._defs.items() if name in used}
        return compile_typing(what, {}, n, defs=defs, size_limit=self._session.size_limit)

    def __call__(self, *args: Any, **kwargs: Any):
        """Run the compiled neuron on linked inputs: bools, ints, or tensors (leading dimensions
        are batch dimensions; a soft count mixes the iterates). Gradients flow through it."""
        return self.compiled().call(*args, **kwargs)

    @property
    def tensor(self):
        """The compiled vector of this definition's value (for a function, its flattened weights)."""
        return self.compiled().tensor

    @property
    def matrix(self):
        """The compiled weight matrix (dim of the result, dim of the argument) of a function."""
        return self.compiled().matrix

    def module(self, trainable: bool = False):
        """The compiled neuron as a `torch.nn.Module`; `trainable=True` makes its weights
        parameters, so an optimiser can fine-tune them."""
        return self.compiled().module(trainable=trainable)

    def export(self, path, format: str = "onnx", batch: bool = True):
        """Write the compiled neuron (at the session's nat_dim) as a file that runs without
        Cajal: "onnx", "torch" (torch.export) or "torchscript" (docs/LANGUAGE.md section 6).
        To export trained weights, export the trained module: `module.export(path)`."""
        return self.compiled().export(path, format=format, batch=batch)

    def decompile(self, module=None):
        """The program nearest to the weights of `module` (this definition's trained
        `module(trainable=True)`), or to its own compiled weights: see `cajal.decompile`."""
        from .decompiler import decompile
        compiled = module if module is not None else self.compiled()
        return decompile(compiled.tensor, self.type, compiled.nat_dim, name=self.name)

    def _repr_mimebundle_(self, include=None, exclude=None):
        from . import render
        return render.definition_view(self)._repr_mimebundle_()

    def _repr_pretty_(self, p, cycle):
        p.text(repr(self))


def _python_value(arg: Any, t: Type, name: str, index: int) -> Value:
    if t == BOOL and isinstance(arg, bool):
        return arg
    if t == NAT and isinstance(arg, int) and not isinstance(arg, bool) and arg >= 0:
        return arg
    if isinstance(arg, Closure) or isinstance(arg, Definition):
        return arg.value if isinstance(arg, Definition) else arg
    raise CajalError(f"argument {index + 1} of `{name}` must be a value of type {pretty(t)}, not {arg!r}",
                     hint="pass True/False for 𝟚 and a natural number (int ≥ 0) for ℕ")


class Session:
    """Definitions, abstract types and settings shared by the cells of one notebook."""

    def __init__(self, nat_dim: int = 10, size_limit: Optional[int] = None):
        self.nat_dim = _check_nat_dim(nat_dim)
        self.size_limit = size_limit
        self.definitions: dict[str, Definition] = {}
        self.types: set[str] = set()

    # ------------------------------------------------------------ running cells

    def run(self, source: str, first_line: int = 1, name: Optional[str] = None) -> list[Result]:
        """Run a cell (or the text of a `.cj` file called `name`, which errors then name): apply
        the effects of each item the pipeline (`cajal.items`) checked. On an error, raise it (a
        CajalError) with `.results` holding what the items before it
        produced; their definitions stay."""
        results: list[Result] = []
        try:
            for record in items.records(self.scope(), source, first_line, name):
                results.append(self._run_item(record))
        except (CajalError, KeyboardInterrupt) as err:  # an interrupt ends the cell, keeping what it made
            err.results = results
            raise
        except RecursionError as err:
            raise _attach(CajalError("the program is nested too deeply to process",
                                     hint="split it into smaller definitions with `def`"), results) from err
        except MemoryError as err:
            raise _attach(CajalError("out of memory while running this cell",
                                     hint="lower `:set nat_dim`, or use smaller types"), results) from err
        return results

    def scope(self) -> items.Scope:
        """What the next item sees: the definitions' types (a live view), the declared types,
        the size of ℕ."""
        return items.Scope(self.def_types(), self.types, self.nat_dim)

    def _run_item(self, record: items.Record) -> Result:
        if not (record.command and record.command.holes) and record.holes():
            raise record.holes()[0].error()  # it checks, but cannot run (`:type` may look at it)
        match record.item:
            case TypeDecl(name):
                known = name in self.types
                self.types.add(name)
                return Result("type", f"type {name}" + (" (already declared)" if known else ""), name=name)
            case Def() as item:
                return self._define(item, record.typing)
            case TermItem(term):
                return self._term(term, record.typing)
            case Directive() as item:
                return directives.run(self, item, record.argument)
        raise TypeError(f"unknown item {record.item!r}")

    def _define(self, item: Def, typing: Typing) -> Result:
        text = _span_text(item.span)
        definition = Definition(item, typing.type, typing, text, self, self.definitions)
        replaced = item.name in self.definitions
        self.definitions[item.name] = definition
        notes = []
        if replaced:
            notes.append(f"(replaces the earlier definition of `{item.name}`)")
        return Result("def", f"{item.name} : {pretty(typing.type)}", name=item.name, type=typing.type,
                      value=definition, notes=notes, definition=definition)

    def _term(self, term: Term, typing: Typing) -> Result:
        value = evaluate(term, defs=self.def_values(term))
        result = Result("term", f"{pretty(value)} : {pretty(typing.type)}", type=typing.type, value=value,
                        term=term, typing=typing)
        if not abstract_names(typing.type):
            result.compile = lambda: self.compile(typing)
        if typing.type == NAT and value >= self.nat_dim:
            result.notes.append(f"note: {echo_number(value)} is beyond ℕ's size (nat_dim {self.nat_dim} holds "
                                f"0…{self.nat_dim - 1}), so its compiled vector is all zeros; "
                                f"`:set nat_dim {echo_number(value + 1)}` holds it")
        return result

    def load(self, path) -> list[Result]:
        """Run a `.cj` file in this session, as a cell: its definitions join the session's,
        and its errors name the file, line and column (`cajal.load`, `:load`)."""
        return self.run(files.read(path), name=str(path))

    # ------------------------------------------------------------ helpers for directives and front-ends

    def def_types(self) -> Mapping[str, Type]:
        """The definitions' types, read through (not copied: a cell of many defs stays linear)."""
        return _DefinitionTypes(self.definitions)

    def def_values(self, term: Term) -> dict[str, Value]:
        """The values of the definitions `term` uses (what the evaluator needs)."""
        used = free_vars(term)
        return {name: d.value for name, d in self.definitions.items() if name in used}

    def def_terms(self) -> dict[str, Term]:
        """What δ unfolds each definition to (see Definition.unfolded_term)."""
        return {name: d.unfolded_term for name, d in self.definitions.items()}

    def compile(self, what: Term | Typing):
        """Compile a checked typing (or a closed term, checked first) that may use the
        session's definitions."""
        from .compiler.program import compile_typing
        typing = what if isinstance(what, Typing) else self.check(what)
        used = free_vars(typing.term)
        defs = {name: d.compiled() for name, d in self.definitions.items() if name in used}
        return compile_typing(typing, {}, self.nat_dim, defs=defs, size_limit=self.size_limit)

    def check(self, term: Term) -> Typing:
        """Type-check `term` against the session's definitions and declared types (raises
        CajalTypeError with the place and a hint when it is ill-typed)."""
        return check(term, defs=self.def_types(), types=self.types)


def _check_nat_dim(n: int) -> int:
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise CajalError(f"nat_dim must be a positive integer, not {n!r}")
    return n


class _DefinitionTypes(Mapping):
    """name → type of the session's definitions, a live view of them."""

    def __init__(self, definitions: dict[str, Definition]):
        self._definitions = definitions

    def __getitem__(self, name: str) -> Type:
        return self._definitions[name].type

    def __iter__(self):
        return iter(self._definitions)

    def __len__(self) -> int:
        return len(self._definitions)


def _span_text(span) -> str:
    """The source text a span covers (a definition's own text, for display), found through
    the source's line offsets (computed once per cell, so many defs stay linear)."""
    source = span.source
    starts = source.line_starts
    start = starts[span.line - source.first_line] + span.col - 1
    end = starts[span.end_line - source.first_line] + span.end_col - 1
    return source.text[start:end]


def _attach(err: CajalError, results: list[Result]) -> CajalError:
    err.results = results
    return err
