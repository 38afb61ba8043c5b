"""Interactive views (ipywidgets). `stepper(e)` steps through the small-step reduction of e.

ipywidgets is imported when a widget is made, not when this module is imported.
"""

from __future__ import annotations

from typing import Optional

from .errors import CajalError
from .parser import as_term
from .pretty import pretty, subscript
from .render.common import Defs
from .render.view import esc, wrap

LIMIT = 2000  # steps computed at most
HIDDEN_CACHE = 8  # steps whose hidden states are kept


class Stepper:
    """A player for the reduction of a term: ▶ Play, a slider, ◀ prev and next ▶, showing the
    current term with the redex about to be contracted, the rule, and (when the term is closed
    and compiles) the hidden states h₀…h_{N−1} of each `iter` in it.

    `next()`, `prev()` and `index` drive it from Python (index 0 is the term itself, index i the
    term after i steps); `.term_now`, `.rule`, `.redex` describe the state shown."""

    def __init__(self, term, *, defs=None, nat_dim: int = 10, limit: int = LIMIT, compile=None, typing=None):
        from .evaluation import reduction
        self.term = as_term(term)
        self.defs = Defs(defs)
        self.nat_dim = nat_dim
        self.compile = compile
        self.typing = typing  # the checker's typing of `term`, if known: its hidden states compile from it
        # reduced once: the player and the terminal's trace both draw from these steps
        self.reduction = reduction(self.term, defs=self.defs.terms(), keep=limit, limit=limit)
        self.steps = self.reduction.steps
        self.terms = [self.term] + [s.term for s in self.steps]
        self.truncated = len(self.steps) >= limit
        self.limit = limit
        self._index = 0
        self._hidden_cache: dict[int, object] = {}
        self._iter_types: dict[int, object] = {}
        self.widget = None
        self._build()

    # ------------------------------------------------------------------ state

    def __len__(self) -> int:
        return len(self.terms)

    @property
    def index(self) -> int:
        return self._index

    @index.setter
    def index(self, i: int) -> None:
        i = max(0, min(int(i), len(self.terms) - 1))
        self._index = i
        if self.widget is not None:
            if self._slider.value != i:
                self._slider.value = i  # its observer calls _refresh
                return
            self._refresh()

    def next(self) -> "Stepper":
        """One step forward (no-op at the value)."""
        self.index = self._index + 1
        return self

    def prev(self) -> "Stepper":
        """One step back (no-op at the start)."""
        self.index = self._index - 1
        return self

    @property
    def term_now(self):
        """The term shown: the start term after `index` steps."""
        return self.terms[self._index]

    @property
    def done(self) -> bool:
        return self._index >= len(self.steps)

    @property
    def rule(self) -> Optional[str]:
        """The rule the next step applies (None at the end)."""
        return None if self.done else self.steps[self._index].rule

    @property
    def redex(self):
        """The redex the next step contracts (None at the end)."""
        return None if self.done else self.steps[self._index].redex

    @property
    def last_rule(self) -> Optional[str]:
        """The rule of the step that led to the current term (None at the start)."""
        return self.steps[self._index - 1].rule if self._index else None

    # ------------------------------------------------------------------ display

    def _end_text(self) -> str:
        from .values import is_value
        if self.truncated:
            return f"the trace was cut short after {len(self.steps)} steps"
        if is_value(self.term_now):
            return "value: no rule applies"
        return "stuck: no rule applies, but this is not a value (is the term well-typed and closed?)"

    def state_text(self) -> str:
        from .render.trace import split_at
        head = f"step {self._index} of {len(self.steps)}"
        if self.last_rule:
            head += f" (after {self.last_rule})"
        if self.done:
            return f"{head}\n  {pretty(self.term_now)}\n  {self._end_text()}"
        before, redex, after = split_at(self.term_now, self.steps[self._index].path)
        return f"{head}\n  {before}«{redex}»{after}\n  next: {self.rule}"

    def state_html(self) -> str:
        from .render.trace import split_at
        parts = [f'<div class="cj-meta">step <b>{self._index}</b> of {len(self.steps)}'
                 + (f" · after <b>{esc(self.last_rule)}</b>" if self.last_rule else "") + "</div>"]
        if self.done:
            parts.append(f'<div class="cj-mono" style="font-size:14px;margin:4px 0"><b>{esc(pretty(self.term_now))}</b></div>')
            parts.append(f'<div class="cj-meta">{esc(self._end_text())}</div>')
        else:
            before, redex, after = split_at(self.term_now, self.steps[self._index].path)
            parts.append(f'<div class="cj-mono" style="font-size:14px;margin:4px 0">{esc(before)}'
                         f'<mark class="cj-redex">{esc(redex)}</mark>{esc(after)}</div>')
            parts.append(f'<div class="cj-meta">next: <b style="color:#6a1b9a">{esc(self.rule)}</b> '
                         f'on the highlighted redex</div>')
        parts.append(self._hidden_html())
        return wrap("".join(parts), "stepper")

    def trace_text(self) -> str:
        """The whole reduction as text, rule by rule: what a terminal shows for `:step`."""
        from .render.trace import reduction_view
        return str(reduction_view(self.reduction))

    def __str__(self) -> str:
        return self.state_text()

    def __repr__(self) -> str:
        return self.state_text()

    def _repr_mimebundle_(self, include=None, exclude=None):
        if self.widget is None:
            return {"text/plain": self.state_text(), "text/html": self.state_html()}
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        bundle["text/plain"] = self.state_text()
        return bundle

    # ------------------------------------------------------------------ hidden states

    def hidden_states(self, index: Optional[int] = None):
        """The hidden states of the iters of the term at `index` (default: the current one), as
        a list of (iter term, tensor of shape (N, dim τ)) pairs; [] when the term has no iter or
        does not compile (it is open, or the compiler is not there)."""
        i = self._index if index is None else index
        if i not in self._hidden_cache:
            if len(self._hidden_cache) >= HIDDEN_CACHE:  # sliding through a long trace keeps a few
                del self._hidden_cache[next(iter(self._hidden_cache))]
            self._hidden_cache[i] = _hidden_states(self.terms[i], self.nat_dim, self,
                                                   self.typing if i == 0 else None)
        return self._hidden_cache[i]

    def _hidden_html(self) -> str:
        from .syntax import Iter
        if not _has_iter(self.term_now, Iter):
            return ""
        try:
            states = self.hidden_states()
        except CajalError as err:  # over the memory budget: say so, record nothing
            return f'<div class="cj-meta">(hidden states not recorded: {esc(err.message)})</div>'
        if not states:
            return '<div class="cj-meta">(hidden states need the compiler and a closed term)</div>'
        from .render.heatmap import heatmap
        blocks = []
        for k, (it, hs) in enumerate(states):
            title = f"hidden states h₀…h{subscript(hs.shape[0] - 1)} of {_short(it)}"
            ty = self._iter_types.get(id(it))
            view = heatmap(hs.T, ty, [("i", None)], nat_dim=self.nat_dim, title=title, out_name=it.var)
            blocks.append(view.html or f"<pre>{esc(view.text)}</pre>")
        return '<div style="margin-top:6px">' + "".join(blocks) + "</div>"

    # ------------------------------------------------------------------ widgets

    def _build(self) -> None:
        import ipywidgets as W
        n = len(self.terms) - 1
        self._play = W.Play(value=0, min=0, max=n, step=1, interval=700, description="Play")
        self._slider = W.IntSlider(value=0, min=0, max=n, step=1, description="step", continuous_update=True,
                                   layout=W.Layout(width="320px"))
        self._prev = W.Button(description="◀ prev", layout=W.Layout(width="80px"), tooltip="one step back")
        self._next = W.Button(description="next ▶", layout=W.Layout(width="80px"), tooltip="one step forward")
        self._html = W.HTML(value=self.state_html())
        W.link((self._play, "value"), (self._slider, "value"))
        self._slider.observe(self._on_slider, names="value")
        self._prev.on_click(lambda _: self.prev())
        self._next.on_click(lambda _: self.next())
        self.widget = W.VBox([W.HBox([self._play, self._prev, self._slider, self._next]), self._html])

    def _on_slider(self, change) -> None:
        self._index = int(change["new"])
        self._refresh()

    def _refresh(self) -> None:
        if self.widget is not None:
            self._html.value = self.state_html()


