"""Labelled weight heatmaps of compiled tensors, drawn as HTML tables (no matplotlib).

Rows are the output's basis, columns the (first) input's; a k-linear tensor (k ≥ 2) shows one
labelled slice per combination of the other inputs. Colours are a diverging scale centred on 0,
shared by all slices of one tensor, with a legend; every cell carries its exact value in a
`title` (hover), and small slices print their numbers in the cells. Tensors with more than
`MAX_CELLS` entries are summarised (block means, shape, norm) so that a browser never chokes.
"""

from __future__ import annotations

import itertools
import math
from typing import Optional, Sequence

from ..errors import CajalError
from ..pretty import subscript
from ..syntax import Arrow
from .common import ARROW, basis_name, block_size, dim, fmt_value, paren, show_type
from .view import View, esc, text_view, wrap

MAX_CELLS = 16384       # above this many entries a tensor is summarised (128 × 128 is drawn)
MAX_SLICES = 64         # a k-linear tensor with more slices than this is summarised
NUMBERS_UP_TO = 24      # a slice at most this many rows and columns shows its numbers
MAX_BINS = 48           # a summary has at most this many block rows and columns
TEXT_UP_TO = 40         # the plain-text table lists every entry up to this many rows/columns


def _palette():
    neg, mid, pos = (0x21, 0x66, 0xAC), (0xF7, 0xF7, 0xF7), (0xB2, 0x18, 0x2B)
    colours = []
    for i in range(-100, 101):
        a = abs(i) / 100
        end = pos if i > 0 else neg
        rgb = tuple(round(m + (e - m) * a) for m, e in zip(mid, end))
        colours.append("#%02x%02x%02x" % rgb)
    return colours


PALETTE = _palette()


class _Axis:
    """One axis of a tensor: its name, type (when its size matches), basis labels, blocks."""

    def __init__(self, name: str, type_, size: int, nat_dim: int):
        self.name = name
        self.type = type_
        self.size = size
        self.nat_dim = nat_dim
        self.typed = type_ is not None and dim(type_, nat_dim) == size
        self.block = block_size(type_, nat_dim) if self.typed else None
        self._labels: dict[int, str] = {}

    def label(self, k: int) -> str:
        if k not in self._labels:
            self._labels[k] = basis_name(self.type, k, self.nat_dim) if self.typed else str(k)
        return self._labels[k]

    def group_label(self, g: int) -> str:
        """The label of block g of a function-type axis: the result basis vector `↦r`."""
        return ARROW + paren(basis_name(self.type.cod, g, self.nat_dim))

    def caption(self) -> str:
        if self.type is None:
            return self.name
        text = f"{self.name} : {show_type(self.type)}"
        if self.block:
            text += f" ({self.size // self.block} blocks of {self.block}: c{ARROW}r grouped by r)"
        return text


def heatmap(tensor, out_type, in_types: Sequence = (), *, nat_dim: int = 10, title: Optional[str] = None,
            note: Optional[str] = None, out_name: str = "output", spans: Optional[dict] = None) -> View:
    """A labelled heatmap of a compiled tensor of shape (dim out, dim in₁, …, dim in_k).

    `out_type` and the `in_types` are Types (the render package's `heatmap` also takes type
    sources); an input may also be a
    `(name, type)` pair, which names its axis. Mismatched shapes fall back to index labels.
    `spans` ({axis name: Span}) tags each axis's header cells with the source span it came
    from (`data-cajal-span`), which the editor highlights when the header is hovered."""
    try:
        return _heatmap(tensor, out_type, in_types, nat_dim, title, note, out_name, spans or {})
    except CajalError as err:
        return text_view(err.message, title=title, note=note)


