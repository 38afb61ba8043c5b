"""The `%%cajal` cell magic and the `%cajal` line magic.

Both run their text through the shell's one `cajal.Session`, so definitions persist across
cells, and both show results the same way: a `def` prints its signature, a bare term displays
its type, value and compiled vector, a directive displays its view. The Cajal kernel runs its
cells through this same magic, so a cell behaves identically in either front-end.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
from typing import Any, Optional

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments
from IPython.display import display

from cajal import python_names
from cajal.errors import CajalError, echo
from cajal.lexicon import to_ascii
from cajal.pretty import pretty
from cajal.result import Result
from cajal.session import Definition, Session

SHOW_CHOICES = ("type", "value", "tensor", "graph")
DEFAULT_SHOW = frozenset({"type", "value", "tensor"})

# ---------------------------------------------------------------------------- session per shell


def get_session(shell=None) -> Session:
    """The Cajal session of an IPython shell (the running one by default); made on first use."""
    if shell is None:
        from IPython import get_ipython
        shell = get_ipython()
        if shell is None:
            raise RuntimeError("no IPython shell is running")
    session = getattr(shell, "_cajal_session", None)
    if session is None:
        session = Session()
        shell._cajal_session = session
    return session


def reset_session(shell) -> Session:
    """Forget every definition, declared type and setting (the Python names stay)."""
    shell._cajal_session = Session()
    for magics in shell.magics_manager.registry.values():
        if isinstance(magics, CajalMagics):
            magics.session = shell._cajal_session
    return shell._cajal_session


# ---------------------------------------------------------------------------- errors


class CajalInternalError(CajalError):
    """A bug in Cajal itself, shown as a short message instead of a traceback of its internals
    (the original exception is kept as `__cause__`; `%tb` shows nothing more)."""


class CajalInterrupt(KeyboardInterrupt):
    """The user interrupted a Cajal computation (Kernel › Interrupt, or Ctrl-C)."""

    def _render_traceback_(self) -> list[str]:
        return ["KeyboardInterrupt: the Cajal computation was interrupted",
                "(definitions made before the interrupted item are kept)"]


# ---------------------------------------------------------------------------- what a term gives Python


class CajalValue:
    """A term's result as a Python object: what `x = %cajal not (not tt)` binds, and what a
    `%%cajal` cell ending with a term returns (so `_` is it).

    `.value` is a Python bool or int, or a callable `Definition` for a function; `.type` is the
    Cajal type; `.tensor` the compiled vector (or matrix, for a function); `bool()` and `int()`
    convert; in a notebook it displays its type, value and compiled vector.
    """

    def __init__(self, result: Result, session: Session, show=DEFAULT_SHOW, ascii: bool = False):
        self.result = result
        self._session = session
        self._show = frozenset(show) - {"graph"}
        self._ascii = ascii
        self._value: Any = _UNSET

    # -------------------------------------------------------- data

    @property
    def type(self):
        """The Cajal type of the value (`str()` prints it as Cajal: `𝟚 ⊸ ℕ`)."""
        return self.result.type

    @property
    def term(self):
        """The term that was evaluated."""
        return self.result.term

    @property
    def value(self) -> Any:
        """The value in Python: a bool, an int, a callable `Definition` for a function, or a
        linked object."""
        if self._value is _UNSET:
            self._value = _python_value(self.result, self._session)
        return self._value

    @property
    def tensor(self):
        """Compiled on each use and not kept: a value in `Out` holds its term, not its tensors."""
        return self._unkept().tensor

    def _unkept(self) -> Result:
        """A copy of the result to compile and render: what it makes is dropped with it."""
        return dataclasses.replace(self.result)

    @property
    def text(self) -> str:
        """The result as text, `value : type` (in ASCII with `--ascii`)."""
        text = self.result.text
        return to_ascii(text) if self._ascii else text

    # -------------------------------------------------------- conversions

    def __bool__(self) -> bool:
        v = self.value
        if isinstance(v, (bool, int)):
            return bool(v)
        raise TypeError(f"a value of type {pretty(self.type)} has no truth value")

    def __int__(self) -> int:
        v = self.value
        if isinstance(v, (bool, int)):
            return int(v)
        raise TypeError(f"a value of type {pretty(self.type)} is not a number")

    def __index__(self) -> int:
        v = self.value
        if isinstance(v, int) and not isinstance(v, bool):
            return v
        raise TypeError(f"a value of type {pretty(self.type)} cannot be used as an index")

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, CajalValue):
            return self.type == other.type and self.result.value == other.result.value
        if isinstance(other, (bool, int)) and isinstance(self.result.value, (bool, int)):
            return self.result.value == other
        return NotImplemented

    def __hash__(self) -> int:
        v = self.result.value
        return hash(v) if isinstance(v, (bool, int)) else id(self)

    def __call__(self, *args, **kwargs):
        """Apply a function value to linked inputs (bools, ints or tensors), through its neuron."""
        v = self.value
        if not callable(v):
            raise TypeError(f"a value of type {pretty(self.type)} is not a function")
        return v(*args, **kwargs)

    # -------------------------------------------------------- display

    def __repr__(self) -> str:
        return self._plain()

    def _repr_pretty_(self, p, cycle):
        p.text(self._plain())

    def _head(self) -> str:
        """The value and/or type, as `--show` asks."""
        show = self._show
        if "value" in show and "type" in show:
            text = self.result.text
        elif "value" in show:
            text = pretty(self.result.value)
        elif "type" in show:
            term = pretty(self.term) if self.term is not None else ""
            text = f"{term} : {pretty(self.type)}"
        else:
            text = ""
        return to_ascii(text) if self._ascii else text

    def _plain(self) -> str:
        notes = [to_ascii(n) if self._ascii else n for n in self.result.notes]
        return "\n".join(filter(None, [self._head(), *notes]))

    def _shows_tensor(self) -> bool:
        return "tensor" in self._show and self.result.compile is not None

    def _repr_mimebundle_(self, include=None, exclude=None):
        """`text/plain` complete for terminals (value, type and compiled vector, as `--show`
        asks); the HTML is the rich view alone (its title is the value and type)."""
        plain = self._plain()
        try:
            if not self._shows_tensor():
                return {"text/plain": plain or "(nothing shown)"}
            from cajal import render
            result = self._unkept()  # what is compiled for the display is not kept in `Out`
            out = {"text/plain": "\n".join(filter(None, [plain, render.tensor_text(result.tensor)]))}
            if _wants_html(include):
                view = render.compiled_view(result.compiled, title=self._head() or None)
                out.update((mime, data) for mime, data in view._repr_mimebundle_().items()
                           if mime != "text/plain")
                if "text/html" in out and self.result.notes:
                    out["text/html"] = render.notes_html(self.result.notes) + out["text/html"]
            return out
        except CajalError as err:
            return {"text/plain": "\n".join(filter(None, [plain, f"(not compiled: {err.message})"]))}
        except Exception as err:  # a display must never show a traceback of our internals
            return {"text/plain": "\n".join(filter(None, [plain, f"(could not display: {type(err).__name__}: {err})"]))}
        except KeyboardInterrupt:  # displaying is interruptible: the interrupt ends the cell
            raise CajalInterrupt() from None


def _wants_html(include=None) -> bool:
    """Whether anyone will see the HTML (compiling for a terminal that shows text only would
    import torch for nothing)."""
    if include is not None:
        return "text/html" in include
    from IPython import get_ipython
    shell = get_ipython()
    if shell is None:
        return True
    return "text/html" in shell.display_formatter.active_types


class _Unset:
    pass


_UNSET = _Unset()


def _python_value(result: Result, session: Session) -> Any:
    """bool and int stay; a function becomes a callable `Definition`; a linked value its object."""
    from cajal.syntax import Def, Lam, Param, Var
    from cajal.values import Closure, Opaque

    v = result.value
    if isinstance(v, (bool, int)):
        return v
    if isinstance(v, Opaque):
        return v.obj
    if isinstance(v, Closure):
        term = result.term
        if isinstance(term, Var) and term.name in session.definitions:
            return session.definitions[term.name]
        term = v.as_term()
        params, body = [], term
        while isinstance(body, Lam):
            params.append(Param(body.param, body.param_type, body.param_span))
            body = body.body
        item = Def("it", tuple(params), None, body, term.span)
        typing = session.check(term)
        return Definition(item, typing.type, typing, pretty(term), session, session.definitions)
    return v


# ---------------------------------------------------------------------------- the magics


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return n


def _show_list(text: str) -> frozenset:
    parts = {p.strip() for p in text.split(",") if p.strip()}
    unknown = sorted(parts - set(SHOW_CHOICES))
    if unknown or not parts:
        raise argparse.ArgumentTypeError(
            f"cannot show {', '.join(unknown) or 'nothing'}: choose from {','.join(SHOW_CHOICES)}")
    return frozenset(parts)


@magics_class
class CajalMagics(Magics):
    """`%%cajal` and `%cajal`, bound to one `cajal.Session`."""

    def __init__(self, shell, session: Session):
        super().__init__(shell)
        self.session = session

    @line_cell_magic
    @magic_arguments()
    @argument("--nat-dim", type=_positive_int, metavar="N",
              help="set the size of ℕ for the session (naturals 0…N-1; like `:set nat_dim N`) before running")
    @argument("--ascii", action="store_true", help="print types, terms and values in ASCII (\\ -o => Bool Nat)")
    @argument("--quiet", action="store_true", help="display nothing (definitions are still made)")
    @argument("--show", type=_show_list, metavar="type,value,tensor,graph", default=None,
              help="what a bare term displays: any of type, value, tensor (its compiled vector or matrix) "
                   "and graph (its neuron graph); default type,value,tensor")
    @argument("--first-line", type=int, default=None, help=argparse.SUPPRESS)
    @argument("term", nargs=argparse.REMAINDER, help="as a line magic, the term to evaluate (`x = %%cajal not tt`)")
    def cajal(self, line: str, cell: Optional[str] = None):
        """Run Cajal: declarations (`def`, `type`), terms and directives (`:help` lists them).

        As a cell magic (`%%cajal` on the first line), runs the cell. Each `def f …` becomes a
        Python name `f` (a `Definition`: call it on tensors, modules or callables), with a
        trailing underscore when `f` is a Python keyword (`not_`). Definitions persist across
        cells. A bare term displays its type, value and compiled vector; if the cell ends with
        one, the cell's value is a `CajalValue` (`.value`, `.type`, `.tensor`).

        As a line magic, `x = %cajal not (not tt)` evaluates one term and returns its
        `CajalValue`: `x.value` is `True`, `bool(x)` works, and a function's value is callable.

        Error messages count lines from the `%%cajal` line (the first line of the cell body is
        line 2).
        """
        opts, term_start = self._options(line)
        if cell is None:
            # keep the columns of the term where the user typed them (errors point into the line)
            source = " " * term_start + line[term_start:]
            first_line = 1
        else:
            if opts.term:
                raise UsageError(f"unexpected `{echo(' '.join(opts.term))}` after the options of %%cajal "
                                 "(options: --nat-dim N, --ascii, --quiet, --show …; the Cajal goes below)")
            source = cell
            first_line = opts.first_line if opts.first_line is not None else 2
        return run_cajal(self.shell, self.session, source, first_line, opts)

    def _options(self, line: str):
        """The options the decorators declare, and where the term of a line magic starts. The
        line is split at whitespace only (not as a shell would), so a term keeps its
        backslashes and quotes."""
        words = [(m.group(), m.start()) for m in re.finditer(r"\S+", line)]
        opts = self.cajal.parser.parse_args([w for w, _ in words])
        start = words[len(words) - len(opts.term)][1] if opts.term else len(line)
        return opts, start


def run_cajal(shell, session: Session, source: str, first_line: int, opts) -> Optional[CajalValue]:
    """Run Cajal source through the session and show what it produced. Raises the cell's
    CajalError (after showing the results of the items before it)."""
    show = opts.show if getattr(opts, "show", None) is not None else DEFAULT_SHOW
    ascii_ = bool(getattr(opts, "ascii", False))
    quiet = bool(getattr(opts, "quiet", False))
    if getattr(opts, "nat_dim", None):
        session.nat_dim = opts.nat_dim

    # IPython ends a cell with a newline the user did not type; an error at "the end of the
    # input" should point at the end of the last line, not at a line after the cell.
    source = source.rstrip()
    before = dict(session.definitions)
    error: Optional[BaseException] = None
    try:
        results = session.run(source, first_line=first_line)
    except CajalError as err:
        results, error = list(getattr(err, "results", [])), err
    except KeyboardInterrupt as err:
        results, error = list(getattr(err, "results", [])), CajalInterrupt()
    except Exception as err:  # never a traceback of our internals
        results = []
        error = CajalInternalError(f"internal error ({type(err).__name__}: {err})",
                                   hint="this is a bug in Cajal; please report it with the cell that caused it")
        error.__cause__ = err
    notes = _push_definitions(shell, session, before)

    value = None
    if not quiet:
        try:
            if isinstance(error, KeyboardInterrupt):  # what the cell made, without more work
                if results:
                    print(to_ascii(_plain(results)) if ascii_ else _plain(results))
            else:
                value = _show_results(results, session, show, ascii_, notes, last_is_value=error is None)
        except KeyboardInterrupt:  # displaying is interruptible too
            raise CajalInterrupt() from None
    if error is not None:
        raise error
    return value


def _plain(results: list[Result]) -> str:
    return "\n".join(str(r) for r in results)


def _push_definitions(shell, session: Session, before: dict) -> dict[str, list[str]]:
    """Put the definitions this run made into the user namespace under their Python names
    (cajal.python_names: a name IPython relies on is not bound); return notes per name."""
    notes: dict[str, list[str]] = {}
    keywords = []
    for name, d in session.definitions.items():
        if before.get(name) is d:
            continue
        if python_names.note(name):
            notes.setdefault(name, []).append(python_names.note(name))
        py = python_names.python_name(name)
        if py is None:
            continue
        old = shell.user_ns.get(py, None)
        if py in shell.user_ns and not isinstance(old, Definition):
            notes.setdefault(name, []).append(f"(replaces the Python variable `{py}`)")
        shell.user_ns[py] = d
        if python_names.is_keyword(name):
            keywords.append(name)
    if keywords:
        notes["*"] = [python_names.keywords_note(keywords)]
    return notes


def _show_results(results, session, show, ascii_: bool, notes, last_is_value: bool):
    conv = to_ascii if ascii_ else (lambda s: s)
    value = None
    for i, r in enumerate(results):
        last = last_is_value and i == len(results) - 1
        if r.kind == "term":
            if "graph" in show and r.term is not None:
                _display_graph(r, session)
            v = CajalValue(r, session, show=show, ascii=ascii_)
            if last and show - {"graph"}:
                value = v
            elif show - {"graph"}:
                display(v)
        elif r.kind in ("def", "type"):
            print(conv("\n".join([str(r), *notes.get(r.name, [])])))
        else:
            view = r.view
            if view is not None and _is_widget(view):
                display(view)
            elif view is not None or r.compiled is not None:
                display(_SafeDisplay(r, ascii_))
            else:
                print(conv(str(r)))
    if "*" in notes:
        print(conv(notes["*"][0]))
    return value


def _display_graph(r: Result, session: Session) -> None:
    try:
        from cajal import render
        view = render.graph(r.term, defs=session.definitions, types=session.types, nat_dim=session.nat_dim,
                            typing=r.typing, compile=session.compile)
    except CajalError as err:
        print(f"(no graph: {err.message})")
        return
    except Exception as err:
        print(f"(no graph: {type(err).__name__}: {err})")
        return
    display(_SafeDisplay(Result("directive", "", view=view), False))


def _is_widget(view) -> bool:
    import ipywidgets
    return isinstance(view, ipywidgets.Widget)


class _SafeDisplay:
    """A result's rich display; a failure to render becomes a line of text, not a traceback."""

    def __init__(self, result: Result, ascii_: bool):
        self.result = result
        self.ascii = ascii_

    def _text(self) -> str:
        text = str(self.result)
        return to_ascii(text) if self.ascii else text

    def __repr__(self) -> str:
        return self._text()

    def _repr_mimebundle_(self, include=None, exclude=None):
        try:
            bundle = dict(self.result._repr_mimebundle_())
        except CajalError as err:
            return {"text/plain": f"{self._text()}\n(cannot display: {err.message})"}
        except Exception as err:
            return {"text/plain": f"{self._text()}\n(cannot display: {type(err).__name__}: {err})"}
        if self.ascii and "text/plain" in bundle:
            bundle["text/plain"] = to_ascii(bundle["text/plain"])
        if not bundle.get("text/plain"):
            bundle["text/plain"] = self._text() or "(no text)"
        return bundle
