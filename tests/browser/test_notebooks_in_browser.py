"""Every notebook, Run All from the menu in JupyterLab and in Notebook 7 (the experiments in
quick mode, each in one of them), shows what it should: every code cell ran; no error except in cells tagged
`raises-exception`; no result shows its text twice; the unrolled graph fits the output area
and opens at full size on click; the stepper widget answers a click. And the launcher's Cajal
tile shows its logo."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

COURSE = ["01-tour.ipynb", "02-semantics.ipynb", "03-pictures.ipynb", "magic-smoke.ipynb"]
# The experiment notebooks train even in quick mode (CAJAL_QUICK=1, set by the server fixture):
# each runs in one of the two UIs, in turn, so that the suite stays near 5 minutes.
EXPERIMENTS = list(zip(["04-dilate.ipynb", "05-dilate-cond.ipynb", "06-blur.ipynb", "07-and.ipynb",
                        "08-eq.ipynb", "09-summary.ipynb"], ["lab", "notebook"] * 3))
CASES = [(name, ui) for name in COURSE for ui in ("lab", "notebook")] + EXPERIMENTS
# A typing judgement or result line ("ff : 𝟚", "parity : ℕ ⊸ 𝟚"): shown twice in a row, it is a
# result whose plain text was put in front of its rich view.
_JUDGEMENT = re.compile(r"\S.* : \S")

# The geometry of a cell's pictures: each picture's width and height, its SVG's own aspect
# ratio, and the width of the output area that holds it.
_PICTURES = """(index) => {
  const cell = window.jupyterapp.shell.currentWidget.content.widgets[index];
  cell.node.scrollIntoView();
  const area = cell.node.querySelector('.jp-OutputArea').getBoundingClientRect();
  return Array.from(cell.node.querySelectorAll('.jp-OutputArea-output svg, .jp-OutputArea-output img'))
    .map(pic => {
      const box = pic.getBoundingClientRect();
      const view = pic.viewBox && pic.viewBox.baseVal;
      return {width: box.width, height: box.height, area: area.width,
              ratio: view && view.width ? view.width / view.height : null};
    });
}"""


def test_every_notebook_is_run():
    here = {p.name for p in (Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb")}
    assert here == set(COURSE) | {name for name, _ in EXPERIMENTS}


def repeated_lines(text: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return [a for a, b in zip(lines, lines[1:]) if a == b and _JUDGEMENT.match(a)]


@pytest.mark.parametrize("name, ui", CASES)
def test_run_all(open_notebook, name, ui):
    notebook = open_notebook(f"notebooks/{name}", ui)
    cells = notebook.run_all()
    not_run = [c.index for c in cells if c.execution_count is None]
    assert not not_run, f"cells {not_run} did not run (Run All stopped early?)"
    for cell in cells:
        if "raises-exception" not in cell.tags:
            assert not cell.errors, f"cell {cell.index} failed:\n{cell.source}\n{cell.errors[0].text}"
        shown = "\n".join(o.text for o in cell.outputs)
        assert not repeated_lines(shown), f"cell {cell.index} shows a result twice:\n{shown[:600]}"
        if ":graph --unroll" in cell.source:
            check_fits(notebook, cell.index)
        if "widgets.stepper(" in cell.source or ":step " in cell.source:
            check_stepper_answers(notebook, cell.index)


def check_fits(notebook, index: int) -> None:
    """The unrolled graph fits the output area, in proportion; a click shows its full size."""
    (picture,) = notebook.page.evaluate(_PICTURES, index)
    assert 0 < picture["width"] <= picture["area"], picture
    assert picture["width"] / picture["height"] == pytest.approx(picture["ratio"], rel=0.02), picture
    notebook.screenshot(f"cell{index}-fit")
    notebook.cell_node(index).locator("details.cj-full > summary").click()
    notebook.page.wait_for_function(
        f"() => ({_PICTURES})({index})[0].width > {picture['width'] + 1}", polling=100, timeout=10_000)
    (full,) = notebook.page.evaluate(_PICTURES, index)
    assert full["width"] > full["area"], full  # the full size, in a frame that scrolls sideways
    notebook.screenshot(f"cell{index}-full")


def check_stepper_answers(notebook, index: int) -> None:
    """Clicking `next ▶` takes the stepper one step further."""
    cell = notebook.cell_node(index)
    button = cell.locator("button.jupyter-button", has_text="next")
    button.wait_for(state="visible", timeout=30_000)
    step = cell.locator(".widget-readout, .widget-slider .widget-readout").first
    before = int(step.inner_text())
    button.click()
    notebook.page.wait_for_function(
        "([node, before]) => parseInt(node.querySelector('.widget-readout').innerText) === before + 1",
        arg=[cell.element_handle(), before], polling=100, timeout=10_000)
    notebook.screenshot(f"cell{index}-stepped")


def test_launcher_tile_shows_the_cajal_logo(jupyter_server, page, take_screenshot):
    page.goto(jupyter_server.page_url("/lab?reset"))  # a fresh workspace: the launcher
    tile = page.locator(".jp-LauncherCard", has_text="Cajal").first
    tile.wait_for(state="visible", timeout=60_000)
    logo = tile.locator("img")
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=logo.element_handle(),
                           polling=100, timeout=20_000)
    assert "kernelspecs/cajal/logo" in logo.get_attribute("src")
    take_screenshot(page, "lab-launcher")
