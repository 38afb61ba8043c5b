"""The Cajal infoview in a real browser, in JupyterLab and Notebook 7: the side panel follows
typing and the cursor, highlights the heatmap axes the term at the cursor reads, links hovered
heatmap axes back to their source, and running a cell that defines a name clears another
cell's "unbound" diagnostic without that cell being edited."""

from __future__ import annotations

import time

import pytest
from jupyter_ui import poll
from test_editor import NOT, _notebook, cell, type_into

UIS = ["lab", "notebook"]

# What the panel shows: the type, the two halves of the context, the highlighted axes.
_PANEL = """() => {
  const panel = document.getElementById('cajal-infoview');
  if (!panel) return null;
  const text = sel => { const n = panel.querySelector(sel); return n ? n.innerText : null; };
  return {
    type: text('.cajal-infoview-type'), consumes: text('.cajal-infoview-consumes'),
    rest: text('.cajal-infoview-rest'), error: text('.cajal-infoview-error'),
    visible: panel.getBoundingClientRect().width > 0,
    highlight: Array.from(new Set(Array.from(panel.querySelectorAll('[data-cajal-hl]'))
      .map(n => n.getAttribute('data-cajal-axis')))).sort(),
  };
}"""


@pytest.fixture(scope="module")
def notebook(jupyter_server):
    return _notebook(jupyter_server.root, "infoview.ipynb", "cajal", [NOT, "", "", ""])


def panel(nb) -> dict:
    return nb.page.evaluate(_PANEL)


def show_panel(nb) -> None:
    nb.page.evaluate("() => window.jupyterapp.shell.activateById('cajal-infoview')")
    poll(lambda: panel(nb) and panel(nb)["visible"], 10, "the infoview panel to show")


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("ui", UIS)
def test_the_panel_follows_typing_and_the_cursor(open_notebook, notebook, take_screenshot, ui):
    nb = open_notebook(notebook, ui=ui)
    nb.run_all()
    show_panel(nb)

    type_into(nb, 1, "def g = λx:𝟚. not x")
    typed = time.monotonic()
    shown = poll(lambda: (p := panel(nb))["type"] == "𝟚" and p["consumes"] and "x : 𝟚" in p["consumes"] and p,
                 2, "the panel to show the type and context of `x`")
    assert time.monotonic() - typed < 2
    assert "x : 𝟚" in shown["consumes"] and poll(lambda: panel(nb)["highlight"] == ["x"], 5, "the axis of x")

    # the cursor from `x` to `not x` (the space inside the application): the rows light up too
    nb.page.keyboard.press("ArrowLeft")
    nb.page.keyboard.press("ArrowLeft")
    poll(lambda: panel(nb)["highlight"] == ["output", "x"], 2, "the highlighted block to change")
    assert panel(nb)["type"] == "𝟚"

    # hovering a variable of the context outlines its axis; hovering the term, the axes it reads
    nb.page.locator('#cajal-infoview [data-cajal-var="x"]').first.hover()
    poll(lambda: nb.page.locator("#cajal-infoview .cajal-hover-axis").count() > 0, 3, "x's axis outlined")
    nb.page.locator("#cajal-infoview .cajal-infoview-term code").hover()
    poll(lambda: nb.page.locator("#cajal-infoview.cajal-infoview-term-hover").count() == 1, 3, "the term's axes")

    # hovering a heatmap axis in the panel highlights the source it came from
    nb.page.locator('#cajal-infoview th[data-cajal-axis="output"]').first.hover()
    linked = cell(nb, 1).locator(".cajal-linked-source")
    linked.first.wait_for(state="visible", timeout=3000)
    assert linked.first.inner_text() == "not x"
    if ui == "lab":
        take_screenshot(nb.page, "infoview-panel")
    nb.page.mouse.move(0, 0)
    linked.first.wait_for(state="detached", timeout=3000)
    assert nb.page.evaluate("(i) => window.jupyterapp.shell.currentWidget.content.widgets[i].model.executionCount",
                            1) is None  # nothing ran


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("ui", UIS)
def test_defining_a_name_elsewhere_clears_unbound(open_notebook, notebook, ui):
    nb = open_notebook(notebook, ui=ui)
    nb.run_all()
    show_panel(nb)
    type_into(nb, 2, "f tt")
    underlined = cell(nb, 2).locator(".cm-lintRange-error")
    underlined.first.wait_for(state="visible", timeout=3000)
    assert poll(lambda: panel(nb)["error"], 3, "the panel to show the error").startswith("unbound variable `f`")

    type_into(nb, 3, "def f (b : 𝟚) : 𝟚 = b")
    nb.page.keyboard.press("Shift+Enter")  # run it: cell 2 is not touched
    underlined.first.wait_for(state="detached", timeout=5000)
    assert nb.page.evaluate("(i) => window.jupyterapp.shell.currentWidget.content.widgets[i].model.executionCount",
                            2) is None


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("ui", UIS)
def test_hovering_a_heatmap_block_or_a_graph_node_highlights_its_source(open_notebook, notebook, ui):
    nb = open_notebook(notebook, ui=ui)
    nb.run_all()
    type_into(nb, 1, ":matrix λy:𝟚. not y\n:graph λn:ℕ. iter{tt | b ↪ not b}(n)")
    nb.page.keyboard.press("Shift+Enter")
    output = cell(nb, 1).locator(".jp-OutputArea")
    rows = output.locator('th[data-cajal-axis="output"][data-cajal-span]').first
    rows.wait_for(state="visible", timeout=30_000)
    linked = cell(nb, 1).locator(".cajal-linked-source")
    rows.hover()
    linked.first.wait_for(state="visible", timeout=3000)
    assert linked.first.inner_text() == "not y"
    output.locator('th[data-cajal-axis="y"]').first.hover()
    poll(lambda: linked.count() == 1 and linked.first.inner_text() == "y", 3, "the parameter's source")
    layer = output.locator("g.layer[data-cajal-span]").first
    if layer.count():  # Graphviz drew the graph (without `dot` it is text)
        layer.hover()
        poll(lambda: linked.count() == 1 and linked.first.inner_text() == "not b", 3, "the layer's source")
    nb.page.mouse.move(0, 0)
    linked.first.wait_for(state="detached", timeout=3000)