def _heatmap(tensor, out_type, in_types, nat_dim, title, note, out_name, spans) -> View:
    import torch

    t = tensor if isinstance(tensor, torch.Tensor) else torch.as_tensor(tensor)
    t = t.detach().cpu()
    if t.is_complex():
        t = t.real
    exact = repr if t.dtype == torch.float64 else "{:.9g}".format
    ins = []
    for i, x in enumerate(in_types):
        if isinstance(x, tuple) and len(x) == 2:
            ins.append((str(x[0]), x[1]))
        else:
            ins.append((f"x{subscript(i + 1)}" if len(in_types) > 1 else "input", x))
    notes = [note] if note else []
    if t.dim() == 0:
        t = t.reshape(1)
    if t.dim() != 1 + len(ins):
        if ins or t.dim() > 2:
            notes.append(f"the tensor has shape {tuple(t.shape)}, which does not match the types; "
                         "axes are labelled by index")
        ins = [(f"axis {i + 1}", None) for i in range(t.dim() - 1)]
        if t.dim() > 1 and out_type is not None and dim(out_type, nat_dim) != t.shape[0]:
            out_type = None
    axes = [_Axis(out_name, out_type, t.shape[0], nat_dim)]
    axes += [_Axis(name, ty, t.shape[i + 1], nat_dim) for i, (name, ty) in enumerate(ins)]
    for ax in axes:
        if ax.type is not None and not ax.typed and not any("match" in n for n in notes):
            d = dim(ax.type, nat_dim)
            notes.append(f"axis `{ax.name}` has size {ax.size}, but {show_type(ax.type)} has "
                         + (f"dimension {d}" if d is not None else "no finite dimension") + "; it is labelled by index")

    numel = t.numel()
    slices_shape = tuple(t.shape[2:])
    n_slices = math.prod(slices_shape) if slices_shape else 1
    if numel > MAX_CELLS or n_slices > MAX_SLICES:
        return _summary(t, axes, title, notes, exact)
    t = t.double()  # small from here on: at most MAX_CELLS entries
    finite = t[torch.isfinite(t)]
    scale = float(finite.abs().max()) if finite.numel() else 0.0
    scale = scale if scale > 0 else 1.0

    if t.dim() == 1:
        t2 = t.reshape(-1, 1)
        col = _Axis("", None, 1, nat_dim)
        col.label = lambda k: "value"
        slices = [("", t2)]
        row_axis, col_axis = axes[0], col
    else:
        row_axis, col_axis = axes[0], axes[1]
        slices = []
        for idx in itertools.product(*(range(s) for s in slices_shape)):
            caption = ", ".join(f"{axes[2 + j].name} = {axes[2 + j].label(i)}" for j, i in enumerate(idx))
            slices.append((caption, t[(slice(None), slice(None)) + idx]))

    html_parts, text_parts = _header(title, notes)
    captions = [f"rows: {row_axis.caption()}"]
    if t.dim() > 1:
        captions.append(f"columns: {col_axis.caption()}")
    if len(axes) > 2:
        captions.append("one slice per " + ", ".join(ax.caption() for ax in axes[2:]))
    shape = "×".join(str(s) for s in t.shape)
    meta = " · ".join(captions)
    html_parts.append(f'<div class="cj-meta">{esc(meta)} · shape {shape}</div>')
    text_parts.append(f"{meta} · shape {shape}")

    show_numbers = row_axis.size <= NUMBERS_UP_TO and col_axis.size <= NUMBERS_UP_TO
    tables = []
    for caption, m in slices:
        rows = m.tolist()
        tables.append(_table_html(rows, row_axis, col_axis, caption, scale, show_numbers, exact, _indices(m, scale),
                                  spans))
        text_parts.append(_table_text(rows, row_axis, col_axis, caption))
    if len(tables) > 1:
        html_parts.append('<div class="cj-slices">' + "".join(tables) + "</div>")
    else:
        html_parts.append(tables[0])
    html_parts.append(_legend(scale))
    return View("\n".join(text_parts), wrap("".join(html_parts), "heatmap"), kind="heatmap")



def _legend(scale: float) -> str:
    s = fmt_value(scale)
    return (f'<div class="cj-legend"><span>−{esc(s)}</span><span class="bar"></span><span>+{esc(s)}</span>'
            f'<span style="color:#888">(0 is white; hover a cell for its exact value)</span></div>')


def _col_vertical(col: _Axis) -> bool:
    longest = max(len(col.label(k)) for k in range(col.size))
    return longest > 3 and longest * col.size > 48


