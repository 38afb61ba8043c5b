"""Issue 6: pictures of programs (cajal.render). Every view is checked through its HTML/SVG,
parsed (SVG with an XML parser), and through its plain text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
import torch

import cajal
from cajal import render
from cajal.errors import CajalError, CajalTypeError
from cajal.parser import parse_cell, parse_term, parse_type

NOT = "λx:𝟚. if x then ff else tt"
AND = "λx:𝟚. λy:𝟚. if x then y else (if y then ff else ff)"
SUCC = "λn:ℕ. succ n"
PARITY = "λn:ℕ. iter{tt | y ↪ if y then ff else tt}(n)"
HIGHER = "λf:𝟚 ⊸ 𝟚. f tt"
DILATE = "λstep:Image ⊸ Image. λimg:Image. λn:ℕ. iter{img | y ↪ step y}(n)"


# ---------------------------------------------------------------- helpers


class Cells(HTMLParser):
    """Collects the cells of heatmap tables: header labels, and (title, text) of data cells."""

    def __init__(self, html: str):
        super().__init__()
        self.headers: list[str] = []
        self.cells: list[tuple[str, str]] = []
        self.captions: list[str] = []
        self._tag = None
        self._attrs = {}
        self._text = ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in ("th", "td") or (tag == "div" and dict(attrs).get("class") == "cj-axis"):
            self._tag, self._attrs, self._text = tag, dict(attrs), ""

    def handle_data(self, data):
        if self._tag:
            self._text += data

    def handle_endtag(self, tag):
        if tag == self._tag or (tag == "div" and self._tag == "div"):
            if self._tag == "th":
                self.headers.append(self._text)
            elif self._tag == "td":
                self.cells.append((self._attrs.get("title", ""), self._text))
            elif self._tag == "div":
                self.captions.append(self._text)
            self._tag = None

    def value(self, row: str, col: str, nth: int = 0) -> float:
        found = [t for t, _ in self.cells if t.startswith(f"{row}, {col}: ")]
        return float(found[nth].rsplit(": ", 1)[1])


def svg_counts(svg: str):
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    groups = root.iter(f"{ns}g")
    nodes, edges = [], []
    for g in groups:
        classes = (g.get("class") or "").split()
        if "node" in classes:
            nodes.append(g)
        elif "edge" in classes:
            edges.append(g)
    return nodes, edges


needs_dot = pytest.mark.skipif(not render.dot_available(), reason="Graphviz's dot is not installed")


# ---------------------------------------------------------------- View


def test_view_bundle_and_text():
    view = render.heatmap(torch.tensor([[0.0, 1.0], [1.0, 0.0]]), "𝟚", ["𝟚"])
    bundle = view._repr_mimebundle_()
    assert bundle["text/plain"] == str(view) == repr(view)
    assert "text/html" in bundle
    assert set(view._repr_mimebundle_(include={"text/plain"})) == {"text/plain"}
    assert "text/html" not in view._repr_mimebundle_(exclude={"text/html"})


def test_render_imports_no_jupyter():
    import subprocess
    import sys
    code = ("import sys, cajal.render, cajal.widgets; "
            "bad = [m for m in ('IPython', 'ipywidgets', 'ipykernel', 'torch') if m in sys.modules]; "
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ---------------------------------------------------------------- basis names


def test_basis_names():
    assert render.basis_names(parse_type("𝟚"), 10) == ["tt", "ff"]
    assert render.basis_names(parse_type("ℕ"), 4) == ["0", "1", "2", "3"]
    assert render.basis_names(parse_type("𝟚 ⊸ 𝟚"), 10) == ["tt↦tt", "ff↦tt", "tt↦ff", "ff↦ff"]
    names = render.basis_names(parse_type("𝟚 ⊸ 𝟚 ⊸ 𝟚"), 10)
    assert len(names) == 8 and names[0] == "tt↦(tt↦tt)" and names[-1] == "ff↦(ff↦ff)"
    assert render.basis_names(parse_type("(𝟚 ⊸ 𝟚) ⊸ 𝟚"), 10)[1] == "(ff↦tt)↦tt"
    assert render.dim(parse_type("ℕ ⊸ 𝟚"), 7) == 14


# ---------------------------------------------------------------- heatmaps (worked examples, LANGUAGE.md §5)


def test_heatmap_not():
    view = render.heatmap(torch.tensor([[0.0, 1.0], [1.0, 0.0]]), "𝟚", [("x", "𝟚")], title="not")
    cells = Cells(view.html)
    assert {"tt", "ff"} <= set(cells.headers)
    assert cells.value("tt", "tt") == 0 and cells.value("tt", "ff") == 1
    assert cells.value("ff", "tt") == 1 and cells.value("ff", "ff") == 0
    assert [text for _, text in cells.cells] == ["0", "1", "1", "0"]  # small: numbers in the cells
    assert "not" in view.text and "x : 𝟚" in view.text
    lines = view.text.splitlines()
    assert lines[-2].split() == ["tt", "0", "1"] and lines[-1].split() == ["ff", "1", "0"]
    assert "cj-legend" in view.html and "#b2182b" in view.html  # diverging scale, with a legend


def test_heatmap_and_as_matrix_with_blocks():
    m = torch.tensor([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0], [1.0, 1.0]])  # columns: and tt = id, and ff = const ff
    view = render.heatmap(m, "𝟚 ⊸ 𝟚", [("x", "𝟚")])
    cells = Cells(view.html)
    for label in ("tt↦tt", "ff↦tt", "tt↦ff", "ff↦ff", "↦tt", "↦ff"):  # names and their blocks
        assert label in cells.headers
    assert [cells.value(r, "tt") for r in ("tt↦tt", "ff↦tt", "tt↦ff", "ff↦ff")] == [1, 0, 0, 1]
    assert [cells.value(r, "ff") for r in ("tt↦tt", "ff↦tt", "tt↦ff", "ff↦ff")] == [0, 0, 1, 1]
    assert 'class="gt"' in view.html or "class=gt" in view.html  # a visible block boundary
    assert "2 blocks" in view.text


def test_heatmap_and_as_bilinear_slices():
    t = torch.zeros(2, 2, 2)
    t[1] = 1.0
    t[:, 0, 0] = torch.tensor([1.0, 0.0])  # T[:, tt, tt] = tt, all else ff
    view = render.heatmap(t, "𝟚", [("x", "𝟚"), ("y", "𝟚")], title="and")
    cells = Cells(view.html)
    assert "y = tt" in cells.captions and "y = ff" in cells.captions
    assert cells.value("tt", "tt", 0) == 1  # slice y = tt, x = tt: tt
    assert cells.value("tt", "tt", 1) == 0  # slice y = ff, x = tt: ff
    assert cells.value("ff", "ff", 0) == 1 and cells.value("ff", "ff", 1) == 1
    assert "y = tt:" in view.text and "y = ff:" in view.text


def test_heatmap_succ():
    s = torch.zeros(10, 10)
    for i in range(9):
        s[i + 1, i] = 1.0
    view = render.heatmap(s, "ℕ", [("n", "ℕ")])
    cells = Cells(view.html)
    assert [str(i) for i in range(10)] == [h for h in cells.headers if h.isdigit()][:10]
    assert cells.value("1", "0") == 1 and cells.value("9", "8") == 1 and cells.value("0", "9") == 0
    assert all(cells.value(str(r), "9") == 0 for r in range(10))  # succ 9 falls off: last column zero
    assert len(cells.cells) == 100


def test_heatmap_higher_order():
    # (λf:𝟚⊸𝟚. f tt) : (𝟚 ⊸ 𝟚) ⊸ 𝟚; the unit matrix "c↦r" applied to tt gives r when c = tt.
    m = torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]])
    view = render.heatmap(m, "𝟚", [("f", "𝟚 ⊸ 𝟚")])
    cells = Cells(view.html)
    for label in ("tt↦tt", "ff↦tt", "tt↦ff", "ff↦ff"):
        assert label in cells.headers
    assert cells.value("tt", "tt↦tt") == 1 and cells.value("ff", "tt↦ff") == 1
    assert cells.value("tt", "ff↦tt") == 0 and cells.value("ff", "ff↦ff") == 0


def test_heatmap_hover_is_exact_and_colours_diverge():
    view = render.heatmap(torch.tensor([[0.123456789, -2.0], [0.0, 2.0]], dtype=torch.float64), "𝟚", ["𝟚"])
    cells = Cells(view.html)
    assert cells.value("tt", "tt") == 0.123456789
    assert "0.123" in [text for _, text in cells.cells]
    assert "#f7f7f7" in view.html  # 0 is white
    assert "#2166ac" in view.html  # -max is the blue end
    assert "−2" in view.html and "+2" in view.html  # legend range


def test_heatmap_vector_and_mismatch():
    v = render.heatmap(torch.tensor([0.0, 1.0]), "𝟚")
    assert Cells(v.html).value("ff", "value") == 1
    bad = render.heatmap(torch.ones(3, 2), "𝟚", ["𝟚"])
    assert "does not match" in bad.text or "labelled by index" in bad.text


def test_heatmap_large_is_summarised():
    """(How fast, against a small heatmap: benchmarks/bench_guards.py.)"""
    big = torch.randn(1000, 1000)
    view = render.heatmap(big, "ℕ ⊸ ℕ ⊸ ℕ", ["ℕ ⊸ ℕ ⊸ ℕ"])
    assert "block" in view.text and "1000×1000" in view.text and "Frobenius norm" in view.text
    assert len(view.html) < 200_000
    assert "↦(↦0)" in view.html  # blocks follow the type's grouping


# ---------------------------------------------------------------- compiled views


def _fake(tensor, type_, free=(), linear=True, matrix=None):
    return SimpleNamespace(tensor=tensor, matrix=matrix, type=parse_type(type_), free=free, linear=linear, nat_dim=10)


def test_compiled_view_closed_function_uses_matrix():
    c = _fake(None, "𝟚 ⊸ 𝟚", matrix=torch.tensor([[0.0, 1.0], [1.0, 0.0]]))
    view = render.compiled_view(c, title="not")
    assert Cells(view.html).value("tt", "ff") == 1
    assert "one-hot" not in view.text


def test_compiled_view_open_term_names_its_inputs():
    c = _fake(torch.tensor([[0.0, 1.0], [1.0, 0.0]]), "𝟚", free={"x": parse_type("𝟚")})
    view = render.compiled_view(c)
    assert "x : 𝟚" in view.text


def test_compiled_view_nonlinear_caveat():
    c = _fake(None, "(𝟚 ⊸ 𝟚) ⊸ 𝟚", linear=False, matrix=torch.zeros(2, 4))
    view = render.compiled_view(c)
    assert "describes one-hot inputs only" in view.text and "describes one-hot inputs only" in view.html


def test_compiled_view_abstract_type():
    def boom():
        raise CajalError("no finite dimension")
    c = SimpleNamespace(type=parse_type("Image ⊸ Image"), free=(), linear=True,
                        tensor=property(boom), matrix=None, nat_dim=10)
    view = render.compiled_view(c)
    assert "Image" in view.text and "no finite dimension" in view.text


def test_curried_view_gives_slices_per_parameter():
    m = torch.tensor([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0], [1.0, 1.0]])  # and, as a (4, 2) matrix
    view = render.curried_view(m, parse_type("𝟚 ⊸ 𝟚 ⊸ 𝟚"), ["x", "y"])
    cells = Cells(view.html)
    assert "y = tt" in cells.captions
    assert cells.value("tt", "tt", 0) == 1 and cells.value("tt", "tt", 1) == 0
    assert cells.value("ff", "ff", 1) == 1


@pytest.mark.parametrize("src,row,col,value", [
    (NOT, "tt", "ff", 1), (NOT, "tt", "tt", 0), (SUCC, "3", "2", 1), (SUCC, "0", "9", 0),
    (HIGHER, "tt", "tt↦tt", 1), (HIGHER, "ff", "tt↦ff", 1), (HIGHER, "tt", "ff↦tt", 0),
])
def test_compiled_view_with_the_compiler(src, row, col, value):
    view = render.compiled_view(cajal.compile(parse_term(src)))
    assert Cells(view.html).value(row, col) == value


def test_compiled_view_and_with_the_compiler():
    view = render.compiled_view(cajal.compile(parse_term(AND)))
    cells = Cells(view.html)
    assert [cells.value(r, "tt") for r in ("tt↦tt", "ff↦tt", "tt↦ff", "ff↦ff")] == [1, 0, 0, 1]
    assert [cells.value(r, "ff") for r in ("tt↦tt", "ff↦tt", "tt↦ff", "ff↦ff")] == [0, 0, 1, 1]


# ---------------------------------------------------------------- graphs


@needs_dot
def test_graph_not():
    view = render.graph(NOT, name="not", params=["x"])
    nodes, edges = svg_counts(view.svg)
    assert len(nodes) == 5 and len(edges) == 4  # x, ff, tt → if → not
    assert "parameter" in view.svg and "gate" in view.svg and "not : 𝟚" in view.svg
    assert "image/svg+xml" in view._repr_mimebundle_()


@needs_dot
def test_graph_iter_has_back_edge():
    view = render.graph(PARITY)
    nodes, edges = svg_counts(view.svg)
    assert len(nodes) == 8 and len(edges) == 8
    back = [e for e in edges if "back" in e.get("class").split()]
    assert len(back) == 1 and back[0].get("id") == "backedge1"
    assert sum("state" in n.get("class").split() for n in nodes) == 1
    assert "Σ nᵢ·hᵢ" in view.svg and "h₀" in view.svg


@needs_dot
@pytest.mark.parametrize("n", [10, 4])
def test_graph_unrolled_has_n_states(n):
    view = render.graph(PARITY, unroll=True, nat_dim=n)
    nodes, edges = svg_counts(view.svg)
    states = [g for g in nodes if "state" in g.get("class").split()]
    assert len(states) == n
    assert [g.get("id") for g in states] == [f"state1_{i}" for i in range(n)]
    assert not any("back" in e.get("class").split() for e in edges)
    # input n, base tt, the step W (y, ff, tt, if, W), N states, readout, output
    assert len(nodes) == 2 + 5 + n + 2
    # step: 3 into if + if→W; base→h₀; N−1 transitions; N into the readout; count; output
    assert len(edges) == 4 + 1 + (n - 1) + n + 1 + 1


@needs_dot
def test_graph_higher_order_and_inline_matrix():
    view = render.graph(f"({HIGHER}) ({NOT})")
    nodes, edges = svg_counts(view.svg)
    assert len(nodes) == 11 and len(edges) == 10
    assert view.text.count("(layer) apply : 𝟚 layer W (2×4)") == 1 and "weights (2×2)" in view.svg
    inline = render.graph(f"({NOT}) tt")
    assert "layer W (2×2)" in inline.dot and "<table" in inline.dot  # the 2×2 matrix, inline


@needs_dot
def test_graph_dilation_with_abstract_type():
    view = render.graph(DILATE, types=["Image"], name="dilate", params=["step", "img", "n"])
    nodes, edges = svg_counts(view.svg)
    assert len(nodes) == 7 and len(edges) == 7
    assert any("repeat" in e.get("class").split() for e in edges)  # step runs every iteration
    assert "every step" in view.svg and "dilate : Image" in view.svg


@needs_dot
def test_graph_of_a_definition_name_with_defs():
    view = render.graph("not", defs={"not": parse_term(NOT)})
    assert "not : 𝟚 ⊸ 𝟚" in view.text and "x : 𝟚" in view.text
    use = render.graph("λb:𝟚. not b", defs={"not": parse_type("𝟚 ⊸ 𝟚")})
    assert "definition" in use.text


def test_graph_without_dot(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no `dot`
    view = render.graph(PARITY)
    assert view.svg is None
    first = view.text.splitlines()[0]
    assert "apt-get install graphviz" in first and "conda install graphviz" in first
    assert "state h" in view.text and "back-edge" in view.text  # the text fallback
    assert "apt-get install graphviz" in view.html
    assert "Traceback" not in view.text


def test_graph_type_error_is_an_error_view():
    view = render.graph("λx:𝟚. x x")
    assert view.kind == "error" and "not a function" in view.text


# ---------------------------------------------------------------- derivations


@pytest.mark.parametrize("src,rules", [
    ("tt", ["tt"]),
    ("zero", ["zero"]),
    ("3", ["num"]),
    (NOT, ["λ", "if", "var", "ff", "tt"]),
    (AND, ["λ", "λ", "if", "var", "var", "if", "var", "ff", "ff"]),
    (SUCC, ["λ", "succ", "var"]),
    ("(λx:𝟚. x) tt", ["app", "λ", "var", "tt"]),
    (PARITY, ["λ", "iter", "var", "tt", "if", "var", "ff", "tt"]),
    ("let x = tt in x", ["let", "tt", "var"]),
])
def test_derivation_rules(src, rules):
    view = render.derivation(src)
    assert view.rules == rules  # conclusion first, then each premise's
    import re
    in_text = [re.search(r"   \(([^()\s]+)\)(   Δ.*)?$", line).group(1) for line in view.text.splitlines()[1:]]
    assert in_text == rules
    in_html = [part.split('"')[0] for part in view.html.split('data-rule="')[1:]]
    assert sorted(in_html) == sorted(rules)


def test_derivation_shows_judgements_and_splits():
    view = render.derivation("λf:𝟚 ⊸ 𝟚. λx:𝟚. f x")
    assert "f:𝟚 ⊸ 𝟚, x:𝟚 ⊢ f x : 𝟚" in view.text
    assert "Δ₁ = f ∘ Δ₂ = x" in view.text and "Δ₁ = f ∘ Δ₂ = x" in view.html
    assert "∅ ⊢ λf:𝟚 ⊸ 𝟚. λx:𝟚. f x : (𝟚 ⊸ 𝟚) ⊸ 𝟚 ⊸ 𝟚" in view.text


def test_derivation_iter_captured_and_defs_and_ctx():
    view = render.derivation(DILATE, types=["Image"])
    assert "Δ₃ = step" in view.text and "every step" in view.text
    d = render.derivation("not tt", defs={"not": parse_type("𝟚 ⊸ 𝟚")})
    assert d.rules == ["app", "def", "tt"]
    o = render.derivation("if x then y else y", ctx={"x": "𝟚", "y": "ℕ"})
    assert o.rules == ["if", "var", "var", "var"] and "x:𝟚, y:ℕ ⊢" in o.text


def test_derivation_of_ill_typed_term_is_an_error_view():
    view = render.derivation("λx:𝟚. if x then x else tt")
    assert view.kind == "error"


# ---------------------------------------------------------------- traces


def test_trace_rules_in_order():
    assert render.trace(f"({NOT}) tt").rules == ["β", "if-tt"]
    assert render.trace(f"({NOT}) ff").rules == ["β", "if-ff"]
    parity = render.trace("iter{tt | y ↪ if y then ff else tt}(2)")
    assert parity.rules == ["iter-succ", "if-tt", "iter-succ", "if-ff", "iter-zero"]
    assert render.trace("succ ((λx:ℕ. x) 2)").rules == ["β", "succ"]
    assert render.trace("not tt", defs={"not": parse_term(NOT)}).rules == ["δ", "β", "if-tt"]
    assert render.trace("let x = tt in x").rules == ["β"]


def test_trace_highlights_the_redex():
    view = render.trace("iter{tt | y ↪ if y then ff else tt}(1)")
    marks = [part.split(">", 1)[1].split("</mark>")[0] for part in view.html.split('<mark class="cj-redex"')[1:]]
    assert marks == ["iter{tt | y ↪ if y then ff else tt}(1)", "if tt then ff else tt",
                     "iter{ff | y ↪ if y then ff else tt}(0)"]
    lines = view.text.splitlines()
    assert lines[2].split()[1] == "if-tt" and "«if tt then ff else tt»" in lines[2]
    assert lines[-1].split() == ["value", "ff"]
    nested = render.trace("succ ((λx:ℕ. x) 2)")
    assert "succ «((λx:ℕ. x) 2)»" in nested.text  # brackets kept, the redex inside them


def test_trace_of_a_value_and_a_long_trace():
    assert "already a value" in render.trace("tt").text
    long = render.trace("iter{tt | y ↪ if y then ff else tt}(400)")
    assert len(long.rules) == 801 and "steps not shown" in long.text


def test_a_trace_is_bounded_and_says_where_it_stopped():
    """A long reduction keeps its first and last KEEP steps and the count; the view shows some
    of them, each row abbreviated around its redex, and says where it stopped."""
    import importlib
    trace_module = importlib.import_module("cajal.render.trace")
    long = render.trace("iter{tt | y ↪ if y then ff else tt}(3000)")  # 6,001 steps
    assert long.count == 6001 and len(long.steps) == 2 * trace_module.KEEP
    assert long.steps[-1].term == parse_term("tt") and long.text.splitlines()[-1].split() == ["value", "tt"]
    numbered = long.reduction.numbered()
    assert [i for i, _, _ in numbered[999:1001]] == [999, 5001]  # the gap between head and tail
    assert "5,751 steps not shown" in long.text  # 6,001 − 200 shown first − 50 shown last
    stopped = render.trace("iter{tt | y ↪ if y then ff else tt}(100)", limit=50)
    assert stopped.count == 50 and "stopped after 50 steps" in stopped.text and "`:eval`" in stopped.text
    deep = " ".join(["if tt then"] * 1900) + " tt" + " else ff" * 1900  # each row is 34k characters
    view = render.trace(deep)
    assert view.count == 1900 and len(view.text) + len(view.html) < 1_000_000
    assert max(len(line) for line in view.text.splitlines()) < 2 * trace_module.ROW_SIDE + 200


# ---------------------------------------------------------------- errors


def _error(src: str) -> CajalError:
    try:
        items = parse_cell(src)
        cajal.check(items[0].term)
    except CajalError as err:
        return err
    raise AssertionError("no error")


def test_error_view_marks_both_uses_of_a_linear_variable():
    err = _error("λx:𝟚. λf:𝟚 ⊸ 𝟚 ⊸ 𝟚. f x x")
    view = render.error_view(err)
    assert isinstance(err, CajalTypeError) and view.text == str(err)
    assert '<mark class="cj-main">' in view.html and '<mark class="cj-rel">' in view.html
    main = view.html.split('<mark class="cj-main">')[1].split("</mark>")[0]
    rel = view.html.split('<mark class="cj-rel">')[1].split("</mark>")[0]
    assert main == "x" and rel == "x"
    assert "hint" in view.html


def test_error_view_without_source():
    view = render.error_view(CajalError("something went wrong"))
    assert "something went wrong" in view.text and "something went wrong" in view.html


# ---------------------------------------------------------------- definitions


class _Def:
    def __init__(self, name, src, type_, compiled):
        self.name, self.source, self.type = name, src, parse_type(type_)
        self.term = parse_term(src.split("=", 1)[1])
        self.params, self.nat_dim = (), 10
        self._compiled = compiled

    def compiled(self):
        if isinstance(self._compiled, Exception):
            raise self._compiled
        return self._compiled


def test_definition_view_shows_type_source_and_weights():
    c = _fake(None, "𝟚 ⊸ 𝟚", matrix=torch.tensor([[0.0, 1.0], [1.0, 0.0]]))
    view = render.definition_view(_Def("not", f"def not = {NOT}", "𝟚 ⊸ 𝟚", c))
    assert view.text.startswith("not : 𝟚 ⊸ 𝟚")
    assert "def not = λx:𝟚." in view.html
    assert Cells(view.html).value("tt", "ff") == 1


def test_definition_view_when_compiling_fails():
    d = _Def("big", "def big = λn:ℕ. n", "ℕ ⊸ ℕ", CajalError("numeral 12 does not fit: raise nat_dim"))
    view = render.definition_view(d)
    assert "no weights: numeral 12 does not fit" in view.text and "raise nat_dim" in view.html


def test_definition_view_from_a_session():
    session = cajal.Session()
    session.run("def and (x : 𝟚) (y : 𝟚) : 𝟚 = if x then y else (if y then ff else ff)")
    view = render.definition_view(session.definitions["and"])
    cells = Cells(view.html)
    assert "y = tt" in cells.captions and cells.value("tt", "tt", 0) == 1 and cells.value("tt", "tt", 1) == 0


# ---------------------------------------------------------------- every well-typed term can be drawn


def _size(term) -> int:
    from cajal.syntax import children
    return 1 + sum(_size(c) for c in children(term))


def test_random_terms_render_without_errors():
    from hypothesis import HealthCheck, given, settings
    from strategies import typed_terms

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(typed_terms(max_depth=4))
    def check(drawn):
        term, ty, ctx = drawn
        d = render.derivation(term, ctx=ctx)
        assert d.kind == "derivation" and len(d.rules) == _size(term)
        g = render.graph(term, ctx=ctx, nat_dim=6)
        assert g.kind == "graph"
        if g.svg is not None:
            nodes, _ = svg_counts(g.svg)
            assert sum("output" in n.get("class").split() for n in nodes) == 1
        if not ctx:
            t = render.trace(term, limit=400)
            assert t.kind == "trace"
            if len(t.rules) < 400:
                assert t.text.splitlines()[-1].split()[0] == "value"

    check()


def test_render_basis_names_agree_with_encoding():
    from cajal import encoding
    for src in ("𝟚", "ℕ", "𝟚 ⊸ 𝟚", "ℕ ⊸ 𝟚 ⊸ 𝟚", "(𝟚 ⊸ ℕ) ⊸ 𝟚"):
        t = parse_type(src)
        assert render.basis_names(t, 5) == encoding.basis_names(t, 5)


class _Balance(HTMLParser):
    VOID = {"br", "hr", "img", "input", "meta", "link", "col", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()


def test_every_html_view_is_well_formed():
    views = [
        render.heatmap(torch.tensor([[0.0, 1.0], [1.0, 0.0]]), "𝟚", ["𝟚"], title="<not>", note="a & b"),
        render.heatmap(torch.randn(2, 4, 4), "𝟚", ["𝟚 ⊸ 𝟚", "𝟚 ⊸ 𝟚"]),
        render.heatmap(torch.randn(100, 100), "ℕ ⊸ ℕ", ["ℕ ⊸ ℕ"]),
        render.heatmap(torch.randn(300, 300), "ℕ", ["ℕ"], nat_dim=300),
        render.derivation(AND), render.derivation(DILATE, types=["Image"]),
        render.trace(f"({NOT}) tt"), render.trace("iter{tt | y ↪ if y then ff else tt}(300)"),
        render.error_view(_error("λx:𝟚. λf:𝟚 ⊸ 𝟚 ⊸ 𝟚. f x x")),
        render.text_view("a <b> c", title="t", note="n"),
    ]
    for view in views:
        checker = _Balance()
        checker.feed(view.html)
        checker.close()
        assert not checker.errors and checker.stack == [], (view.kind, checker.errors[:3], checker.stack[:5])