# The luminance (0 dark … 1 light) of the panel's background and of its texts.
_CONTRAST = """() => {
  const lum = c => { const [r, g, b] = c.match(/[\\d.]+/g).map(Number);
                     return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255; };
  const panel = document.getElementById('cajal-infoview');
  const of = sel => lum(getComputedStyle(panel.querySelector(sel)).color);
  return {background: lum(getComputedStyle(panel).backgroundColor),
          type: of('.cajal-infoview-type'), consumes: of('.cajal-infoview-consumes')};
}"""


def put_theme(server, theme: str) -> None:
    import json
    import urllib.request
    request = urllib.request.Request(
        f"{server.url}/lab/api/settings/@jupyterlab/apputils-extension:themes", method="PUT",
        data=json.dumps({"raw": json.dumps({"theme": theme})}).encode(),
        headers={"Authorization": f"token {server.token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10):
        pass


@pytest.mark.browser
@pytest.mark.slow
def test_the_panel_reads_in_the_dark_theme(jupyter_server, open_notebook, notebook, take_screenshot):
    put_theme(jupyter_server, "JupyterLab Dark")
    try:
        nb = open_notebook(notebook, ui="lab")
        nb.run_all()
        show_panel(nb)
        type_into(nb, 1, "def g = λx:𝟚. not x")
        poll(lambda: panel(nb)["type"] == "𝟚", 5, "the panel to show the type")
        shades = nb.page.evaluate(_CONTRAST)
        assert shades["background"] < 0.3, shades  # the theme is dark, and so is the panel
        assert shades["type"] - shades["background"] > 0.4 and shades["consumes"] - shades["background"] > 0.4, shades
        take_screenshot(nb.page, "infoview-dark")
    finally:
        put_theme(jupyter_server, "JupyterLab Light")


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("ui", UIS)
def test_a_hole_shows_its_type(open_notebook, notebook, ui):
    """A typed hole is information, not an error: the cell is underlined as info, the panel at
    the hole shows its expected type and the variable it may use."""
    nb = open_notebook(notebook, ui=ui)
    nb.run_all()
    show_panel(nb)
    type_into(nb, 3, "def h (x : 𝟚) : 𝟚 = not ?g")
    cell(nb, 3).locator(".cm-lintRange-info").first.wait_for(state="visible", timeout=5000)
    assert cell(nb, 3).locator(".cm-lintRange-error").count() == 0
    nb.page.keyboard.press("ArrowLeft")  # the cursor inside `?g`
    shown = poll(lambda: (p := panel(nb))["type"] == "𝟚" and p["consumes"] and "x : 𝟚" in p["consumes"] and p,
                 5, "the panel to show the hole's type and the variable it may use")
    assert not shown["error"]
