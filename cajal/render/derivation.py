"""Typing derivations (LANGUAGE.md section 3) as natural-deduction trees.

Every node shows `Δ ⊢ e : τ` and its rule: var, tt, ff, zero, succ, λ, app, if, iter, and three
that the core adds: `num` (a numeral n ≥ 1, i.e. n uses of succ on zero, collapsed into one
leaf), `def` (a use of a definition: a constant, with the empty context) and `let` (the derived
rule of `(λx:τ₁. e₂) e₁`: premises Δ₁ ⊢ e₁ : τ₁ and Δ₂, x:τ₁ ⊢ e₂ : τ). Context splits are
written next to the rule (Δ₁ ∘ Δ₂, and Δ₃ for the variables an iter step captures), and every
variable keeps one colour throughout the tree so that one can follow where it goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import CajalError
from ..pretty import pretty, subscript
from ..syntax import App, BoolLit, Hole, If, Iter, Lam, Let, Nat, Succ, Term, Var
from .common import Defs, show_type, truncate
from .view import View, esc, wrap

TERM_WIDTH = 48      # sub-terms longer than this are elided in the middle
ROOT_WIDTH = 96
MAX_SHOWN = 400      # a bigger tree is drawn down to the depth that keeps it under this many nodes
TITLE_WIDTH = 400    # the hover title of an elided sub-term is cut here
_COLOURS = ["#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#ad1457", "#4e342e"]


@dataclass
class Inference:
    """One inference of a derivation: the rule, the judgement Δ ⊢ e : τ and its premises."""

    rule: str
    context: dict
    term: Term
    type: object
    premises: list = field(default_factory=list)
    split: str = ""

    def rules(self) -> list[str]:
        """The rule names, conclusion first then each premise's (pre-order)."""
        out = [self.rule]
        for p in self.premises:
            out += p.rules()
        return out



def _names(ctx: dict, drop: str = None) -> str:
    names = [n for n in ctx if n != drop]
    return ", ".join(names) if names else "∅"


def _split(parts: list[tuple[str, dict]]) -> str:
    return " ∘ ".join(f"Δ{subscript(i + 1)} = {_names(c, drop)}" for i, (drop, c) in enumerate(parts))


def build_tree(term: Term, typing, defs: Defs) -> Inference:
    ctx = typing.contexts.get(id(term), {})
    t = typing.types.get(id(term))

    def sub(x):
        return build_tree(x, typing, defs)

    def c(x):
        return typing.contexts.get(id(x), {})

    match term:
        case Var(name):
            return Inference("var" if name in ctx else "def", ctx, term, t)
        case Hole():  # a leaf whose term is still to write (its goal is in typing.holes)
            return Inference("hole", ctx, term, t)
        case BoolLit(value):
            return Inference("tt" if value else "ff", ctx, term, t)
        case Nat(value):
            return Inference("zero" if value == 0 else "num", ctx, term, t)
        case Succ(arg):
            return Inference("succ", ctx, term, t, [sub(arg)])
        case Lam(_, _, body):
            return Inference("λ", ctx, term, t, [sub(body)])
        case App(fn, arg):
            return Inference("app", ctx, term, t, [sub(fn), sub(arg)], _split([(None, c(fn)), (None, c(arg))]) if ctx else "")
        case If(cond, then, else_):
            split = (_split([(None, c(cond)), (None, c(then))]) + " (both branches use Δ₂)") if ctx else ""
            return Inference("if", ctx, term, t, [sub(cond), sub(then), sub(else_)], split)
        case Let(name, bound, body):
            split = _split([(None, c(bound)), (name, c(body))]) if ctx else ""
            return Inference("let", ctx, term, t, [sub(bound), sub(body)], split)
        case Iter(base, var, step, count):
            split = ""
            if ctx:
                split = _split([(None, c(count)), (None, c(base)), (var, c(step))])
                if typing.captured.get(id(term)):
                    split += " (Δ₃ runs every step)"
            return Inference("iter", ctx, term, t, [sub(count), sub(base), sub(step)], split)
    raise TypeError(f"not a term: {term!r}")


class _Colours:
    def __init__(self):
        self.map: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        if name not in self.map:
            self.map[name] = _COLOURS[len(self.map) % len(_COLOURS)]
        return self.map[name]


def _judgement_text(node: Inference, width: int) -> str:
    ctx = ", ".join(f"{n}:{show_type(t)}" for n, t in node.context.items()) or "∅"
    return f"{ctx} ⊢ {truncate(pretty(node.term), width)} : {show_type(node.type)}"


