"""Neuron / recurrence graphs of a term, drawn by Graphviz's `dot` (LANGUAGE.md section 5).

Dataflow runs left to right. Sources are the inputs (free variables, or a definition's
parameters: the λs the term starts with) and the constants. Every `if` is a gating neuron fed
by its condition and its two branches; every application a linear layer labelled with the
shape of its weight matrix (with the matrix inline when it is 2×2 and known); a λ that is not
a parameter is a box (cluster) that makes a weight matrix; every `iter` a recurrent cell: a
state node h fed by the base (h₀), a step cluster W whose result goes back to h (the dashed
back-edge), and the readout Σ nᵢ hᵢ weighted by the count. With `unroll=True` the cell is
drawn as its states h₀ → h₁ → … → h_{N−1}.

The DOT text is made here and piped through `dot -Tsvg`; if `dot` is missing, the view says
how to install it and shows the same graph as text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from contextlib import contextmanager
from typing import Optional, Sequence

from ..errors import CajalError
from ..pretty import pretty, subscript
from ..syntax import (
    BOOL,
    App,
    Arrow,
    BoolLit,
    If,
    Iter,
    Lam,
    Let,
    Nat,
    Succ,
    Term,
    Var,
    free_vars,
    leading_lambdas,
)
from .common import Defs, dim, fmt_value, show_type, truncate
from .view import View, esc, picture_html, wrap

MISSING_DOT = ("Graphviz's `dot` program was not found, so the graph is shown as text. Install it with "
               "`apt-get install graphviz` (or `brew install graphviz`, or `conda install graphviz`); "
               "the Python package alone is not enough.")
MAX_UNROLL = 32   # an unrolled cell with more states shows the first ones, an ellipsis and the last
DOT_TIMEOUT = 20  # seconds

_STYLE = {
    "input": 'shape=box, style="rounded,filled", fillcolor="#e3f2fd", color="#1565c0"',
    "param": 'shape=box, style="rounded,filled,bold", fillcolor="#e3f2fd", color="#1565c0"',
    "const": 'shape=box, style="filled", fillcolor="#f5f5f5", color="#757575"',
    "def": 'shape=box, style="filled", fillcolor="#fff8e1", color="#b28704"',
    "gate": 'shape=hexagon, style="filled", fillcolor="#fce4ec", color="#ad1457"',
    "layer": 'shape=box, style="filled", fillcolor="#e8f5e9", color="#2e7d32"',
    "succ": 'shape=box, style="filled", fillcolor="#e8f5e9", color="#2e7d32"',
    "matrix": 'shape=box3d, style="filled", fillcolor="#f1f8e9", color="#558b2f"',
    "state": 'shape=doubleoctagon, style="filled", fillcolor="#ede7f6", color="#4527a0"',
    "readout": 'shape=invtrapezium, style="filled", fillcolor="#ede7f6", color="#4527a0"',
    "ellipsis": 'shape=plaintext',
    "output": 'shape=box, style="rounded,filled,bold", fillcolor="#fff3e0", color="#e65100"',
}


def _q(text: str) -> str:
    """A DOT quoted string."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'



