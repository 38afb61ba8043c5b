"""The directives (`:type e`, `:graph --unroll e`, `:help iter`, …): one registry of word,
usage, help text and handler, from which the session dispatches, `:help` prints its table,
the completer offers words, and the README's table is checked.

A command's argument is parsed and validated before anything runs (`argument`), by the item
pipeline (`cajal.items`), so the live check reports the very error that running reports. A
handler then gets the session, the `Directive` item and that argument, and returns a `Result`
that carries what it computed (typing, value, compiled neuron), so the views draw from it.
"""

from __future__ import annotations

import contextvars
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from . import topics
from .errors import CajalError, CajalSyntaxError, echo
from .evaluation import evaluate
from .parser import parse_fragment
from .pretty import pretty
from .result import Result
from .syntax import Directive, Term
from .types import Typing


@dataclass(frozen=True)
class Command:
    """A directive: `words` (the first is its name; `:matrix` is another word for `:compile`),
    `usage` as the help table shows it, `help` one line, `handler(session, directive)`, or
    `handler(session, directive, argument)` when its argument is a term (a `Checked`) or is
    read by `argument(directive, scope)` (which validates it, changing nothing; `scope` is an
    `items.Scope`: `.defs`, `.types`, `.nat_dim`, `.check(term)`)."""

    words: tuple[str, ...]
    usage: str
    help: str
    handler: Callable[..., Result]
    options: tuple[str, ...] = ()
    example: str = ""
    term: bool = True  # its argument is a term (`:type e`), which the pipeline type-checks
    argument: Optional[Callable[[Directive, Any], Any]] = None  # reads and validates a non-term argument
    reads_files: bool = False  # it runs files: the live check (which reads none) stops after it
    holes: bool = False  # it only reads the term's typing, so its term may have holes (`:type ?`)

    @property
    def word(self) -> str:
        return self.words[0]

    def text(self) -> str:
        """What `:help :word` and Shift-Tab on `:word` show."""
        lines = [f"{self.usage} — {self.help}"]
        if self.example:
            lines += ["", "Example:", *("  " + line for line in self.example.split("\n"))]
        return "\n".join(lines)


COMMANDS: list[Command] = []
BY_WORD: dict[str, Command] = {}


def command(*words: str, usage: str, help: str, options: tuple[str, ...] = (), example: str = "",
            term: bool = True, argument: Optional[Callable[[Directive, Any], Any]] = None,
            reads_files: bool = False, holes: bool = False):
    """Register the decorated function as the handler of `:word`."""
    def register(handler):
        cmd = Command(words, usage, help, handler, options, example, term, argument, reads_files, holes)
        COMMANDS.append(cmd)
        for word in words:
            BY_WORD[word] = cmd
        return handler
    return register


def words() -> list[str]:
    """Every directive word, in the order of the help table."""
    return [w for cmd in COMMANDS for w in cmd.words]


@dataclass(frozen=True)
class Checked:
    """The argument of a directive that takes a term: the term, its typing, the options."""

    term: Term
    typing: Typing
    flags: tuple[str, ...]

    def result(self, d: Directive, text: str, **fields) -> Result:
        """The directive's Result, carrying the term and its typing."""
        return Result("directive", text, name=d.word, type=self.typing.type, term=self.term, typing=self.typing,
                      **fields)


@dataclass(frozen=True)
class Setting:
    """The validated argument of `:set nat_dim N`."""

    nat_dim: int


def argument(d: Directive, scope) -> Any:
    """The parsed and validated argument of a directive in `scope` (an `items.Scope`), or the
    error running it raises: a command that takes a term gets it parsed and checked
    (`Checked`), so that every handler starts from a well-typed term."""
    cmd = command_for(d)
    if cmd.term:
        flags, term = term_argument(d)
        return Checked(term, scope.check(term), tuple(flags))
    return cmd.argument(d, scope) if cmd.argument is not None else None


def run(session, d: Directive, arg: Any) -> Result:
    """Run a directive item in a session, with the argument `argument` gave."""
    cmd = command_for(d)
    if cmd.term or cmd.argument is not None:
        return cmd.handler(session, d, arg)
    return cmd.handler(session, d)


