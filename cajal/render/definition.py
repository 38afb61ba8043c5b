"""A definition's display: its name and type, its source, and its weights."""

from __future__ import annotations

from ..errors import CajalError
from ..syntax import leading_lambdas
from .common import show_type
from .view import View, esc, wrap


def definition_view(defn) -> View:
    """`name : type`, the source, and the weights heatmap of `defn.compiled()` (its parameters
    name the axes: one slice per combination of the later parameters when there are several);
    if compiling fails, the reason instead of the weights."""
    from .heatmap import compiled_view

    name = getattr(defn, "name", "?")
    ty = getattr(defn, "type", None)
    source = getattr(defn, "source", "") or ""
    header = f"{name} : {show_type(ty)}"
    try:
        compiled = defn.compiled()
        params = [lam.param for lam in leading_lambdas(getattr(defn, "term", None))[0]]
        weights = compiled_view(compiled, title="weights", param_names=params,
                                nat_dim=getattr(compiled, "nat_dim", None) or getattr(defn, "nat_dim", 10))
    except CajalError as err:
        reason = err.message + (f" (hint: {err.hint})" if err.hint else "")
        weights = View(f"no weights: {reason}", f'<div class="cj-note">no weights: {esc(reason)}</div>')
    text = "\n".join(x for x in (header, source.strip("\n"), str(weights)) if x)
    inner = weights.html if weights.html is not None else f'<pre class="cj-mono">{esc(weights.text)}</pre>'
    html = wrap(f'<div class="cj-title"><code>{esc(name)}</code> : {esc(show_type(ty))}</div>'
                f'<pre class="cj-mono" style="margin:2px 0 6px 0;padding:4px 6px;background:#f7f7f9">{esc(source.strip())}</pre>'
                f'{inner}', "definition")
    return View(text, html, kind="definition", weights=weights)
