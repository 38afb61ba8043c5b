"""One view per result: the HTML is the rich view alone (it never repeats the plain text), and
`text/plain` is complete on its own, for terminals (value, type and compiled vector; the
trace of `:step`). Types print as Cajal."""

from __future__ import annotations

import html
import re

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from cajal.session import Session
from cajal.syntax import BOOL, NAT, Abstract, Arrow

DEFS = """def not (x : 𝟚) : 𝟚 = if x then ff else tt
def parity (n : ℕ) : 𝟚 = iter{tt | y ↪ not y}(n)
"""


def visible_text(markup: str) -> str:
    """What a browser shows of an HTML fragment: no styles, no tags, entities decoded."""
    markup = re.sub(r"<style.*?</style>", "", markup, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def results(cell: str):
    return Session().run(DEFS + cell)[2:]


def test_types_print_as_cajal():
    t = Arrow(BOOL, NAT)
    assert str(t) == "𝟚 ⊸ ℕ" and f"{t}" == "𝟚 ⊸ ℕ"
    assert str(Arrow(Arrow(BOOL, BOOL), Abstract("Image"))) == "(𝟚 ⊸ 𝟚) ⊸ Image"
    assert repr(t) == "Arrow(dom=BoolType(), cod=NatType())"  # repr stays structural
    assert str(Session().run(DEFS)[1].type) == "ℕ ⊸ 𝟚"


def test_a_bare_term_shows_value_type_and_vector_in_plain_text():
    (term,) = results("parity 3")
    bundle = term._repr_mimebundle_()
    assert bundle["text/plain"] == "ff : 𝟚\n[0, 1]"
    assert visible_text(bundle["text/html"]).count("ff : 𝟚") == 1


def test_a_function_term_shows_its_matrix_in_plain_text():
    (term,) = results("not")
    assert term._repr_mimebundle_()["text/plain"].splitlines()[1:] == ["[[0, 1],", " [1, 0]]"]


@pytest.mark.parametrize("directive", [":matrix parity", ":derive not tt", ":trace not (not tt)",
                                       ":graph parity", ":equiv not ≡ λx:𝟚. x", ":decompile parity"])
def test_a_directive_shows_its_view_alone(directive):
    (result,) = results(directive)
    bundle = result._repr_mimebundle_()
    view = result.view._repr_mimebundle_()
    assert bundle["text/plain"].strip()
    for mime in ("text/html", "image/svg+xml"):
        assert bundle.get(mime) == view.get(mime)  # nothing put in front of the view


def test_step_in_a_terminal_shows_the_trace():
    (step,) = results(":step parity 2")
    plain = step._repr_mimebundle_()["text/plain"]
    assert "iter-succ" in plain and "iter-zero" in plain and plain.rstrip().endswith("tt")


# ---------------------------------------------------------------------------- the magic


@pytest.fixture(scope="module")
def ip():
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "cajal_magic")
    from cajal_magic import reset_session
    reset_session(shell)
    shell.run_cell("%%cajal\n" + DEFS, store_history=False)
    return shell


def value(ip, cell: str):
    with capture_output():
        result = ip.run_cell(cell, store_history=False)
    assert result.error_in_exec is None and result.error_before_exec is None
    return result.result


@pytest.mark.parametrize("options, plain", [
    ("", "ff : 𝟚\n[0, 1]"),
    ("--show tensor", "[0, 1]"),
    ("--show value,tensor", "ff\n[0, 1]"),
    ("--show type", "parity 3 : 𝟚"),
    ("--ascii", "ff : Bool\n[0, 1]"),
])
def test_magic_plain_text_is_complete(ip, options, plain):
    shown = value(ip, f"%%cajal {options}\nparity 3")
    assert shown._repr_mimebundle_(include={"text/plain"})["text/plain"] == plain
    bundle = shown._repr_mimebundle_()
    assert bundle["text/plain"] == plain
    if options == "":
        assert visible_text(bundle["text/html"]).count("ff : 𝟚") == 1
    if options == "--show tensor":
        assert ": 𝟚" not in visible_text(bundle["text/html"]).split("rows:")[0]


def test_magic_terminal_step_shows_the_trace(ip):
    with capture_output() as out:
        ip.run_cell("%%cajal\n:step parity 1", store_history=False)
    (bundle,) = [o.data for o in out.outputs]
    assert "iter-succ" in bundle["text/plain"] and "iter-zero" in bundle["text/plain"]


# ---------------------------------------------------------------------------- pictures that fit


def _text_boxes(svg: str, group: str):
    """(x0, y0, x1, y1) of every <text> in the SVG's groups of class `group` (estimated from
    its anchor, font size and length, as Graphviz places it)."""
    import xml.etree.ElementTree as ET
    ns = "{http://www.w3.org/2000/svg}"
    boxes = []
    for g in ET.fromstring(svg).iter(f"{ns}g"):
        if group not in (g.get("class") or "").split():
            continue
        for t in g.iter(f"{ns}text"):
            size, x, y = float(t.get("font-size")), float(t.get("x")), float(t.get("y"))
            width = len("".join(t.itertext())) * size * 0.55
            x0 = {"middle": x - width / 2, "end": x - width}.get(t.get("text-anchor"), x)
            boxes.append((x0, y - size, x0 + width, y))
    return boxes


@pytest.mark.parametrize("cell", [":graph parity", ":graph --unroll parity",
                                  ":graph λf:𝟚 ⊸ 𝟚. λn:ℕ. iter{tt | y ↪ f y}(n)"])
def test_graph_labels_do_not_overlap_cluster_titles(cell):
    (result,) = results(cell)
    titles, labels = _text_boxes(result.view.svg, "cluster"), _text_boxes(result.view.svg, "edge")
    assert titles
    for a in titles:
        for b in labels:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_wide_pictures_fit_and_offer_their_full_size():
    (wide,) = results(":graph --unroll parity")
    html = wide._repr_mimebundle_()["text/html"]
    assert "max-width:100%;height:auto" in html  # scaled to the output, in proportion
    assert '<details class="cj-full">' in html and "full size" in html  # a click shows it all
    assert 'role="img" aria-label="neuron graph of parity' in html  # alt text
    (small,) = results(":graph not")
    assert "<details" not in small._repr_mimebundle_()["text/html"]


def test_a_wide_derivation_says_it_scrolls():
    session = Session()
    session.run("type Image\ndef dilate (step : Image ⊸ Image) (img : Image) (n : ℕ) : Image = "
                "iter{img | y ↪ step y}(n)")
    (wide,) = session.run(":derive λstep:Image ⊸ Image. λimg:Image. λn:ℕ. iter{img | y ↪ step y}(n)")
    assert "scroll sideways" in wide.view.html and "cj-wide" in wide.view.html
    (narrow,) = session.run(":derive tt")
    assert "scroll sideways" not in narrow.view.html