class _Graph:
    """Nodes, edges and clusters, kept both as DOT statements and as a text description."""

    def __init__(self):
        self.body: list[str] = []
        self.edges: list[str] = []
        self.nodes: dict[str, tuple[str, str, str]] = {}   # id -> (kind, text label, cluster)
        self.var_of: dict[str, str] = {}   # input node -> the variable it stands for
        self.edge_list: list[tuple[str, str, str, str]] = []  # (src, dst, label, kind)
        self.count = 0
        self.clusters: list[str] = []
        self.indent = 1

    def node(self, label: str, kind: str, *, html_label: Optional[str] = None, nid: Optional[str] = None,
             tooltip: Optional[str] = None, var: Optional[str] = None, span=None) -> str:
        """A node; `span`, the source of the sub-term it came from, becomes its SVG group's
        `data-cajal-span` (a class on the way through Graphviz, see `_spans_as_data`)."""
        self.count += 1
        name = f"n{self.count}"
        if var is not None:
            self.var_of[name] = var
        where = f" cajal_span_{span.line}_{span.col}_{span.end_line}_{span.end_col}" if span is not None else ""
        attrs = [f"label={html_label}" if html_label else f"label={_q(label)}", _STYLE[kind],
                 f'class="{kind}{where}"', f"tooltip={_q(tooltip or label)}"]
        if nid:
            attrs.append(f'id="{nid}"')
        self.body.append("  " * self.indent + f"{name} [{', '.join(attrs)}];")
        self.nodes[name] = (kind, label, self.clusters[-1] if self.clusters else "")
        return name

    def edge(self, src: str, dst: str, label: str = "", kind: str = "flow", *, eid: Optional[str] = None) -> None:
        attrs = [f"label={_q(label)}", f'class="{kind}"']
        if kind == "back":
            attrs.append('style="dashed,bold", color="#4527a0", fontcolor="#4527a0", constraint=false')
        elif kind == "repeat":
            attrs.append('style=dotted, color="#b71c1c", fontcolor="#b71c1c"')
        elif kind == "weights":
            attrs.append('color="#2e7d32", fontcolor="#2e7d32"')
        if eid:
            attrs.append(f'id="{eid}"')
        self.edges.append(f"  {src} -> {dst} [{', '.join(attrs)}];")
        self.edge_list.append((src, dst, label, kind))

    @contextmanager
    def cluster(self, label: str, kind: str):
        self.count += 1
        colour = {"lambda": "#558b2f", "step": "#4527a0"}[kind]
        self.body.append("  " * self.indent + f"subgraph cluster_{self.count} {{")
        self.indent += 1
        pad = "  " * self.indent
        # The title goes below the cluster: edges come in from above and their labels (`arg: y`)
        # would sit on a title at the top.
        self.body.append(f'{pad}label={_q(label)}; labelloc=b; style="rounded,dashed"; color="{colour}"; '
                         f'fontcolor="{colour}"; class="{kind}";')
        self.clusters.append(label)
        try:
            yield
        finally:
            self.clusters.pop()
            self.indent -= 1
            self.body.append("  " * self.indent + "}")

    def dot(self, title: str) -> str:
        head = [
            "digraph cajal {",
            '  graph [rankdir=LR, fontname="DejaVu Sans", fontsize=12, labelloc=t, nodesep=0.25, ranksep=0.45, '
            f'label={_q(title)}];',
            '  node [fontname="DejaVu Sans", fontsize=11, margin="0.10,0.04", height=0.3];',
            '  edge [fontname="DejaVu Sans", fontsize=9, arrowsize=0.7];',
        ]
        return "\n".join(head + self.body + self.edges + ["}"]) + "\n"

    def text(self, title: str) -> str:
        def name(n):
            return self.nodes[n][1].replace("\n", " ")
        lines = [title, "nodes:"]
        for n, (kind, label, cluster) in self.nodes.items():
            where = f"   [in {cluster.splitlines()[0]}]" if cluster else ""
            lines.append(f"  ({kind}) {label.replace(chr(10), ' ')}{where}")
        lines.append("edges:")
        for src, dst, label, kind in self.edge_list:
            arrow = {"back": "══▶ (back-edge) ", "repeat": "┈┈▶ ", "weights": "──▶ "}.get(kind, "──▶ ")
            lab = f"[{label}] " if label else ""
            lines.append(f"  {name(src)} {lab}{arrow}{name(dst)}")
        return "\n".join(lines)


