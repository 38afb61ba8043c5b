"""What one item of a cell produced: its text, its typing, value and compiled neuron, and a
rich view made from them on demand.

The renderers draw a result from what it carries; they never re-run a stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from .errors import CajalError
from .lexicon import to_ascii
from .pretty import pretty
from .syntax import Arrow, Term, Type
from .types import Typing


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
    definition: Any = None  # the session's Definition, for a `def`
    compiled: Any = None  # the Compiled neuron, once made
    compile: Any = None  # a thunk that compiles the term, run on demand (compiling loads torch)
    term: Optional[Term] = None  # the term the result is about (front-ends graph it, link it)
    typing: Optional[Typing] = None  # the checker's typing of `term`

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

    def plain(self) -> str:
        """The complete plain-text display, for terminals (see `bundle`)."""
        return bundle(self, html=False)["text/plain"]

    def _repr_pretty_(self, p, cycle):
        p.text(self.plain())

    def _repr_mimebundle_(self, include=None, exclude=None):
        return bundle(self, html=include is None or "text/html" in include)

    def rich(self):
        """The rich view of a directive or a definition, made on demand (rendering loads torch)."""
        if self.view is None and self.definition is not None:
            from . import render
            self.view = render.definition_view(self.definition)
        return self.view


# What a bare term shows (the magic's `--show`): any of these; `graph` is drawn beside it.
SHOW_CHOICES = ("type", "value", "tensor", "graph")
DEFAULT_SHOW = frozenset({"type", "value", "tensor"})


def bundle(result: Result, show: frozenset = DEFAULT_SHOW, ascii: bool = False, html: bool = True) -> dict:
    """The one display of a result, for every front-end: `text/plain` complete on its own (for
    terminals), and with `html` the rich forms (HTML, SVG) of its view alone, never the plain
    text again. A term shows its value and/or type and its compiled vector as `show` asks; with
    `ascii` the text is spelled in ASCII. A failure to compile or render becomes a line of text,
    never a traceback."""
    if result.kind == "term":
        out = _term_bundle(result, show, html)
    else:
        out = _view_bundle(result, html)
    if ascii:
        out["text/plain"] = to_ascii(out["text/plain"])
    return out


def _head(result: Result, show: frozenset) -> str:
    """A term's value and/or type, as `show` asks."""
    if "value" in show and "type" in show:
        return result.text
    if "value" in show:
        return pretty(result.value)
    if "type" in show:
        return f"{pretty(result.term) if result.term is not None else ''} : {pretty(result.type)}"
    return ""


def _term_bundle(result: Result, show: frozenset, html: bool) -> dict:
    head = _head(result, show)
    plain = "\n".join(filter(None, [head, *result.notes]))
    if "tensor" not in show or result.compile is None:
        return {"text/plain": plain or "(nothing shown)"}
    from . import render
    try:
        out = {"text/plain": "\n".join(filter(None, [plain, render.tensor_text(result.tensor)]))}
        view = render.compiled_view(result.compiled, title=head or None) if html else None
    except CajalError as err:
        problem = f"(not compiled: {err.message})"
        out = {"text/plain": "\n".join(filter(None, [plain, problem]))}
        view = render.text_view(problem, title=head or None) if html else None
    except Exception as err:  # a display must never show a traceback of our internals
        return {"text/plain": "\n".join(filter(None, [plain, f"(could not display: {type(err).__name__}: {err})"]))}
    if view is not None:
        out.update(_rich(view, result.notes))
    return out


def _view_bundle(result: Result, html: bool) -> dict:
    text = str(result)
    try:
        view = result.rich()
        rich = _rich(view, result.notes) if html and view is not None else {}
        if not text and view is not None:
            text = view._repr_mimebundle_().get("text/plain", "")
    except CajalError as err:
        return {"text/plain": f"{text}\n(cannot display: {err.message})"}
    except Exception as err:
        return {"text/plain": f"{text}\n(cannot display: {type(err).__name__}: {err})"}
    return {"text/plain": text or "(no text)", **rich}


def _rich(view, notes: list[str]) -> dict:
    """The rich forms of a view (its text/plain is the result's own), notes above its HTML."""
    if not hasattr(view, "_repr_mimebundle_"):
        return {}
    rich = {mime: data for mime, data in view._repr_mimebundle_().items() if mime != "text/plain"}
    if "text/html" in rich and notes:
        from . import render
        rich["text/html"] = render.notes_html(notes) + rich["text/html"]
    return rich