def _table_html(rows, row: _Axis, col: _Axis, caption: str, scale: float, numbers: bool, exact,
                index_rows=None, spans=None) -> str:
    """One slice as an HTML table. `index_rows` are the palette indices (0…200) of the cells;
    the header cells of each axis carry its name and, from `spans`, its source span."""
    nr, nc = len(rows), len(rows[0]) if rows else 0
    rb, cb = row.block, col.block
    row_groups = rb is not None and nr // rb <= 64
    col_groups = cb is not None and nc // cb <= 64
    vertical = _col_vertical(col)
    lead = 2 if row_groups else 1
    row_tag, col_tag = _axis_tag(row.name, spans), _axis_tag(col.name, spans)
    out = ['<div>']
    if caption:
        out.append(f'<div class="cj-axis">{esc(caption)}</div>')
    if index_rows is None:
        index_rows = [[_index(v, scale) for v in values] for values in rows]
    if not numbers:
        used = sorted({i for r in index_rows for i in r})
        out.append("<style>" + "".join(f".cajal-view .k{i}{{background:{PALETTE[i]}}}" for i in used) + "</style>")
    out.append(f'<table class="cj-hm{"" if numbers else " small"}">')
    if col_groups:
        cells = "".join(
            f'<th class="g{" gl" if g else ""}" colspan="{cb}"{col_tag}>{esc(col.group_label(g))}</th>'
            for g in range(nc // cb))
        out.append(f'<tr><th colspan="{lead}"></th>{cells}</tr>')
    corner = f"{row.name} \\ {col.name}" if col.name else row.name
    head = []
    for j in range(nc):
        cls = ("v" if vertical else "") + (" gl" if cb and j and j % cb == 0 else "")
        head.append(f'<th class="{cls.strip()}"{col_tag}>{esc(col.label(j))}</th>')
    out.append(f'<tr><th class="r cj-axis" colspan="{lead}">{esc(corner)}</th>{"".join(head)}</tr>')
    col_labels = [esc(col.label(j)) for j in range(nc)]
    gl = [" gl" if cb and j and j % cb == 0 else "" for j in range(nc)]
    for i, values in enumerate(rows):
        group_start = bool(rb and i and i % rb == 0)
        rlabel = esc(row.label(i))
        parts = [f'<tr{" class=gt" if group_start else ""}>']
        if row_groups and i % rb == 0:
            parts.append(f'<th class="r g" rowspan="{rb}"{row_tag}>{esc(row.group_label(i // rb))}</th>')
        parts.append(f'<th class="r"{row_tag}>{rlabel}</th>')
        idx = index_rows[i]
        if numbers:
            for j, v in enumerate(values):
                k = idx[j]
                style = f"background:{PALETTE[k]}" + (";color:#fff" if abs(k - 100) > 60 else "")
                text = fmt_value(v) if v != 0 else '<span style="color:#bbb">0</span>'
                parts.append(f'<td class="n{gl[j]}" style="{style}" title="{rlabel}, {col_labels[j]}: {exact(v)}">{text}</td>')
        else:
            parts += [f'<td class="k{idx[j]}{gl[j]}" title="{rlabel}, {col_labels[j]}: {exact(v)}"></td>'
                      for j, v in enumerate(values)]
        parts.append("</tr>")
        out.append("".join(parts))
    out.append("</table></div>")
    return "".join(out)


def _axis_tag(name: str, spans) -> str:
    """The attributes of an axis's header cells: its name, and the source span it came from."""
    if not name:
        return ""
    tag = f' data-cajal-axis="{esc(name)}"'
    span = (spans or {}).get(name)
    return tag + (f' data-cajal-span="{span_attr(span)}"' if span is not None else "")


def span_attr(span) -> str:
    """A source span as a data attribute: `l1:c1-l2:c2` (lines and columns from 1, the end
    column one past the last character, as in `Span`)."""
    return f"{span.line}:{span.col}-{span.end_line}:{span.end_col}"


def _index(v: float, scale: float) -> int:
    if v != v:
        return 100
    return int(round(max(-1.0, min(1.0, v / scale)) * 100)) + 100


def _indices(m, scale: float):
    """Palette indices of a whole matrix at once (torch, so 10,000 cells cost nothing)."""
    import torch
    return (torch.nan_to_num(m / scale).clamp(-1, 1) * 100).round().long().add(100).tolist()


def _table_text(rows, row: _Axis, col: _Axis, caption: str, up_to: int = TEXT_UP_TO) -> str:
    nr, nc = len(rows), len(rows[0]) if rows else 0
    lines = [f"{caption}:"] if caption else []
    show_r = list(range(min(nr, up_to)))
    show_c = list(range(min(nc, up_to)))
    rl = [row.label(i) for i in show_r]
    cl = [col.label(j) for j in show_c]
    cells = [[fmt_value(rows[i][j]) for j in show_c] for i in show_r]
    w0 = max([len(x) for x in rl] + [1])
    widths = [max([len(cl[k])] + [len(cells[r][k]) for r in range(len(show_r))]) for k in range(len(show_c))]
    lines.append(" " * w0 + "  " + "  ".join(c.rjust(w) for c, w in zip(cl, widths)))
    for r, label in enumerate(rl):
        lines.append(label.rjust(w0) + "  " + "  ".join(c.rjust(w) for c, w in zip(cells[r], widths)))
    if nr > len(show_r) or nc > len(show_c):
        lines.append(f"… ({nr}×{nc}; showing the first {len(show_r)}×{len(show_c)})")
    return "\n".join(lines)


def _groupings(t, nat_dim: int) -> list:
    """The nested block sizes of an axis of type t, smallest first, each with its labeller:
    for τ₁ ⊸ τ₂, blocks of dim τ₁ (one per basis vector of τ₂), then τ₂'s own blocks, scaled."""
    if not isinstance(t, Arrow):
        return []
    n = dim(t.dom, nat_dim)
    out = [(n, lambda g: ARROW + paren(basis_name(t.cod, g, nat_dim)))]
    for size, label in _groupings(t.cod, nat_dim):
        out.append((size * n, lambda g, label=label: f"{ARROW}({label(g)})"))
    return out


def _bins(ax) -> tuple[list[tuple[int, int]], list[str]]:
    """Bins of an axis for a summary (at most MAX_BINS), and their labels."""
    n = ax.size if ax is not None else 1
    if ax is not None and ax.typed:
        for size, label in _groupings(ax.type, ax.nat_dim):
            if n // size <= MAX_BINS:
                return [(a, a + size) for a in range(0, n, size)], [label(g) for g in range(n // size)]
    size = max(1, math.ceil(n / MAX_BINS))
    bins = [(a, min(n, a + size)) for a in range(0, n, size)]
    if ax is not None and ax.typed and size == 1:
        return bins, [ax.label(a) for a, _ in bins]
    return bins, [str(a) if b - a == 1 else f"{a}–{b - 1}" for a, b in bins]


TILE = 1 << 22  # a summary reads a large tensor this many entries at a time


class _BlockStats:
    """Block means and whole-tensor statistics of a large matrix, read tile by tile, so that a
    summary needs memory for one tile (in float64), never a copy of the tensor."""

    def __init__(self, m, rbins, cbins):
        import torch

        nc = m.shape[1]
        c_edges = torch.tensor([a for a, _ in cbins] + [nc])
        sums = torch.zeros(len(rbins), len(cbins), dtype=torch.float64)
        sumsq, lo, hi, nonzero, finite = 0.0, math.inf, -math.inf, 0, 0
        rows = max(1, TILE // max(1, nc))
        cols = min(nc, TILE)
        for i, (ra, rb) in enumerate(rbins):
            for r in range(ra, rb, rows):
                for c in range(0, nc, cols):
                    x = m[r:min(rb, r + rows), c:c + cols].double()
                    nonzero += int(torch.count_nonzero(x))
                    good = x if bool(torch.isfinite(x).all()) else x[torch.isfinite(x)]
                    if good.numel():
                        finite += good.numel()
                        sumsq += float(torch.linalg.vector_norm(good)) ** 2
                        small, big = torch.aminmax(good)
                        lo, hi = min(lo, float(small)), max(hi, float(big))
                    # column sums of the tile, then their sums over each column bin it meets
                    acc = torch.zeros(x.shape[1] + 1, dtype=torch.float64)
                    acc[1:] = torch.nan_to_num(x).sum(0).cumsum(0)
                    edges = (c_edges.clamp(c, c + x.shape[1]) - c)
                    sums[i] += acc[edges[1:]] - acc[edges[:-1]]
        counts = torch.tensor([b - a for a, b in rbins], dtype=torch.float64)[:, None] * \
            (c_edges[1:] - c_edges[:-1]).double()[None, :]
        self.means = sums / counts.clamp_min(1)
        self.norm = math.sqrt(sumsq) if finite else float("nan")
        self.lo, self.hi = (lo, hi) if finite else (float("nan"), float("nan"))
        self.nonzero = nonzero


def _summary(t, axes: list[_Axis], title, notes, exact) -> View:
    """Block means of a large tensor (as a matrix: output × all inputs), with shape and norms."""

    m = t.reshape(t.shape[0], -1) if t.dim() > 1 else t.reshape(-1, 1)
    nr, nc = m.shape
    row = axes[0]
    col = axes[1] if len(axes) == 2 else None
    rbins, rnames = _bins(row)
    if col is not None:
        cbins, cnames = _bins(col)
    else:  # inputs flattened, the last fastest: group by the first input when that fits
        first = axes[1] if len(axes) > 1 else None
        if first is not None and first.size <= MAX_BINS and first.size > 1:
            size = nc // first.size
            cbins = [(a, a + size) for a in range(0, nc, size)]
            cnames = [f"{first.name} = {first.label(g)}" for g in range(first.size)]
        else:
            cbins, cnames = _bins(_Axis("inputs", None, nc, row.nat_dim))
    blocks = _BlockStats(m, rbins, cbins)
    means = blocks.means
    rlab = _Axis(row.name + " (blocks)", None, len(rbins), row.nat_dim)
    rlab.label = lambda k: rnames[k]
    cname = (col.name if col else ", ".join(ax.name for ax in axes[1:])) + " (blocks)"
    clab = _Axis(cname, None, len(cbins), row.nat_dim)
    clab.label = lambda k: cnames[k]

    norm, lo, hi, nnz = blocks.norm, blocks.lo, blocks.hi, blocks.nonzero
    shape = "×".join(str(s) for s in t.shape)
    scale = float(means.abs().max()) or 1.0
    stats = (f"shape {shape} ({t.numel():,} entries) · Frobenius norm {norm:.6g} · min {lo:.6g} · "
             f"max {hi:.6g} · nonzero {nnz:,}")
    axes_text = " · ".join(f"{'rows' if i == 0 else 'axis ' + str(i)}: {ax.caption()}" for i, ax in enumerate(axes))
    why = (f"too large to draw entry by entry (more than {MAX_CELLS:,} entries or {MAX_SLICES} slices): "
           f"each cell is the mean of a block")

    html_parts, text_parts = _header(title, notes)
    html_parts.append(f'<div class="cj-meta">{esc(axes_text)}</div>')
    html_parts.append(f'<div class="cj-meta">{esc(stats)}</div>')
    html_parts.append(f'<div class="cj-meta">{esc(why)}</div>')
    text_parts += [axes_text, stats, why]
    rows = means.tolist()
    html_parts.append(_table_html(rows, rlab, clab, "", scale, False, "mean {:.6g}".format, _indices(means, scale)))
    html_parts.append(_legend(scale))
    text_parts.append(_table_text(rows, rlab, clab, "block means", up_to=16))
    return View("\n".join(text_parts), wrap("".join(html_parts), "heatmap"), kind="heatmap")


# ---------------------------------------------------------------- compiled programs


def _free_of(compiled) -> list[tuple[str, object]]:
    """The free variables of a Compiled as (name, type) pairs, whatever form `.free` takes."""
    free = getattr(compiled, "free", None) or ()
    if isinstance(free, dict):
        return [(str(k), v) for k, v in free.items()]
    out = []
    for f in free:
        if isinstance(f, tuple) and len(f) == 2:
            out.append((str(f[0]), f[1]))
        elif hasattr(f, "name") and hasattr(f, "type"):
            out.append((f.name, f.type))
        else:
            out.append((str(f), None))
    return out


def _abstract_message(t) -> Optional[str]:
    from ..syntax import abstract_names
    names = sorted(abstract_names(t)) if t is not None else []
    if not names:
        return None
    listed = ", ".join(names)
    return (f"{show_type(t)} mentions the abstract type{'s' if len(names) > 1 else ''} {listed}, "
            f"which {'have' if len(names) > 1 else 'has'} no finite dimension: there are no weights to draw. "
            "The neuron still runs on linked inputs (tensors of any shape).")


NONLINEAR_NOTE = ("describes one-hot inputs only: this map is not linear in {names} (used inside an iter step, "
                  "so it runs once per iteration); each column is the program run on one basis vector, and a "
                  "mixture of inputs is not the same mixture of columns")


def compiled_view(compiled, title: Optional[str] = None, *, param_names: Sequence[str] = (),
                  nat_dim: Optional[int] = None) -> View:
    """The heatmap of a `Compiled`: its matrix for a closed function, its vector for a closed
    value, its tensor (output × free variables) for an open term; a caveat when the map is
    not linear; a clear message when its type has no finite dimension."""
    try:
        return _compiled_view(compiled, title, param_names, nat_dim)
    except CajalError as err:
        return text_view(err.message, title=title)


def _nonlinear_in(compiled) -> Optional[str]:
    """Who the compiled map is not linear in (`Compiled.nonlinear_in`), or None if it is linear."""
    linear = getattr(compiled, "linear", True)
    if linear is True or linear is None:
        return None
    names = getattr(compiled, "nonlinear_in", None) or getattr(compiled, "nonlinear", None)
    if isinstance(names, (set, frozenset, list, tuple)) and names:
        return ", ".join(f"`{n}`" for n in names)
    return "some of its inputs"


def _compiled_view(compiled, title, param_names, nat_dim) -> View:
    ty = getattr(compiled, "type", None)
    nat_dim = nat_dim or getattr(compiled, "nat_dim", None) or 10
    free = _free_of(compiled)
    types = [ty] + [t for _, t in free]
    for t in types:
        msg = _abstract_message(t)
        if msg:
            return text_view(msg, title=title)
    who = _nonlinear_in(compiled)
    note = NONLINEAR_NOTE.format(names=who) if who else None
    spans = source_spans(getattr(compiled, "term", None))
    if not free and isinstance(ty, Arrow):
        if not param_names:  # name the input axis after the λ (Compiled.params: the λs at the top)
            params = getattr(compiled, "params", None) or ()
            param_names = [p[0] for p in params[:1] if isinstance(p, tuple)]
        return curried_view(compiled.matrix, ty, param_names, nat_dim=nat_dim, title=title, note=note, spans=spans)
    return heatmap(compiled.tensor, ty, free, nat_dim=nat_dim, title=title, note=note, spans=spans)


def source_spans(term) -> dict:
    """{axis name: Span}: where each axis of a compiled term's heatmap came from in the source:
    a λ parameter at the top (its input axis) and the body under them (the output rows)."""
    from ..syntax import leading_lambdas
    if term is None:
        return {}
    lams, body = leading_lambdas(term)
    spans = {}
    for lam in lams:
        if lam.param_span is not None:
            spans.setdefault(lam.param, lam.param_span)
    if body.span is not None:
        spans["output"] = body.span
    return spans


def curried_view(matrix, ty: Arrow, param_names: Sequence[str] = (), *, nat_dim: int = 10,
                 title: Optional[str] = None, note: Optional[str] = None, spans: Optional[dict] = None) -> View:
    """A closed function's weights. With k ≥ 2 parameter names, as the k-linear tensor
    T[:, i₁, …, i_k] (slices per parameter); otherwise as its matrix (dim τ₂, dim τ₁)."""
    params = list(param_names)
    if len(params) >= 2:
        doms, t = [], ty
        for _ in params:
            if not isinstance(t, Arrow):
                break
            doms.append(t.dom)
            t = t.cod
        dims = [dim(d, nat_dim) for d in doms]
        out_dim = dim(t, nat_dim)
        if len(doms) == len(params) and None not in dims and out_dim is not None:
            import torch
            m = matrix if isinstance(matrix, torch.Tensor) else torch.as_tensor(matrix)
            # flat = ((r·d_k + c_k)·d_{k-1} + …)·d_1 + c_1, so reshape to (τ, d_k, …, d_1) and reverse.
            k = len(dims)
            tensor = m.reshape(out_dim, *reversed(dims)).permute(0, *range(k, 0, -1))
            return heatmap(tensor, t, list(zip(params, doms)), nat_dim=nat_dim, title=title, note=note, spans=spans)
    name = params[0] if params else "input"
    return heatmap(matrix, ty.cod, [(name, ty.dom)], nat_dim=nat_dim, title=title, note=note, spans=spans)


def _header(title, notes) -> tuple[list, list]:
    """The title and notes above a heatmap, as HTML parts and text parts."""
    html_parts, text_parts = [], []
    if title:
        html_parts.append(f'<div class="cj-title">{esc(title)}</div>')
        text_parts.append(title)
    for n in notes:
        html_parts.append(f'<div class="cj-note">{esc(n)}</div>')
        text_parts.append(f"note: {n}")
    return html_parts, text_parts


TENSOR_TEXT_UP_TO = 400  # entries a plain-text tensor lists; a bigger one is summarised


def tensor_text(tensor) -> str:
    """A compiled vector or matrix as plain text, for terminals: `[0, 1]`, one row per line for
    a matrix (`[[0, 1],` / ` [1, 0]]`); a large tensor as its shape and norm."""
    import torch

    t = torch.as_tensor(tensor).detach().cpu().double()
    if t.numel() > TENSOR_TEXT_UP_TO or t.dim() > 2:
        return f"a tensor of shape {tuple(t.shape)}, norm {fmt_value(float(t.norm()))}"
    if t.dim() == 0:
        return fmt_value(float(t))
    if t.dim() == 1:
        return "[" + ", ".join(fmt_value(v) for v in t.tolist()) + "]"
    rows = ["[" + ", ".join(fmt_value(v) for v in row) + "]" for row in t.tolist()]
    return "[" + ",\n ".join(rows) + "]"