class _GraphBuilder:
    """Walks a checked term and adds its neurons to a `_Graph`. Weights drawn inline come from
    the compiled program of the whole term (`compile(typing)`, made once), never from another
    stage."""

    def __init__(self, typing, defs: Defs, nat_dim: int, unroll: bool, compile=None, link: bool = True):
        self.g = _Graph()
        self.link = link  # tag nodes with the source spans of their sub-terms
        self.typing = typing
        self.defs = defs
        self.nat_dim = nat_dim
        self.unroll = unroll
        self.def_nodes: dict[str, str] = {}
        self.repeat: list[set[str]] = []   # names captured by the iter steps being built (Δ₃)
        self.iters = 0
        self.compile = compile
        self._program = None

    def at(self, thing):
        """The span of a sub-term (or a span) a node comes from, when nodes are linked to source."""
        span = getattr(thing, "span", thing) if self.link else None
        return span if hasattr(span, "end_col") else None

    def type_of(self, term: Term):
        return self.typing.types.get(id(term))

    def shape(self, t) -> str:
        if isinstance(t, Arrow):
            a, b = dim(t.dom, self.nat_dim), dim(t.cod, self.nat_dim)
            if a is None or b is None:
                return "linked map"
            return f"{b}×{a}"
        d = dim(t, self.nat_dim) if t is not None else None
        return str(d) if d else "linked"

    def flow(self, src: tuple[str, Optional[str]], dst: str, role: str, t=None, kind: str = "flow") -> None:
        node, via = src
        if via is not None and any(via in s for s in self.repeat):
            kind = "repeat"
        if via is not None and self.g.var_of.get(node) == via:
            what = "" if role else via   # the source node already says its name
        else:
            what = via if via is not None else (show_type(t) if t is not None else "")
        label = f"{role}: {what}" if role and what else (role or what)
        if kind == "repeat":
            label += " (every step)"
        self.g.edge(node, dst, label, kind)

    # -------------------------------------------------------------- terms

    def build(self, term: Term, env: dict[str, str]) -> tuple[str, Optional[str]]:
        """The node that produces term's value, and the variable it came through (if any)."""
        t = self.type_of(term)
        match term:
            case Var(name):
                if name in env:
                    return env[name], name
                if name not in self.def_nodes:
                    dt = self.defs.type(name)
                    self.def_nodes[name] = self.g.node(f"{name} : {show_type(dt)}\ndefinition", "def")
                return self.def_nodes[name], None
            case BoolLit(value):
                return self.g.node(f"{'tt' if value else 'ff'} : 𝟚", "const", span=self.at(term)), None
            case Nat(value):
                return self.g.node(f"{value} : ℕ", "const", span=self.at(term)), None
            case Succ(arg):
                a = self.build(arg, env)
                n = self.nat_dim
                s = self.g.node(f"succ : ℕ\nshift S ({n}×{n})", "succ", span=self.at(term))
                self.flow(a, s, "", self.type_of(arg))
                return s, None
            case If(cond, then, else_):
                c = self.build(cond, env)
                a = self.build(then, env)
                b = self.build(else_, env)
                gate = self.g.node(f"if : {show_type(t)}\ngate c₀·then + c₁·else", "gate", span=self.at(term))
                self.flow(c, gate, "cond", BOOL)
                self.flow(a, gate, "then", self.type_of(then))
                self.flow(b, gate, "else", self.type_of(else_))
                return gate, None
            case App(fn, arg):
                f = self.build(fn, env)
                x = self.build(arg, env)
                ft = self.type_of(fn)
                label = f"apply : {show_type(t)}\nlayer W ({self.shape(ft)})"
                html = self.inline_matrix(fn, ft, label.split("\n"))
                layer = self.g.node(label, "layer", html_label=html, span=self.at(term))
                self.flow(f, layer, "W", ft, kind="weights")
                self.flow(x, layer, "arg", self.type_of(arg))
                return layer, None
            case Lam():
                return self.build_lambda(term, env), None
            case Let(name, bound, body):
                b = self.build(bound, env)
                return self.build(body, {**env, name: b[0]})
            case Iter():
                return (self.build_unrolled(term, env) if self.unroll else self.build_iter(term, env)), None
        raise TypeError(f"not a term: {term!r}")

    def build_lambda(self, term: Lam, env: dict[str, str]) -> str:
        t = self.type_of(term)
        params, body = leading_lambdas(term)
        heads = " ".join(f"λ{p.param}:{show_type(p.param_type)}." for p in params)
        with self.g.cluster(f"{heads} … : weight matrix", "lambda"):
            inner = dict(env)
            for p in params:
                inner[p.param] = self.g.node(f"{p.param} : {show_type(p.param_type)}\nλ-bound", "input", var=p.param,
                                             span=self.at(p.param_span))
            r = self.build(body, inner)
            label = f"⟦λ⟧ : {show_type(t)}\nweights ({self.shape(t)})"
            m = self.g.node(label, "matrix", html_label=self.inline_matrix(term, t, label.split("\n")),
                            span=self.at(term))
            self.flow(r, m, "body", self.type_of(body))
        return m

    def build_iter(self, term: Iter, env: dict[str, str]) -> str:
        self.iters += 1
        k = self.iters
        t = self.type_of(term)
        c = self.build(term.count, env)
        b = self.build(term.base, env)
        state = self.g.node(f"state h : {show_type(t)}\n{term.var} = hᵢ", "state", nid=f"state{k}",
                            span=self.at(term.var_span))
        self.flow(b, state, "h₀", t)
        captured = self.typing.captured.get(id(term), frozenset())
        step_text = truncate(pretty(term.step), 40)
        with self.g.cluster(f"step W : {show_type(t)} ⊸ {show_type(t)}\n{term.var} ↪ {step_text}", "step"):
            self.repeat.append(set(captured))
            try:
                s = self.build(term.step, {**env, term.var: state})
            finally:
                self.repeat.pop()
        self.g.edge(s[0], state, "hᵢ₊₁ = W(hᵢ)", "back", eid=f"backedge{k}")
        readout = self.g.node(f"readout : {show_type(t)}\nΣ nᵢ·hᵢ", "readout", span=self.at(term))
        self.g.edge(state, readout, f"h₀…h{subscript(self.nat_dim - 1)}", "flow")
        self.flow(c, readout, "n", self.type_of(term.count))
        return readout

    def build_unrolled(self, term: Iter, env: dict[str, str]) -> str:
        self.iters += 1
        k = self.iters
        t = self.type_of(term)
        c = self.build(term.count, env)
        b = self.build(term.base, env)
        captured = self.typing.captured.get(id(term), frozenset())
        step_text = truncate(pretty(term.step), 40)
        with self.g.cluster(f"step W : {show_type(t)} ⊸ {show_type(t)}\n{term.var} ↪ {step_text}", "step"):
            y = self.g.node(f"{term.var} : {show_type(t)}\n= hᵢ", "input", var=term.var)
            self.repeat.append(set(captured))
            try:
                s = self.build(term.step, {**env, term.var: y})
            finally:
                self.repeat.pop()
            w = self.g.node(f"W : {show_type(t)} ⊸ {show_type(t)}\nhᵢ₊₁ = W(hᵢ)", "matrix")
            self.flow(s, w, "", t)
        n = self.nat_dim
        shown = list(range(n)) if n <= MAX_UNROLL else list(range(MAX_UNROLL - 2)) + [n - 1]
        states, prev = [], None
        readout = None
        for i in shown:
            if prev is not None and i != prev + 1:
                gap = self.g.node(f"… h{subscript(prev + 1)}…h{subscript(i - 1)}", "ellipsis")
                self.g.edge(states[-1][1], gap, "W", "flow")
                states.append((None, gap))
            h = self.g.node(f"h{subscript(i)} : {show_type(t)}", "state", nid=f"state{k}_{i}")
            if states:
                self.g.edge(states[-1][1], h, "W", "flow")
            else:
                self.flow(b, h, "h₀", t)
            states.append((i, h))
            prev = i
        readout = self.g.node(f"readout : {show_type(t)}\nΣ nᵢ·hᵢ", "readout")
        for i, h in states:
            if i is not None:
                self.g.edge(h, readout, f"n{subscript(i)}", "flow")
        self.flow(c, readout, "n", self.type_of(term.count))
        return readout

    # -------------------------------------------------------------- inline matrices

    def matrix_2x2(self, fn: Term, ft) -> Optional[list[list[float]]]:
        """The 2×2 matrix of fn : 𝟚 ⊸ 𝟚 when fn is closed apart from definitions, read from the
        compiled program of the whole term (`Compiled.tensor_of`: its weights by sub-term)."""
        if ft != Arrow(BOOL, BOOL) or any(v not in self.defs.names() for v in free_vars(fn)):
            return None
        program = self.program()
        tensor = program.tensor_of(fn) if program is not None else None
        return None if tensor is None else tensor.detach().reshape(2, 2).tolist()

    def program(self):
        """The compiled program of the whole term, made once on first use; None when it does
        not compile (then no weights are drawn)."""
        if self._program is None and self.compile is not None:
            try:
                self._program = self.compile(self.typing)
            except CajalError:
                self.compile = None
        return self._program

    def inline_matrix(self, fn: Term, ft, lines: list[str]) -> Optional[str]:
        """An HTML-like DOT label: `lines`, then the 2×2 matrix of fn when it is known."""
        m = self.matrix_2x2(fn, ft)
        if m is None:
            return None
        cells = []
        for i, rname in enumerate(("tt", "ff")):
            row = "".join(
                f'<td bgcolor="{"#b2182b" if m[i][j] else "#f7f7f7"}"><font color="{"white" if m[i][j] else "#999999"}">'
                f'{fmt_value(m[i][j])}</font></td>' for j in range(2))
            cells.append(f'<tr><td><font point-size="9">{rname}</font></td>{row}</tr>')
        head = "".join(f'<tr><td colspan="3" border="0">{esc(line)}</td></tr>' for line in lines)
        return ('<<table border="0" cellborder="1" cellspacing="0" cellpadding="2">' + head +
                '<tr><td border="0"></td><td border="0"><font point-size="9">tt</font></td>'
                '<td border="0"><font point-size="9">ff</font></td></tr>'
                + "".join(cells) + "</table>>")


