"""What one item of a cell produced: its text, its typing, value and compiled neuron, and a
rich view made from them on demand.

The renderers draw a result from what it carries; they never re-run a stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from .errors import CajalError
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
        """The complete plain-text display, for terminals: a term's text with its compiled
        vector (or matrix) below it; any other result's text (a directive's text is its view's)."""
        text = str(self)
        if self.kind != "term" or self.compile is None:
            return text
        from . import render
        try:
            return f"{text}\n{render.tensor_text(self.tensor)}"
        except CajalError as err:
            return f"{text}\n(not compiled: {err.message})"

    def _repr_pretty_(self, p, cycle):
        p.text(self.plain())

    def _repr_mimebundle_(self, include=None, exclude=None):
        """One view per front-end: `text/plain` complete for terminals, and the rich forms
        (HTML, SVG) the rich view alone, never the plain text again."""
        bundle = {"text/plain": self.plain()}
        view = self.rich()
        if view is not None and hasattr(view, "_repr_mimebundle_"):
            for mime, data in view._repr_mimebundle_().items():
                if mime != "text/plain":
                    bundle[mime] = data
            if "text/html" in bundle and self.notes:
                from . import render
                bundle["text/html"] = render.notes_html(self.notes) + bundle["text/html"]
        return bundle

    def rich(self):
        """The rich view, made on demand (rendering loads torch)."""
        if self.view is None and self.kind == "term" and self.compile is not None:
            from . import render
            try:
                self.tensor
            except CajalError as err:
                return render.text_view(f"(not compiled: {err.message})", title=self.text)
            self.view = render.compiled_view(self.compiled, title=self.text)
        if self.view is None and self.definition is not None:
            from . import render
            self.view = render.definition_view(self.definition)
        return self.view

