"""A Cajal session: the definitions, declared types and settings that cells share.

Both front-ends (the `%%cajal` magic and the Cajal kernel) are thin wrappers around
`Session.run`, so a cell behaves the same in either. A cell runs item by item and stops at its
first error; what it defined before the error stays.
"""

from __future__ import annotations

import difflib
import functools
import keyword
from dataclasses import dataclass, field
from typing import Any, Optional

from .errors import CajalError, CajalSyntaxError, CajalTypeError
from .evaluate import apply, evaluate, steps
from .parser import iter_cell, parse_fragment
from .pretty import pretty
from .substitute import substitute
from .syntax import (
    BOOL, NAT, Arrow, Def, Directive, Term, TermItem, Type, TypeDecl, arrows, abstract_names, free_vars,
)
from .types import Typing, check
from .values import Closure, Value

HELP = [
    (":type e", "the type of e"),
    (":eval e", "the value of e"),
    (":trace e", "the small-step reduction of e, rule by rule"),
    (":derive e", "the typing derivation tree of e"),
    (":compile e  /  :matrix e", "the compiled tensor, as a labelled heatmap"),
    (":graph e  /  :graph --unroll e", "the neuron / recurrence graph of e (Graphviz)"),
    (":step e", "step through the reduction of e (a widget)"),
    (":set nat_dim N", "change N, the size of ℕ (recompiles lazily)"),
    (":defs", "the session's definitions with their types"),
    (":help", "this table"),
]
DIRECTIVES = ["type", "eval", "trace", "derive", "compile", "matrix", "graph", "step", "set", "defs", "help"]


def python_name(name: str) -> str:
    """The name a definition has in Python: keywords get a trailing underscore (`not_`)."""
    return name + "_" if keyword.iskeyword(name) or keyword.issoftkeyword(name) else name


@dataclass
class Result:
    """What one item of a cell produced. `text` is the plain-text display; `view` (if any) a
    rich one from `cajal.render`."""

    kind: str  # "def", "type", "term" or "directive"
    text: str
    name: Optional[str] = None
    type: Optional[Type] = None
    value: Any = None
    view: Any = None
    notes: list[str] = field(default_factory=list)
    definition: Optional["Definition"] = None
    compiled: Any = None
    compile: Any = None  # a thunk that compiles the term, run on demand (compiling loads torch)
    term: Optional[Term] = None  # for a bare term: the term itself (front-ends graph it, link it)

    @property
    def tensor(self):
        """The compiled vector (or matrix, for a function) of a term's value."""
        if self.compiled is None and self.compile is not None:
            self.compiled = self.compile()
        if self.compiled is None:
            raise CajalError("this result has no compiled tensor")
        return self.compiled.matrix if isinstance(self.type, Arrow) else self.compiled.tensor

    def __str__(self) -> str:
        return "\n".join([self.text, *self.notes]) if self.text else "\n".join(self.notes)

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": str(self)}
        view = self.rich()
        if view is not None:
            rich = view._repr_mimebundle_() if hasattr(view, "_repr_mimebundle_") else {}
            for mime, data in rich.items():
                if mime != "text/plain":
                    bundle[mime] = data
            if "text/html" in bundle and (self.text or self.notes):
                bundle["text/html"] = _html_header(self) + bundle["text/html"]
        return bundle

    def rich(self):
        """The rich view, made on demand (rendering loads torch; plain text never does)."""
        if self.view is None and self.kind == "term" and self.compile is not None:
            from . import render
            try:
                self.tensor
            except CajalError as err:
                return render.text_view(f"(not compiled: {err.message})")
            self.view = render.compiled_view(self.compiled, title=self.text)
        if self.view is None and self.definition is not None:
            from . import render
            self.view = render.definition_view(self.definition)
        return self.view