def graph(term, *, ctx=None, defs=None, types=(), nat_dim: int = 10, unroll: bool = False,
          name: Optional[str] = None, params: Optional[Sequence] = None, typing=None, compile=None) -> View:
    """The neuron graph of `term` (SVG from Graphviz, with a text description as text/plain).

    The λs the term starts with are its inputs ("parameters" when `params` names them, as for a
    definition); free variables typed by `ctx` are inputs too. A term that is just the name of a
    definition is drawn as that definition, with the definitions it was made with (a session
    `Definition` carries them, and its typing). `typing` is the checker's typing of `term`
    (checked here when not given); `compile(typing)` gives the compiled program of the whole
    term, whose weights 𝟚 ⊸ 𝟚 layers show inline (the session passes its own, which reuses
    compiled definitions; by default the compiler with the compiled `defs`)."""
    from ..types import check
    from .errors import error_view

    try:
        d = Defs(defs, types)
        link = True  # nodes carry the spans of their sub-terms, in the cell that asked
        if isinstance(term, Var) and name is None and d.term(term.name) is not None and term.name not in (ctx or {}):
            definition = d.raw[term.name]
            name = term.name
            link = False  # the definition's spans are in another cell
            term = d.term(term.name)
            params = [lam.param for lam in leading_lambdas(term)[0]]
            typing = getattr(definition, "typing", None)
            if hasattr(definition, "uses"):  # drawn with what it was defined with, not newer definitions
                d = Defs(definition.uses, types)
                compile = definition.compile_in_scope
            if typing is not None and callable(getattr(definition, "compiled", None)):
                compile = lambda typing: definition.compiled(nat_dim)  # noqa: E731 (its own, made once)
        if typing is None:
            typing = check(term, ctx, defs=d.types_for(term), types=d.abstract)
        if typing.holes:  # a hole has no neuron yet
            raise typing.holes[0].error()
        if compile is None:
            compile = _compiler(d, ctx, nat_dim)
        b = _GraphBuilder(typing, d, nat_dim, unroll, compile, link=link)
        env = {}
        for x, xt in (ctx or {}).items():
            env[x] = b.g.node(f"{x} : {show_type(typing.contexts.get(id(term), {}).get(x, xt))}\ninput", "input", var=x)
        names = [p[0] if isinstance(p, tuple) else getattr(p, "name", p) for p in (params or ())]
        lams, body = leading_lambdas(term)
        for lam in lams:
            kind = "param" if lam.param in names else "input"
            env[lam.param] = b.g.node(
                f"{lam.param} : {show_type(lam.param_type)}\n{'parameter' if kind == 'param' else 'input'}", kind,
                var=lam.param, span=b.at(lam.param_span))
        result = b.build(body, env)
        out_type = typing.types.get(id(body))
        out = b.g.node(f"{name or 'output'} : {show_type(out_type)}\noutput", "output", span=b.at(body))
        b.flow(result, out, "", out_type)
        title = f"{name} : {show_type(typing.type)}" if name else f"{truncate(pretty(term), 70)} : {show_type(typing.type)}"
        if unroll:
            title += f"   (unrolled, N = {nat_dim})"
        return _render(b.g, title)
    except CajalError as err:
        return error_view(err)