def command_for(d: Directive) -> Command:
    """The command of a directive item; an unknown word is an error with a suggestion."""
    cmd = BY_WORD.get(d.word)
    if cmd is None:
        close = difflib.get_close_matches(d.word, words(), n=1)
        raise CajalSyntaxError(f"unknown directive `:{echo(d.word)}`", d.span,
                               hint=(f"did you mean `:{close[0]}`? " if close else "") + "`:help` lists the directives")
    return cmd


def table() -> str:
    """The help table (`:help`)."""
    rows = [(cmd.usage, cmd.help) for cmd in COMMANDS]
    width = max(len(u) for u, _ in rows)
    return "\n".join(f"{u:<{width}}  {h}" for u, h in rows)


def markdown_table() -> str:
    """The directive table of the README, as the registry gives it."""
    def code(usage: str) -> str:
        return " / ".join(f"`{part.strip()}`" for part in usage.split("/"))
    rows = ["| directive | shows |", "|---|---|"]
    rows += [f"| {code(cmd.usage)} | {cmd.help} |" for cmd in COMMANDS]
    return "\n".join(rows)


def term_argument(d: Directive) -> tuple[list[str], Term]:
    """The options and the term of `:word --option … e`."""
    cmd = BY_WORD[d.word]
    text, offset, flags = d.text, d.text_offset, []
    while text.startswith("--"):
        flag = text.split(None, 1)[0]
        if flag not in cmd.options:
            hint = (f"`:{d.word}` takes {', '.join(f'`{o}`' for o in cmd.options)}" if cmd.options
                    else f"`:{d.word}` takes no options") + f" (write `{cmd.usage.split('/')[-1].strip()}`)"
            raise CajalSyntaxError(f"unknown option `{echo(flag)}` for `:{d.word}`", d.span, hint=hint)
        flags.append(flag)
        rest = text[len(flag):]
        offset += len(flag) + len(rest) - len(rest.lstrip())
        text = rest.lstrip()
    if not text:
        raise CajalSyntaxError(f"`:{d.word}` needs a term", d.span, hint=f"write `:{d.word} e`, e.g. `:{d.word} tt`")
    return flags, parse_fragment(d.span.source, offset, offset + len(text))


# ---------------------------------------------------------------------------- the directives


@command("type", usage=":type e", help="the type of e", holes=True,
         example=":type λx:𝟚. x     -- λx:𝟚. x : 𝟚 ⊸ 𝟚")
def _type(session, d: Directive, arg: Checked) -> Result:
    goals = [goal.describe() for goal in arg.typing.holes]
    return arg.result(d, "\n".join([f"{pretty(arg.term)} : {pretty(arg.typing.type)}", *goals]))


@command("eval", usage=":eval e", help="the value of e", example=":eval succ 2     -- 3 : ℕ")
def _eval(session, d: Directive, arg: Checked) -> Result:
    value = evaluate(arg.term, defs=session.def_values(arg.term))
    return arg.result(d, f"{pretty(value)} : {pretty(arg.typing.type)}", value=value)


@command("trace", usage=":trace e",
         help="the small-step reduction of e, rule by rule (β, if-tt, if-ff, iter-zero, iter-succ, succ, δ)",
         example=":trace if tt then ff else tt     -- one step: if-tt")
def _trace(session, d: Directive, arg: Checked) -> Result:
    from . import render
    view = render.trace(arg.term, defs=session.def_terms())  # bounded: the first and last steps, and the count
    return arg.result(d, view.text, value=view.steps, view=view)


@command("derive", usage=":derive e", help="the typing derivation tree of e, with its context splits", holes=True,
         example=":derive λx:𝟚. if x then ff else tt")
def _derive(session, d: Directive, arg: Checked) -> Result:
    from . import render
    view = render.derivation(arg.term, defs=session.def_types(), types=session.types, typing=arg.typing)
    return arg.result(d, str(view), view=view)


@command("compile", "matrix", usage=":compile e  /  :matrix e", help="the compiled tensor, as a labelled heatmap",
         example=":matrix λx:𝟚. if x then ff else tt     -- [[0, 1], [1, 0]]")
def _compile(session, d: Directive, arg: Checked) -> Result:
    from . import render
    compiled = session.compile(arg.typing)
    view = render.compiled_view(compiled, title=pretty(arg.term))
    return arg.result(d, str(view), view=view, compiled=compiled)


@command("graph", usage=":graph e  /  :graph --unroll e", help="the neuron / recurrence graph of e (Graphviz)",
         options=("--unroll",), example=":graph λn:ℕ. iter{tt | y ↪ if y then ff else tt}(n)")