def _html_header(result: Result) -> str:
    import html
    lines = "".join(f"<div>{html.escape(n)}</div>" for n in result.notes)
    return f"<div><code>{html.escape(result.text)}</code></div>{lines}"


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
        self._defs = {name: d for name, d in defs.items() if name in free_vars(self.term)}
        self._value: Optional[Value] = None
        self._compiled: dict[int, Any] = {}

    def __repr__(self) -> str:
        return f"{self.name} : {pretty(self.type)}"

    @property
    def nat_dim(self) -> int:
        return self._session.nat_dim

    @property
    def python_name(self) -> str:
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

    def compiled(self, nat_dim: Optional[int] = None):
        """The compiled neuron for the session's (or the given) size of ℕ, made once."""
        n = nat_dim or self.nat_dim
        if n not in self._compiled:
            from .compiler import compile
            self._compiled[n] = compile(
                self.term, nat_dim=n, defs={name: d.compiled(n) for name, d in self._defs.items()},
                types=self._session.types, size_limit=self._session.size_limit)
        return self._compiled[n]

    def __call__(self, *args: Any, **kwargs: Any):
        return self.compiled().call(*args, **kwargs)

    @property
    def tensor(self):
        return self.compiled().tensor

    @property
    def matrix(self):
        return self.compiled().matrix

    def module(self, trainable: bool = False):
        return self.compiled().module(trainable=trainable)

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

    def run(self, source: str, first_line: int = 1) -> list[Result]:
        """Run a cell. On an error, raise it (a CajalError) with `.results` holding what the
        items before it produced; their definitions stay."""
        results: list[Result] = []
        defined_here: set[str] = set()
        try:
            for item in iter_cell(source, first_line):
                results.append(self._run_item(item, source, defined_here))
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

    def _run_item(self, item, source: str, defined_here: set[str]) -> Result:
        match item:
            case TypeDecl(name):
                known = name in self.types
                self.types.add(name)
                return Result("type", f"type {name}" + (" (already declared)" if known else ""), name=name)
            case Def():
                return self._define(item, source, defined_here)
            case TermItem(term):
                return self._term(term)
            case Directive():
                return self._directive(item)
        raise TypeError(f"unknown item {item!r}")

    def _define(self, item: Def, source: str, defined_here: set[str]) -> Result:
        if item.name in defined_here:
            raise CajalTypeError(f"`{item.name}` is already defined in this cell", item.name_span,
                                 hint="rename one of them (across cells, a later definition replaces an earlier one)")
        for p in item.params:
            if item.params.count(p) > 1 or [q.name for q in item.params].count(p.name) > 1:
                raise CajalTypeError(f"the parameter `{p.name}` appears twice", p.span,
                                     hint="give each parameter its own name")
        typing = check(item.term, defs=self.def_types(), types=self.types)
        if item.result_type is not None:
            declared = arrows(*(p.type for p in item.params), item.result_type)
            if typing.type != declared:
                body_type = typing.type
                for _ in item.params:
                    body_type = body_type.cod
                raise CajalTypeError(
                    f"the body of `{item.name}` has type {pretty(body_type)}, but the definition says "
                    f"{pretty(item.result_type)}", item.body.span,
                    hint="change the declared result type, or the body")
        text = _span_text(item.span)
        definition = Definition(item, typing.type, typing, text, self, self.definitions)
        replaced = item.name in self.definitions
        self.definitions[item.name] = definition
        defined_here.add(item.name)
        notes = []
        if replaced:
            notes.append(f"(replaces the earlier definition of `{item.name}`)")
        return Result("def", f"{item.name} : {pretty(typing.type)}", name=item.name, type=typing.type,
                      value=definition, notes=notes, definition=definition)

    def _term(self, term: Term) -> Result:
        typing = check(term, defs=self.def_types(), types=self.types)
        value = evaluate(term, defs=self.def_values(term))
        result = Result("term", f"{pretty(value)} : {pretty(typing.type)}", type=typing.type, value=value,
                        term=term)
        if not abstract_names(typing.type):
            result.compile = lambda: self.compile(term)
        return result

    # ------------------------------------------------------------ helpers for directives and front-ends

    def def_types(self) -> dict[str, Type]:
        return {name: d.type for name, d in self.definitions.items()}

    def def_values(self, term: Term) -> dict[str, Value]:
        used = free_vars(term)
        return {name: d.value for name, d in self.definitions.items() if name in used}

    def def_terms(self) -> dict[str, Term]:
        """What δ unfolds each definition to (see Definition.unfolded_term)."""
        return {name: d.unfolded_term for name, d in self.definitions.items()}

    def compile(self, term: Term):
        """Compile a closed term that may use the session's definitions."""
        from .compiler import compile
        used = free_vars(term)
        defs = {name: d.compiled() for name, d in self.definitions.items() if name in used}
        return compile(term, nat_dim=self.nat_dim, defs=defs, types=self.types, size_limit=self.size_limit)

    def check(self, term: Term) -> Typing:
        return check(term, defs=self.def_types(), types=self.types)

    # ------------------------------------------------------------ directives

    def _directive(self, d: Directive) -> Result:
        word = d.word
        if word not in DIRECTIVES:
            close = difflib.get_close_matches(word, DIRECTIVES, n=1)
            raise CajalSyntaxError(f"unknown directive `:{word}`", d.span,
                                   hint=(f"did you mean `:{close[0]}`? " if close else "") + "`:help` lists the directives")
        if word == "help":
            width = max(len(a) for a, _ in HELP)
            return Result("directive", "\n".join(f"{a:<{width}}  {b}" for a, b in HELP), name=word)
        if word == "defs":
            lines = [f"{d.name} : {pretty(d.type)}" for d in self.definitions.values()]
            lines += [f"type {t}" for t in sorted(self.types)]
            return Result("directive", "\n".join(lines) or "(no definitions yet)", name=word)
        if word == "set":
            return self._set(d)
        flags, term = self._directive_term(d)
        if word == "type":
            t = self.check(term).type
            return Result("directive", f"{pretty(term)} : {pretty(t)}", name=word, type=t)
        if word == "eval":
            t = self.check(term).type
            value = evaluate(term, defs=self.def_values(term))
            return Result("directive", f"{pretty(value)} : {pretty(t)}", name=word, type=t, value=value)
        if word == "trace":
            t = self.check(term).type
            trace = steps(term, defs=self.def_terms())
            text = "\n".join([f"  {pretty(term)}"] + [f"→ {pretty(s.term)}   ({s.rule})" for s in trace])
            from . import render
            return Result("directive", text, name=word, type=t, value=trace,
                          view=render.trace(term, defs=self.def_terms()))
        if word == "derive":
            self.check(term)
            from . import render
            view = render.derivation(term, defs=self.def_types(), types=self.types)
            return Result("directive", str(view), name=word, view=view)
        if word in ("compile", "matrix"):
            self.check(term)
            compiled = self.compile(term)
            from . import render
            view = render.compiled_view(compiled, title=pretty(term))
            return Result("directive", str(view), name=word, view=view, compiled=compiled)
        if word == "graph":
            self.check(term)
            from . import render
            view = render.graph(term, defs=self.definitions, types=self.types, nat_dim=self.nat_dim,
                                unroll="--unroll" in flags)
            return Result("directive", str(view), name=word, view=view)
        if word == "step":
            self.check(term)
            from . import widgets
            view = widgets.stepper(term, defs=self.def_terms(), nat_dim=self.nat_dim)
            return Result("directive", f"stepping through {pretty(term)}", name=word, view=view)
        raise AssertionError(word)

    def _directive_term(self, d: Directive) -> tuple[list[str], Term]:
        source = d.span.source
        text, offset, flags = d.text, d.text_offset, []
        while text.startswith("--"):
            flag = text.split(None, 1)[0]
            if flag not in ("--unroll",):
                raise CajalSyntaxError(f"unknown option `{flag}` for `:{d.word}`", d.span,
                                       hint="`:graph --unroll e` is the only option")
            flags.append(flag)
            rest = text[len(flag):]
            offset += len(flag) + len(rest) - len(rest.lstrip())
            text = rest.lstrip()
        if not text:
            raise CajalSyntaxError(f"`:{d.word}` needs a term", d.span, hint=f"write `:{d.word} e`, e.g. `:{d.word} tt`")
        return flags, parse_fragment(source, offset, offset + len(text))

    def _set(self, d: Directive) -> Result:
        parts = d.text.split("--", 1)[0].split()  # a trailing comment is not part of the setting
        if len(parts) != 2 or parts[0] != "nat_dim":
            raise CajalSyntaxError("`:set` takes a setting and a value", d.span,
                                   hint="write `:set nat_dim 16` (the size of ℕ: naturals 0…N-1)")
        try:
            n = int(parts[1])
        except ValueError:
            n = -1
        if n < 1:
            raise CajalSyntaxError(f"`{parts[1]}` is not a positive whole number", d.span,
                                   hint="write `:set nat_dim 16`")
        self.nat_dim = _check_nat_dim(n)
        return Result("directive", f"nat_dim = {n} (ℕ holds 0…{n - 1})", name="set", value=n)


def _check_nat_dim(n: int) -> int:
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise CajalError(f"nat_dim must be a positive integer, not {n!r}")
    return n


def _span_text(span) -> str:
    """The source text a span covers (a definition's own text, for display)."""
    lines = span.source.text.split("\n")
    a, b = span.line - span.source.first_line, span.end_line - span.source.first_line
    if a == b:
        return lines[a][span.col - 1:span.end_col - 1]
    return "\n".join([lines[a][span.col - 1:], *lines[a + 1:b], lines[b][:span.end_col - 1]])


def _attach(err: CajalError, results: list[Result]) -> CajalError:
    err.results = results
    return err
