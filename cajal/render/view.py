"""The `View` object every renderer returns: a bundle of MIME representations.

A View always has a plain-text form (`str(view)`), so a console, a terminal and nbconvert's
text exporters show something useful; rich front-ends pick its HTML or SVG.
"""

from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass
from typing import Any, Optional

# One stylesheet for every view. It is repeated in each output (outputs are independent
# documents in some front-ends), scoped by the `cajal-view` class, and small.
CSS = """<style>
.cajal-view{font-family:-apple-system,"Segoe UI","DejaVu Sans",Helvetica,Arial,sans-serif;font-size:13px;color:#222;background:#fff;padding:4px 2px;line-height:1.35}
.cajal-view .cj-title{font-weight:600;margin:2px 0 4px 0}
.cajal-view .cj-note{color:#8a4b00;background:#fff6e5;border-left:3px solid #e0a040;padding:2px 6px;margin:3px 0}
.cajal-view .cj-meta{color:#555;font-size:12px;margin:2px 0}
.cajal-view code,.cajal-view .cj-mono{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace}
.cajal-view table.cj-hm{border-collapse:collapse;margin:2px 0 4px 0}
.cajal-view table.cj-hm td{border:1px solid #e4e4e4;text-align:center;font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:11px;padding:0}
.cajal-view table.cj-hm td.n{min-width:2.3em;height:1.7em;padding:0 3px}
.cajal-view table.cj-hm.small td{width:7px;height:7px;border:none;padding:0}
.cajal-view table.cj-hm th{font-weight:normal;font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:11px;color:#333;padding:1px 4px;white-space:nowrap}
.cajal-view table.cj-hm th.r{text-align:right}
.cajal-view table.cj-hm th.v{writing-mode:vertical-rl;transform:rotate(180deg);text-align:left;padding:4px 0}
.cajal-view table.cj-hm th.g{color:#666;font-style:italic;border-bottom:1px solid #999}
.cajal-view table.cj-hm .gl{border-left:2px solid #555 !important}
.cajal-view table.cj-hm .gt{border-top:2px solid #555 !important}
.cajal-view .cj-axis{color:#555;font-size:12px}
.cajal-view .cj-slices{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}
.cajal-view .cj-legend{display:flex;align-items:center;gap:6px;font-size:11px;color:#444;margin-top:2px}
.cajal-view .cj-legend .bar{width:140px;height:10px;border:1px solid #bbb;background:linear-gradient(to right,#2166ac,#f7f7f7,#b2182b)}
.cajal-view .cj-err{border-left:4px solid #c0392b;background:#fdf2f1;padding:4px 8px}
.cajal-view .cj-err .msg{font-weight:600;color:#a02518}
.cajal-view .cj-err pre{margin:4px 0;background:none;padding:0}
.cajal-view mark.cj-main{background:#ffb3a7;border-bottom:2px solid #c0392b;color:inherit}
.cajal-view mark.cj-rel{background:#ffe08a;border-bottom:2px solid #d4a000;color:inherit}
.cajal-view .cj-hint{color:#1d5e20}
.cajal-view table.cj-trace{border-collapse:collapse}
.cajal-view table.cj-trace td{padding:2px 8px;border-bottom:1px solid #eee;vertical-align:top}
.cajal-view table.cj-trace td.i{color:#888;text-align:right}
.cajal-view table.cj-trace td.rule{color:#6a1b9a;white-space:nowrap;font-weight:600}
.cajal-view table.cj-trace td.t{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace}
.cajal-view mark.cj-redex{background:#fff176;border-bottom:2px solid #f9a825;color:inherit;padding:0 1px}
.cajal-view .cj-deriv{overflow-x:auto;padding:6px 2px}
.cajal-view .cj-dn{display:inline-grid;grid-template-columns:auto auto;vertical-align:bottom}
.cajal-view .cj-prem{display:flex;align-items:flex-end;justify-content:center;gap:20px;padding:0 4px}
.cajal-view .cj-concl{border-top:1px solid #333;padding:2px 6px 0 6px;text-align:center;white-space:nowrap;font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px}
.cajal-view .cj-rule{align-self:start;margin-top:-0.75em;padding-left:3px;font-size:11px;color:#6a1b9a;white-space:nowrap;line-height:1.15}
.cajal-view .cj-split{color:#777;font-size:10px}
.cajal-view .cj-ctx{color:#555}
.cajal-view details>summary{cursor:pointer;color:#555}
.cajal-view{max-width:100%;box-sizing:border-box;overflow-x:auto}
.cajal-view .cj-pic{overflow-x:auto}
.cajal-view .cj-deriv.cj-wide{overflow-x:scroll;border:1px solid #e4e4e4}
.cajal-view .cj-pic svg{max-width:100%;height:auto;display:block}
.cajal-view details.cj-full>summary{font-size:11px;color:#555;list-style:none}
.cajal-view details.cj-full[open] .cj-off,.cajal-view details.cj-full:not([open]) .cj-on{display:none}
.cajal-view details.cj-full[open]+.cj-pic svg{max-width:none}
</style>"""


