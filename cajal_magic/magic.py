"""The `%%cajal` cell magic and the `%cajal` line magic.

Both run their text through the shell's one `cajal.Session`, so definitions persist across
cells, and both show results the same way: a `def` prints its signature, a bare term displays
its type, value and compiled vector, a directive displays its view. The Cajal kernel runs its
cells through this same magic, so a cell behaves identically in either front-end.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from typing import Optional

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments
from IPython.display import display

from cajal import python_names
from cajal.errors import CajalError, echo
from cajal.lexicon import to_ascii
from cajal.result import DEFAULT_SHOW, SHOW_CHOICES, Result, bundle
from cajal.session import Definition, Session

from .errors import CajalInternalError, CajalInterrupt
from .value import CajalValue, wants_html

# ---------------------------------------------------------------------------- the one session of a shell


def get_session(shell=None) -> Session:
    """The Cajal session of an IPython shell (the running one by default), made on first use.
    The shell holds it (`shell._cajal_session`); everything else asks for it here."""
    if shell is None:
        from IPython import get_ipython
        shell = get_ipython()
        if shell is None:
            raise RuntimeError("no IPython shell is running")
    session = getattr(shell, "_cajal_session", None)
    if session is None:
        session = shell._cajal_session = Session()
    return session


def reset_session(shell) -> Session:
    """Forget every definition, declared type and setting (the Python names stay)."""
    shell._cajal_session = Session()
    return shell._cajal_session


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


@dataclass(frozen=True)
class Options:
    """The magic's options, as its declared arguments parsed them (made once per cell)."""

    nat_dim: Optional[int] = None
    ascii: bool = False
    quiet: bool = False
    show: frozenset = DEFAULT_SHOW
    first_line: Optional[int] = None
    term: tuple[str, ...] = ()

    @classmethod
    def parse(cls, parser, line: str) -> tuple["Options", int]:
        """The options of a magic line, and where the term of a line magic starts. The line is
        split at whitespace only (not as a shell would), so a term keeps its backslashes and
        quotes."""
        words = [(m.group(), m.start()) for m in re.finditer(r"\S+", line)]
        args = parser.parse_args([w for w, _ in words])
        start = words[len(words) - len(args.term)][1] if args.term else len(line)
        return cls(nat_dim=args.nat_dim, ascii=args.ascii, quiet=args.quiet, show=args.show or DEFAULT_SHOW,
                   first_line=args.first_line, term=tuple(args.term)), start


@magics_class
class CajalMagics(Magics):
    """`%%cajal` and `%cajal`, running in the shell's one `cajal.Session` (`get_session`)."""

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
        options, term_start = Options.parse(self.cajal.parser, line)
        if cell is None:
            # keep the columns of the term where the user typed them (errors point into the line)
            return run_cajal(self.shell, " " * term_start + line[term_start:], 1, options)
        if options.term:
            raise UsageError(f"unexpected `{echo(' '.join(options.term))}` after the options of %%cajal "
                             "(options: --nat-dim N, --ascii, --quiet, --show …; the Cajal goes below)")
        return run_cajal(self.shell, cell, options.first_line if options.first_line is not None else 2, options)


def run_cajal(shell, source: str, first_line: int, options: Options = Options()) -> Optional[CajalValue]:
    """Run Cajal source through the shell's session and show what it produced. Raises the
    cell's CajalError (after showing the results of the items before it)."""
    session = get_session(shell)
    if options.nat_dim:
        session.nat_dim = options.nat_dim
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
    if not options.quiet:
        try:
            if isinstance(error, KeyboardInterrupt):  # what the cell made, without more work
                if results:
                    text = "\n".join(str(r) for r in results)
                    print(to_ascii(text) if options.ascii else text)
            else:
                value = _show_results(results, session, options, notes, last_is_value=error is None)
        except KeyboardInterrupt:  # displaying is interruptible too
            raise CajalInterrupt() from None
    if error is not None:
        raise error
    return value


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


def _show_results(results, session, options: Options, notes, last_is_value: bool) -> Optional[CajalValue]:
    """Print or display each result; the cell's last term, if any, is returned as its value."""
    conv = to_ascii if options.ascii else (lambda s: s)
    shown = options.show - {"graph"}
    value = None
    for i, r in enumerate(results):
        if r.kind == "term":
            if "graph" in options.show and r.term is not None:
                _display_graph(r, session)
            if not shown:
                continue
            v = CajalValue(r, session, show=options.show, ascii=options.ascii)
            if last_is_value and i == len(results) - 1:
                value = v
            else:
                display(v)
        elif r.kind in ("def", "type"):
            print(conv("\n".join([str(r), *notes.get(r.name, [])])))
        elif r.view is not None and _is_widget(r.view):
            display(r.view)
        elif r.view is not None or r.compiled is not None:
            display(bundle(r, ascii=options.ascii, html=wants_html()), raw=True)
        else:
            print(conv(str(r)))
    if "*" in notes:
        print(conv(notes["*"][0]))
    return value


def _display_graph(r: Result, session: Session) -> None:
    from cajal import render
    try:
        view = render.graph(r.term, defs=session.definitions, types=session.types, nat_dim=session.nat_dim,
                            typing=r.typing, compile=session.compile)
    except Exception as err:  # a CajalError, or a bug: one line either way
        print(f"(no graph: {err.message if isinstance(err, CajalError) else f'{type(err).__name__}: {err}'})")
        return
    display(bundle(Result("directive", "", view=view), html=wants_html()), raw=True)


def _is_widget(view) -> bool:
    import ipywidgets
    return isinstance(view, ipywidgets.Widget)