def _short(it) -> str:
    from .render.common import truncate
    return truncate(pretty(it), 60)



def _has_iter(term, Iter) -> bool:
    from .syntax import children
    stack = [term]
    while stack:
        t = stack.pop()
        if isinstance(t, Iter):
            return True
        stack.extend(children(t))
    return False


def _hidden_states(term, nat_dim: int, stepper: Stepper, typing=None):
    """[(iter node, tensor (N, dim τ))] for the iters that run when `term` runs, from its
    compiled neuron (`Compiled.iterates`): a closed term compiles alone, one that uses
    definitions with the stepper's `compile` (the session's), from `typing` when it is the
    checked typing of `term` (else `term` is checked first: a step's term is a new term).
    [] when it does not compile."""
    from .syntax import free_vars
    if free_vars(term):
        if stepper.compile is None:
            return []
        compile_ = stepper.compile
    else:
        def compile_(what):
            from .compiler.program import compile_typing
            from .types import check
            checked = what if typing is not None else check(what, types=stepper.defs.abstract)
            return compile_typing(checked, {}, nat_dim, defs={})
    try:
        compiled = compile_(typing if typing is not None else term)
        if not compiled.finite:
            return []
    except CajalError:
        return []
    _require_recording(compiled)  # before a state is made: N states of each iter, each of dim τ
    try:
        record = compiled.iterates()
    except CajalError:
        return []
    out = []
    for it, hs in record:
        hs = hs.detach()
        if id(it) in compiled.typing.types:
            stepper._iter_types[id(it)] = compiled.typing.types[id(it)]
        out.append((it, hs.reshape(hs.shape[0], -1)))
    return out