def _graph(session, d: Directive, arg: Checked) -> Result:
    from . import render
    view = render.graph(arg.term, defs=session.definitions, types=session.types, nat_dim=session.nat_dim,
                        unroll="--unroll" in arg.flags, typing=arg.typing, compile=session.compile)
    return arg.result(d, str(view), view=view)


@command("step", usage=":step e",
         help="a widget that steps through the reduction of e (a readable trace in a terminal)",
         example=":step iter{tt | y ↪ if y then ff else tt}(2)")
def _step(session, d: Directive, arg: Checked) -> Result:
    from . import widgets
    view = widgets.stepper(arg.term, defs=session.def_terms(), nat_dim=session.nat_dim, compile=session.compile,
                           typing=arg.typing)
    text = view.trace_text() if isinstance(view, widgets.Stepper) else str(view)  # for terminals
    return arg.result(d, text, view=view)


def _setting(d: Directive, scope) -> Setting:
    parts = d.text.split("--", 1)[0].split()  # a trailing comment is not part of the setting
    if len(parts) != 2 or parts[0] != "nat_dim":
        raise CajalSyntaxError("`:set` takes a setting and a value", d.span,
                               hint="write `:set nat_dim 16` (the size of ℕ: naturals 0…N-1)")
    try:
        n = int(parts[1])
    except ValueError:
        n = -1
    if n < 1:
        raise CajalSyntaxError(f"`{echo(parts[1])}` is not a positive whole number", d.span,
                               hint="write `:set nat_dim 16`")
    return Setting(n)


@command("set", usage=":set nat_dim N", help="change N, the size of ℕ: naturals 0…N-1 (recompiles lazily)",
         example=":set nat_dim 16     -- ℕ holds 0…15", term=False, argument=_setting)
def _set(session, d: Directive, setting: Setting) -> Result:
    n = setting.nat_dim
    session.nat_dim = n
    return Result("directive", f"nat_dim = {n} (ℕ holds 0…{n - 1})", name="set", value=n)


@command("defs", usage=":defs", help="the session's definitions with their types", term=False)
def _defs(session, d: Directive) -> Result:
    lines = [f"{x.name} : {pretty(x.type)}" for x in session.definitions.values()]
    lines += [f"type {t}" for t in sorted(session.types)]
    return Result("directive", "\n".join(lines) or "(no definitions yet)", name=d.word)


_LOADING: contextvars.ContextVar[tuple[Path, ...]] = contextvars.ContextVar("loading", default=())


def _file_written(d: Directive, scope) -> str:
    written = d.text.split(" --", 1)[0].strip().strip('"')
    if not written:
        raise CajalSyntaxError("`:load` needs a file", d.span, hint="write `:load lib.cj`")
    return written


@command("load", usage=":load FILE.cj",
         help="run a .cj file here, as a cell: its definitions and types join the session's",
         example=":load lib.cj     -- runs lib.cj here, and lists what it defined", term=False,
         argument=_file_written, reads_files=True)
def _load(session, d: Directive, written: str) -> Result:
    """A relative path starts at the working directory; in a file that `:load`s another, at
    that file's directory (as `#include` does), so a library of files moves as one."""
    path = Path(written).expanduser()
    here = d.span.source.name if d.span.source is not None else None
    if here is not None and not path.is_absolute():
        path = Path(here).parent / path
    loading = _LOADING.get() + ((Path(here).resolve(),) if here is not None else ())
    if path.resolve() in loading:
        chain = " → ".join([p.name for p in loading] + [path.name])
        raise CajalError(f"`{written}` is already being loaded ({chain})", d.span,
                         hint="these files load each other in a circle: remove one of the `:load` lines")
    token = _LOADING.set(loading)
    try:
        results = session.load(path)
    except CajalError as err:
        if err.span is None:  # the file could not be read: point at the directive
            err.span = d.span
            if here is not None and err.hint and "working directory" in err.hint:
                err.hint = f"in a file, `:load` paths start at that file's directory ({Path(here).parent})"
        raise
    finally:
        _LOADING.reset(token)
    made = [str(r).split("\n")[0] for r in results if r.kind in ("def", "type")]
    return Result("directive", "\n".join([f"loaded {path}", *made]), name=d.word, value=results)


