"""Small-step reductions as a table: one row per step, with the rule and the redex highlighted
in the term it reduces (rules: β, if-tt, if-ff, iter-zero, iter-succ, succ, δ)."""

from __future__ import annotations

from dataclasses import replace

from ..errors import CajalError
from ..pretty import ARGUMENT, FUNCTION, TOP, pretty, pretty_at
from ..syntax import App, If, Iter, Lam, Let, Succ, Term, Var
from ..values import is_value
from ._common import Defs, as_term
from ._view import View, esc, wrap

LIMIT = 5000        # steps computed at most
SHOW_HEAD = 200     # a longer trace shows its first SHOW_HEAD and last SHOW_TAIL steps
SHOW_TAIL = 50
_HOLE = "\ue000"    # a placeholder name no source can contain

_FIELDS = {
    Succ: ("arg",),
    Lam: ("body",),
    App: ("fn", "arg"),
    If: ("cond", "then", "else_"),
    Let: ("bound", "body"),
    Iter: ("base", "step", "count"),
}


def subterm(term: Term, path: tuple[int, ...]) -> Term:
    for i in path:
        term = getattr(term, _FIELDS[type(term)][i])
    return term


def _position_prec(parent: Term, index: int) -> int:
    if isinstance(parent, App):
        return FUNCTION if index == 0 else ARGUMENT
    if isinstance(parent, Succ):
        return ARGUMENT
    return TOP


def _print_at(term: Term, prec: int) -> str:
    return pretty_at(term, prec)


def split_at(term: Term, path: tuple[int, ...]) -> tuple[str, str, str]:
    """The text of `term` in three parts: before the sub-term at `path`, it, and after."""
    if not path:
        return "", pretty(term), ""

    def plug(t: Term, p: tuple[int, ...]) -> Term:
        name = _FIELDS[type(t)][p[0]]
        child = Var(_HOLE) if len(p) == 1 else plug(getattr(t, name), p[1:])
        return replace(t, **{name: child})

    parent = subterm(term, path[:-1])
    inner = _print_at(subterm(term, path), _position_prec(parent, path[-1]))
    text = pretty(plug(term, path))
    before, _, after = text.partition(_HOLE)
    return before, inner, after


def trace(term, *, defs=None, limit: int = LIMIT) -> View:
    """The small-step reduction of `term`, rule by rule. `defs` maps definition names to their
    terms (or to Definitions); a use of one is unfolded by the δ rule."""
    from .errors import error_view

    try:
        term = as_term(term)
        terms = Defs(defs).terms()
        from ..evaluate import steps
        trace_ = steps(term, defs=terms, limit=limit)
    except CajalError as err:
        return error_view(err)
    view = _table(term, trace_, limit)
    view.steps = trace_
    view.rules = [s.rule for s in trace_]
    return view


def _table(term: Term, trace_, limit: int) -> View:
    n = len(trace_)
    terms = [term] + [s.term for s in trace_]
    final = terms[-1]
    rows = list(range(n))
    elided = 0
    if n > SHOW_HEAD + SHOW_TAIL:
        elided = n - SHOW_HEAD - SHOW_TAIL
        rows = list(range(SHOW_HEAD)) + list(range(n - SHOW_TAIL, n))
    html = ['<table class="cj-trace"><tr><th>#</th><th>rule</th><th style="text-align:left">term (the redex highlighted)</th></tr>']
    text = []
    width = len(str(n))
    rule_w = max([len(s.rule) for s in trace_] + [5])
    previous = None
    for i in rows:
        if previous is not None and i != previous + 1:
            html.append(f'<tr><td class="i">⋮</td><td></td><td class="t" style="color:#888">… {elided} steps not shown …</td></tr>')
            text.append(f"{'⋮':>{width}}  … {elided} steps not shown …")
        previous = i
        step = trace_[i]
        before, redex, after = split_at(terms[i], step.path)
        html.append(f'<tr><td class="i">{i + 1}</td><td class="rule">{esc(step.rule)}</td>'
                    f'<td class="t">{esc(before)}<mark class="cj-redex" title="redex of {esc(step.rule)}">{esc(redex)}</mark>'
                    f'{esc(after)}</td></tr>')
        text.append(f"{i + 1:>{width}}  {step.rule:<{rule_w}}  {before}«{redex}»{after}")
    done = is_value(final)
    if n >= limit and not done:
        status, label = f"stopped after {limit} steps (the term has not reached a value yet)", "…"
    elif done:
        status, label = "value" if n else "already a value: no step to take", "value"
    else:
        status, label = "stuck: no rule applies (is the term well-typed and closed?)", "stuck"
    html.append(f'<tr><td class="i"></td><td class="rule">{esc(label)}</td><td class="t"><b>{esc(pretty(final))}</b>'
                f'{"" if label == "value" and n else f" <span style=color:#888>({esc(status)})</span>"}</td></tr>')
    html.append("</table>")
    summary = f"{n} step{'s' if n != 1 else ''}" + (f" · {status}" if label != "value" or not n else "")
    text.append(f"{'':>{width}}  {label:<{rule_w}}  {pretty(final)}" + ("" if label == "value" and n else f"   ({status})"))
    head = f"small-step reduction of {pretty(term)}: {summary}"
    return View("\n".join([head] + text), wrap(f'<div class="cj-meta">{esc(head)}</div>' + "".join(html), "trace"),
                kind="trace")