def _require_recording(compiled) -> None:
    """Refuse (a CajalError) hidden states whose recording would exceed the memory budget:
    each iter records nat_dim states of dim τ, held twice while they are stacked."""
    from . import budget
    from .encoding import dim
    from .syntax import Iter, children
    numel, stack = 0, [compiled.term]
    while stack:
        t = stack.pop()
        stack.extend(children(t))
        ty = compiled.typing.types.get(id(t)) if isinstance(t, Iter) else None
        if ty is not None:
            numel += 2 * compiled.nat_dim * (dim(ty, compiled.nat_dim) or 0)
    import torch
    elem = torch.empty(0, dtype=compiled.dtype).element_size()
    budget.require(numel, elem, limit=budget.limit(compiled.size_limit),
                   what=f"the hidden states of the iters at nat_dim {compiled.nat_dim:,}",
                   hint="lower `:set nat_dim`; the steps themselves are shown without them")


def stepper(term, *, defs=None, nat_dim: int = 10, compile=None, typing=None) -> Stepper:
    """A widget that steps through the small-step reduction of `term` (▶ Play, slider, ◀ ▶).
    `defs` maps definition names to the terms δ unfolds them to; `compile(term or typing)`
    (the session's) compiles a step's term that uses definitions, for its hidden states;
    `typing` is the checker's typing of `term`, if known. On a type error, returns the error's
    view instead."""
    from .render import error_view
    try:
        return Stepper(term, defs=defs, nat_dim=nat_dim, compile=compile, typing=typing)
    except CajalError as err:
        return error_view(err)
