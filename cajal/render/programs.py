"""Views of verdicts about programs: `:equiv` (equal, or where two programs differ) and
`:decompile` (the program nearest to some weights, beside the heatmap of their difference).
They draw what `cajal.equivalence` and `cajal.decompile` computed; nothing is recomputed."""

from __future__ import annotations

from ..encoding import dim
from ..syntax import Arrow
from .heatmap import curried_view, heatmap
from .view import View, esc, wrap


def equivalence_view(verdict) -> View:
    """An `Equivalence`: ≡ with the type, or ≢ with the smallest differing input and both
    outputs in a small table."""
    d = verdict.difference
    head = (f'<div class="cj-title">{esc(verdict.left)} {"≡" if verdict.equal else "≢"} {esc(verdict.right)}'
            f' : {esc(str(verdict.type))}</div>')
    if verdict.equal:
        body = f'<div class="cj-meta">equal: their tensors are the same at nat_dim {verdict.nat_dim}</div>'
    elif d.basis:
        body = f'<pre class="cj-mono">{esc(verdict.text.split(chr(10), 1)[1])}</pre>'
    else:
        rows = [(verdict.call(verdict.left), d.outputs[0], d.compiled[0]),
                (verdict.call(verdict.right), d.outputs[1], d.compiled[1])]
        compiled_differs = d.compiled != d.outputs
        pad = 'style="padding:1px 14px 1px 0;text-align:left"'
        cells = "".join(
            f'<tr><td class="cj-mono" {pad}>{esc(call)}</td><td class="cj-mono" {pad}><b>{esc(out)}</b></td>'
            + (f'<td class="cj-mono" {pad}>{esc(c)}</td>' if compiled_differs else "") + "</tr>"
            for call, out, c in rows)
        extra = f'<th class="cj-meta" {pad}>compiled (nat_dim {verdict.nat_dim})</th>' if compiled_differs else ""
        where = "".join(f'<div class="cj-mono">where {esc(w)}</div>' for w in verdict.where)
        body = (f'<div class="cj-meta">they differ; the smallest input where they do '
                f'(nat_dim {verdict.nat_dim}):</div>'
                f'<table style="border-collapse:collapse"><tr><th class="cj-meta" {pad}>input</th>'
                f'<th class="cj-meta" {pad}>output</th>{extra}</tr>{cells}</table>{where}')
    return View(verdict.text, wrap(head + body, "equivalence"), kind="equivalence")


def decompiled_view(found) -> View:
    """A `Decompiled`: the program and its distance from the weights, beside the heatmap of
    weights − program."""
    t, n = found.type, found.nat_dim
    title = "weights − program"
    if isinstance(t, Arrow):
        picture = curried_view(found.difference.reshape(dim(t.cod, n), dim(t.dom, n)), t, nat_dim=n, title=title)
    else:
        picture = heatmap(found.difference, t, nat_dim=n, title=title)
    left = (f'<div class="cj-title">{esc(found.heading)}</div>'
            f'<pre class="cj-mono" style="margin:2px 0">{esc(found.program)}</pre>'
            f'<div class="cj-meta">distance of the weights: max {found.max_distance:.4g}, '
            f'mean {found.mean_distance:.4g} (nat_dim {n})</div>')
    if found.lookups:
        left += ('<div class="cj-note">no single step reproduces the ℕ columns, so they are read from a '
                 'lookup table (a bit counter advanced by iter)</div>')
    html = (f'<div style="display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start"><div>{left}</div>'
            f'<div>{picture.html or esc(str(picture))}</div></div>')
    return View(f"{found.text}\n\n{picture}", wrap(html, "decompiled"), kind="decompiled")