def _compiler(defs: Defs, ctx, nat_dim: int):
    """The compiler's entry point for a checked typing, with the definitions given as compiled
    programs (a `Definition` or a `Compiled`; one given only as a term or type has no weights)."""
    def compile_(typing):
        from ..compiler.module import Compiled
        from ..compiler.program import compile_typing
        compiled = {}
        for n in free_vars(typing.term):
            d = defs.raw.get(n)
            c = d if isinstance(d, Compiled) else (d.compiled(nat_dim) if callable(getattr(d, "compiled", None)) else None)
            if not isinstance(c, Compiled) or c.free or c.nat_dim != nat_dim:
                raise CajalError(f"the definition `{n}` has no compiled weights")
            compiled[n] = c
        return compile_typing(typing, dict(ctx or {}), nat_dim, defs=compiled)
    return compile_


def dot_available() -> bool:
    return shutil.which("dot") is not None


_SPAN_CLASS = re.compile(r'class="([^"]*?) ?cajal_span_(\d+)_(\d+)_(\d+)_(\d+)"')


def _spans_as_data(svg: str) -> str:
    """Graphviz passes a node's classes through to its SVG group: turn the span class into
    `data-cajal-span="l1:c1-l2:c2"`, which the editor reads to highlight the source."""
    return _SPAN_CLASS.sub(r'class="\1" data-cajal-span="\2:\3-\4:\5"', svg)