def _judgement_html(node: Inference, width: int, colours: _Colours) -> str:
    if node.context:
        ctx = ", ".join(f'<span style="color:{colours(n)};font-weight:600">{esc(n)}</span>:{esc(show_type(t))}'
                        for n, t in node.context.items())
    else:
        ctx = "∅"
    full = pretty(node.term)
    shown = truncate(full, width)
    term = f'<span title="{esc(truncate(full, TITLE_WIDTH))}">{esc(shown)}</span>' if shown != full else esc(full)
    return f'<span class="cj-ctx">{ctx}</span> ⊢ {term} : <b>{esc(show_type(node.type))}</b>'


def _count(node: Inference) -> int:
    return 1 + sum(_count(p) for p in node.premises)


def _depth_budget(tree: Inference) -> int:
    """The depth down to which the tree is drawn: all of it if it has at most MAX_SHOWN nodes."""
    level, depth, shown = [tree], 0, 0
    while level:
        shown += len(level)
        if shown > MAX_SHOWN:
            return max(depth - 1, 1)
        level = [p for n in level for p in n.premises]
        depth += 1
    return depth + 1


def _elided(node: Inference) -> str:
    return f"⋮ {_count(node) - 1} more judgement(s) above" if node.premises else ""


def _html(node: Inference, colours: _Colours, root: bool = False, depth: int = 10 ** 9) -> str:
    width = ROOT_WIDTH if root else TERM_WIDTH
    if depth <= 0 and node.premises:
        prem = f'<div class="cj-split">{esc(_elided(node))}</div>'
        rule = f'<div class="cj-rule" data-rule="{esc(node.rule)}">({esc(node.rule)})</div>'
        return (f'<div class="cj-dn"><div class="cj-prem">{prem}</div><div></div>'
                f'<div class="cj-concl">{_judgement_html(node, width, colours)}</div>{rule}</div>')
    prem = "".join(_html(p, colours, depth=depth - 1) for p in node.premises)
    split = f'<br><span class="cj-split">{esc(node.split)}</span>' if node.split else ""
    rule = f'<div class="cj-rule" data-rule="{esc(node.rule)}">({esc(node.rule)}){split}</div>'
    return (f'<div class="cj-dn"><div class="cj-prem">{prem}</div><div></div>'
            f'<div class="cj-concl">{_judgement_html(node, width, colours)}</div>{rule}</div>')


CHAR_PX, GAP_PX = 7.3, 24  # a monospace character at 12px; the gap between premises and its rule
WIDE_PX = 700  # a derivation about this wide (its estimate is low) may not fit: it says it scrolls


def _width_px(node: Inference, root: bool = True, depth: int = 10 ** 9) -> float:
    """About how wide the HTML tree draws (the wider of the conclusion and its premises)."""
    own = (len(_judgement_text(node, ROOT_WIDTH if root else TERM_WIDTH)) + len(node.rule) + 2) * CHAR_PX
    if depth <= 0 or not node.premises:
        return own
    premises = sum(_width_px(p, False, depth - 1) for p in node.premises) + GAP_PX * len(node.premises)
    return max(own, premises)


def _text(node: Inference, prefix: str = "", last: bool = True, root: bool = True, depth: int = 10 ** 9) -> list[str]:
    width = ROOT_WIDTH if root else TERM_WIDTH
    split = f"   {node.split}" if node.split else ""
    line = f"{_judgement_text(node, width)}   ({node.rule}){split}"
    lines = [line if root else prefix + ("└─ " if last else "├─ ") + line]
    child_prefix = "" if root else prefix + ("   " if last else "│  ")
    if depth <= 0 and node.premises:
        return lines + [child_prefix + "└─ " + _elided(node)]
    for i, p in enumerate(node.premises):
        lines += _text(p, child_prefix, i == len(node.premises) - 1, False, depth - 1)
    return lines


def derivation(term, *, ctx=None, defs=None, types=(), typing=None) -> View:
    """The typing derivation of `term` (HTML tree; indented text with the conclusion first).
    `typing` is the checker's typing of `term` (checked here when not given)."""
    from ..types import check
    from .errors import error_view

    try:
        d = Defs(defs, types)
        if typing is None:
            typing = check(term, ctx, defs=d.types_for(term), types=d.abstract)
        tree = build_tree(term, typing, d)
    except CajalError as err:
        return error_view(err)
    except RecursionError:
        from .view import text_view
        return text_view("this term is too deeply nested to draw its derivation")
    depth = _depth_budget(tree)
    text = "\n".join(["typing derivation (conclusion first, premises indented below it):"] + _text(tree, depth=depth))
    tree_html = _html(tree, _Colours(), True, depth)
    body = f'<div class="cj-deriv">{tree_html}</div>'
    wide = _width_px(tree, depth=depth)
    if wide > WIDE_PX:  # a visible hint, and a frame whose scroll bar always shows
        body = ('<div class="cj-meta">⇆ a wide derivation: scroll sideways to see all of it</div>'
                f'<div class="cj-deriv cj-wide">{tree_html}</div>')
    html = wrap(body, "derivation")
    return View(text, html, kind="derivation", tree=tree, rules=tree.rules())

