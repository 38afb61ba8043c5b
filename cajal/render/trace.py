"""Small-step reductions as a table: one row per step, with the rule and the redex highlighted
in the term it reduces (rules: β, if-tt, if-ff, iter-zero, iter-succ, succ, δ)."""

from __future__ import annotations

from dataclasses import replace

from ..errors import CajalError
from ..pretty import ARGUMENT, FUNCTION, TOP, pretty, pretty_at
from ..syntax import CHILD_FIELDS, App, Succ, Term, Var
from ..values import is_value
from .common import Defs
from .view import View, esc, wrap

LIMIT = 100_000     # steps computed at most (a few seconds; `:eval` computes any value)
KEEP = 1000         # steps recorded: the first KEEP and the last KEEP (memory stays bounded)
SHOW_HEAD = 200     # a longer trace shows its first SHOW_HEAD and last SHOW_TAIL steps
SHOW_TAIL = 50
ROW_SIDE = 300      # a shown row keeps this many characters on each side of its redex
PRINT_BUDGET = 2_000_000  # characters printed for the rows: big terms show fewer rows
_HOLE = "\ue000"    # a placeholder name no source can contain



def subterm(term: Term, path: tuple[int, ...]) -> Term:
    for i in path:
        term = getattr(term, CHILD_FIELDS[type(term)][i])
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
        name = CHILD_FIELDS[type(t)][p[0]]
        child = Var(_HOLE) if len(p) == 1 else plug(getattr(t, name), p[1:])
        return replace(t, **{name: child})

    parent = subterm(term, path[:-1])
    inner = _print_at(subterm(term, path), _position_prec(parent, path[-1]))
    text = pretty(plug(term, path))
    before, _, after = text.partition(_HOLE)
    return before, inner, after


def trace(term, *, defs=None, limit: int = LIMIT) -> View:
    """The small-step reduction of `term`, rule by rule. `defs` maps definition names to their
    terms (or to Definitions); a use of one is unfolded by the δ rule. At most `limit` steps
    are taken and the first and last KEEP recorded (`view.steps`, `view.count`); the view
    shows some of them and says how many it leaves out and where it stopped."""
    from .errors import error_view

    try:
        terms = Defs(defs).terms()
        from ..evaluation import reduction
        red = reduction(term, defs=terms, keep=KEEP, limit=limit)
    except CajalError as err:
        return error_view(err)
    return reduction_view(red)


def reduction_view(red) -> View:
    """The view of a reduction already made (`evaluation.Reduction`): the stepper draws its
    terminal trace from the steps it holds, without reducing again."""
    steps = red.steps
    return replace(_table(red), reduction=red, steps=steps, count=red.count, rules=[s.rule for s in steps])


def _shown_rows(red) -> list[tuple[int, str, str, str, str]]:
    """(index, rule, before, redex, after) of the rows to show: the first SHOW_HEAD and last
    SHOW_TAIL recorded steps, fewer when their terms are big (PRINT_BUDGET)."""
    rows = red.numbered()
    printed, head, tail = 0, [], []

    def row(i, before_term, step):
        nonlocal printed
        before, redex, after = split_at(before_term, step.path)
        printed += len(before) + len(redex) + len(after)
        return i, step.rule, *_abbreviate(before, redex, after)

    first = rows[:SHOW_HEAD] if len(rows) > SHOW_HEAD + SHOW_TAIL else rows
    for r in first:
        if head and printed > PRINT_BUDGET * 3 // 4:
            break
        head.append(row(*r))
    rest = rows[len(head):]
    for r in reversed(rest[-SHOW_TAIL:]):
        if tail and printed > PRINT_BUDGET:
            break
        tail.append(row(*r))
    return head + tail[::-1]


def _abbreviate(before: str, redex: str, after: str) -> tuple[str, str, str]:
    if len(before) > ROW_SIDE:
        before = "…" + before[-ROW_SIDE:]
    if len(after) > ROW_SIDE:
        after = after[:ROW_SIDE] + "…"
    if len(redex) > 2 * ROW_SIDE:
        redex = redex[:ROW_SIDE] + " … " + redex[-ROW_SIDE:]
    return before, redex, after


def _table(red) -> View:
    n = red.count
    final = red.final
    html = ['<table class="cj-trace"><tr><th>#</th><th>rule</th><th style="text-align:left">term (the redex highlighted)</th></tr>']
    text = []
    width = len(str(n))
    rule_w = max([len(s.rule) for s in red.steps] + [5])
    previous = -1
    for i, rule, before, redex, after in _shown_rows(red):
        if i != previous + 1:
            elided = i - previous - 1
            html.append(f'<tr><td class="i">⋮</td><td></td><td class="t" style="color:#888">… {elided:,} steps not shown …</td></tr>')
            text.append(f"{'⋮':>{width}}  … {elided:,} steps not shown …")
        previous = i
        html.append(f'<tr><td class="i">{i + 1}</td><td class="rule">{esc(rule)}</td>'
                    f'<td class="t">{esc(before)}<mark class="cj-redex" title="redex of {esc(rule)}">{esc(redex)}</mark>'
                    f'{esc(after)}</td></tr>')
        text.append(f"{i + 1:>{width}}  {rule:<{rule_w}}  {before}«{redex}»{after}")
    if previous != n - 1:
        elided = n - previous - 1
        html.append(f'<tr><td class="i">⋮</td><td></td><td class="t" style="color:#888">… {elided:,} steps not shown …</td></tr>')
        text.append(f"{'⋮':>{width}}  … {elided:,} steps not shown …")
    done = is_value(final)
    if not red.finished:
        status, label = (f"stopped after {n:,} steps: the term has not reached a value yet "
                         "(`:eval` computes its value)"), "…"
    elif done:
        status, label = "value" if n else "already a value: no step to take", "value"
    else:
        status, label = "stuck: no rule applies (is the term well-typed and closed?)", "stuck"
    final_text = _abbreviate("", pretty(final), "")[1]
    html.append(f'<tr><td class="i"></td><td class="rule">{esc(label)}</td><td class="t"><b>{esc(final_text)}</b>'
                f'{"" if label == "value" and n else f" <span style=color:#888>({esc(status)})</span>"}</td></tr>')
    html.append("</table>")
    summary = f"{n:,} step{'s' if n != 1 else ''}" + (f" · {status}" if label != "value" or not n else "")
    text.append(f"{'':>{width}}  {label:<{rule_w}}  {final_text}" + ("" if label == "value" and n else f"   ({status})"))
    head = f"small-step reduction of {_abbreviate('', pretty(red.term), '')[1]}: {summary}"
    return View("\n".join([head] + text), wrap(f'<div class="cj-meta">{esc(head)}</div>' + "".join(html), "trace"),
                kind="trace")