def _render(g: _Graph, title: str) -> View:
    source = g.dot(title)
    text = g.text(title)
    exe = shutil.which("dot")
    problem = None
    if exe is None:
        problem = MISSING_DOT
    else:
        try:
            done = subprocess.run([exe, "-Tsvg"], input=source.encode("utf-8"), capture_output=True,
                                  timeout=DOT_TIMEOUT)
            if done.returncode != 0:
                first = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[0]
                problem = f"Graphviz's `dot` failed ({first}), so the graph is shown as text."
            else:
                svg = _spans_as_data(done.stdout.decode("utf-8"))
                start = svg.find("<svg")
                svg = svg[start:] if start >= 0 else svg
                html = wrap(picture_html(svg, alt=f"neuron graph of {text.splitlines()[0]}"), "graph")
                return View(text, html=html, svg=svg, kind="graph", dot=source)
        except (OSError, subprocess.SubprocessError) as err:
            problem = f"Graphviz's `dot` could not run ({type(err).__name__}), so the graph is shown as text."
    html = wrap(f'<div class="cj-note">{esc(problem)}</div><pre class="cj-mono">{esc(text)}</pre>'
                f'<details><summary>DOT source</summary><pre class="cj-mono">{esc(source)}</pre></details>', "graph")
    return View(problem + "\n" + text, html=html, kind="graph", dot=source)