def _help_text(d: Directive, scope) -> str:
    word = d.text.split("--", 1)[0].strip()
    if not word:
        return table() + "\n\nTopics (:help TOPIC): " + ", ".join(topics.names()) + ", and each directive"
    return help_text(word, d)


@command("help", usage=":help  /  :help TOPIC",
         help="this table; or one construct or idea (iter, if, λ, linearity, nat_dim, a directive)",
         example=":help iter\n:help :graph", term=False, argument=_help_text)
def _help(session, d: Directive, text: str) -> Result:
    return Result("directive", text, name=d.word)


def help_text(word: str, d: Directive = None) -> str:
    """What `:help word` shows: the topic and/or the directive the word names."""
    texts = []
    topic = topics.find(word) if not word.startswith(":") else None
    if topic is not None:
        texts.append(topic.text())
    cmd = BY_WORD.get(word.lstrip(":"))
    if cmd is not None:
        texts.append(cmd.text())
    if not texts:
        known = topics.names() + [":" + w for w in words()]
        close = difflib.get_close_matches(word, known, n=1)
        raise CajalSyntaxError(f"no help on `{echo(word)}`", d.span if d is not None else None,
                               hint=(f"did you mean `:help {close[0]}`? " if close else "")
                               + "topics: " + ", ".join(known))
    return "\n\n".join(texts)


EQUIV_SEPARATORS = ("≡", "==")  # `:equiv e₁ ≡ e₂` (or `==` in ASCII): juxtaposition is application


@command("equiv", usage=":equiv e₁ ≡ e₂",
         help="whether two closed programs of one type are equal (their compiled tensors at nat_dim); "
              "if not, the smallest input where they differ, with both outputs (`==` for ≡)",
         example=":equiv λx:𝟚. x ≡ λy:𝟚. if y then tt else ff     -- equal\n"
                 ":equiv λx:𝟚. if x then ff else tt == λx:𝟚. x     -- they differ at tt: ff and tt", term=False,
         argument=lambda d, scope: _comparable(d, scope))
def _equiv(session, d: Directive, sides: tuple[Checked, Checked]) -> Result:
    from .equivalence import compare, program
    left = sides[0].term
    sides = [program(side.term, session, pretty(side.term), side.typing) for side in sides]
    verdict = compare(*sides, session.nat_dim)
    from . import render
    return Result("directive", verdict.text, name=d.word, type=sides[0].type, term=left, value=verdict,
                  view=render.equivalence_view(verdict))


def _comparable(d: Directive, scope) -> tuple[Checked, Checked]:
    """The two terms of `:equiv`, checked, of one type that can be compared."""
    from .equivalence import require_comparable
    left, right = (Checked(term, scope.check(term), ()) for term in two_terms(d))
    require_comparable(pretty(left.term), left.typing.type, pretty(right.term), right.typing.type, right.term.span)
    return left, right


def two_terms(d: Directive) -> tuple[Term, Term]:
    """The two terms of `:equiv e₁ ≡ e₂`, each parsed where it stands (errors point into the line)."""
    code = d.text.split("--", 1)[0]
    at = min(((code.find(s), s) for s in EQUIV_SEPARATORS if s in code), default=None)
    if at is None:
        raise CajalSyntaxError(f"`:{d.word}` compares two terms: write `e₁ ≡ e₂`", d.span,
                               hint=f"e.g. `:{d.word} λx:𝟚. x ≡ λy:𝟚. y` (or `==` for `≡`)")
    cut, sep = at
    start, end = d.text_offset, d.text_offset + len(d.text)
    left = parse_fragment(d.span.source, start, start + cut)
    right = parse_fragment(d.span.source, start + cut + len(sep), end)
    return left, right


@command("decompile", usage=":decompile e",
         help="the nearest well-typed program to e's weights, rounded column by column (argmax), "
              "beside the heatmap of the difference",
         example=":decompile λn:ℕ. succ n     -- λn:ℕ. iter{1 | y ↪ succ y}(n), at distance 0")
def _decompile(session, d: Directive, arg: Checked) -> Result:
    from . import render
    from .decompiler import decompile
    compiled = session.compile(arg.typing)
    found = decompile(compiled.tensor, arg.typing.type, compiled.nat_dim)
    view = render.decompiled_view(found)
    return arg.result(d, str(view), value=found, view=view, compiled=compiled)