@dataclass(eq=False, repr=False, slots=True)  # declared fields only: no attribute added on the fly
class View:
    """A rendered picture of something Cajal made: plain text, and HTML and/or SVG.

    `str(view)` is the plain text; `view.html` / `view.svg` the rich forms (or None);
    `_repr_mimebundle_` is what Jupyter calls. The other fields carry what a view was drawn
    from, for a caller to read: a graph's `dot` source, a trace's `reduction` (its `steps`,
    `count` and `rules`), a derivation's `tree` (and `rules`), a definition card's `weights`.
    """

    text: str
    html: Optional[str] = None
    svg: Optional[str] = None
    kind: str = "view"
    dot: Optional[str] = None
    reduction: Any = None
    steps: Optional[list] = None
    count: Optional[int] = None
    rules: Optional[list] = None
    tree: Any = None
    weights: Optional["View"] = None

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = {"text/plain": self.text}
        if self.html is not None:
            bundle["text/html"] = self.html
        if self.svg is not None:
            bundle["image/svg+xml"] = self.svg
        if include:
            bundle = {k: v for k, v in bundle.items() if k in include}
        if exclude:
            bundle = {k: v for k, v in bundle.items() if k not in exclude}
        return bundle

    def _repr_pretty_(self, p, cycle) -> None:  # IPython's plain-text console
        p.text(self.text)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text


def esc(text) -> str:
    return _html.escape(str(text), quote=True)


def wrap(body: str, kind: str) -> str:
    """The HTML of a view: the shared stylesheet and a scoped container."""
    return f'{CSS}<div class="cajal-view cajal-{kind}">{body}</div>'


def text_view(text: str, *, title: Optional[str] = None, note: Optional[str] = None) -> View:
    """A view that is only a message (shown as text, and in HTML as preformatted text)."""
    parts = []
    if title:
        parts.append(f'<div class="cj-title">{esc(title)}</div>')
    if note:
        parts.append(f'<div class="cj-note">{esc(note)}</div>')
    parts.append(f'<pre class="cj-mono" style="margin:2px 0">{esc(text)}</pre>')
    plain = "\n".join(x for x in (title, note, text) if x)
    return View(plain, wrap("".join(parts), "text"), kind="text")


def notes_html(notes) -> str:
    """A result's notes ("replaces the earlier definition of …") as HTML, to go above its view."""
    return "".join(f'<div class="cajal-view"><div class="cj-note">{esc(n)}</div></div>' for n in notes)


_PT = 4 / 3  # CSS pixels per point (Graphviz sizes its SVGs in points)
FIT_HINT_ABOVE = 900  # pictures wider than this (px) say they are scaled, and offer the full size


def picture_html(svg: str, alt: str) -> str:
    """An SVG picture for HTML front-ends: scaled down to the output's width, in proportion,
    described by `alt` for screen readers; a wide one carries a line that shows it at full
    size (in a scrollable frame) on click, and back. No script: CSS on a <details> does it."""
    match = re.match(r'<svg\s+width="([\d.]+)(pt|px)?"\s+height="([\d.]+)(pt|px)?"', svg)
    body = svg.replace("<svg", f'<svg role="img" aria-label="{esc(alt)}"', 1)
    if match is None:
        return f'<div class="cj-pic">{body}</div>'
    scale = _PT if match.group(2) == "pt" else 1
    width, height = round(float(match.group(1)) * scale), round(float(match.group(3)) * scale)
    hint = ""
    if width > FIT_HINT_ABOVE:
        hint = (f'<details class="cj-full"><summary><span class="cj-off">⤢ shown to fit: click for the '
                f'full size ({width} × {height} px)</span><span class="cj-on">⤡ full size (scroll '
                f'sideways): click to fit</span></summary></details>')
    return f'{hint}<div class="cj-pic">{body}</div>'
