"""The Cajal labextension in a real browser, in JupyterLab and Notebook 7: highlighting of Cajal
cells and `%%cajal` cells, Unicode input, live diagnostics, hover types and the Help entry.

Token classes are the `tok-*` classes the extension puts on every token (CodeMirror's
classHighlighter), and colours are the ones the page computes, so a theme that stops colouring
a token class fails here too.
"""

from __future__ import annotations

import json
import re

import nbformat
import pytest
from jupyter_ui import poll

UIS = ["lab", "notebook"]
NOT = "def not (x : 𝟚) : 𝟚 = if x then ff else tt"
HIGHLIGHTED = "-- a comment\ndef id (b : 𝟚) : 𝟚 = not (not b)\n:graph --unroll not\ntt"

# The classes and colour of the last token whose text is `text`, in cell `index`.
_TOKEN = """([index, text]) => {
  const cell = window.jupyterapp.shell.currentWidget.content.widgets[index];
  const spans = Array.from(cell.node.querySelectorAll('.cm-content span'))
    .filter(span => span.textContent === text && span.children.length === 0);
  const span = spans[spans.length - 1];
  return span ? {classes: span.className, color: getComputedStyle(span).color} : null;
}"""
_SET_SOURCE = """([index, text]) => {
  window.jupyterapp.shell.currentWidget.content.widgets[index].model.sharedModel.setSource(text);
}"""
_CELL = """(index) => {
  const model = window.jupyterapp.shell.currentWidget.content.widgets[index].model;
  return {source: model.sharedModel.getSource(), count: model.executionCount,
          outputs: model.outputs.length};
}"""


def _notebook(root, name: str, kernel: str, cells: list[str]) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": kernel}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    path = root / "editor" / name
    path.parent.mkdir(exist_ok=True)
    nbformat.write(nb, path)
    return f"editor/{name}"


@pytest.fixture(scope="module")
def notebooks(jupyter_server):
    root = jupyter_server.root
    return {
        "cajal": _notebook(root, "cajal.ipynb", "cajal", [NOT, "", "", "", ""]),
        "python": _notebook(root, "python.ipynb", "python3", ["%load_ext cajal_magic", "", "", ""]),
    }


def cell(nb, index: int):
    """The cell at `index` of the notebook on show (JupyterLab keeps other tabs in the DOM)."""
    return nb.page.locator(".jp-Notebook:visible .jp-Cell").nth(index)


def token(nb, index: int, text: str) -> dict:
    return poll(lambda: nb.page.evaluate(_TOKEN, [index, text]), 10, f"a token {text!r} in cell {index}")


def type_into(nb, index: int, text: str) -> None:
    """Click into cell `index` and type `text` key by key, as a user does."""
    cell(nb, index).locator(".cm-content").click()
    nb.page.keyboard.type(text)


def hovered(nb, word) -> str | None:
    """The type shown on hovering `word` (a locator), or None if none shows within a second."""
    from playwright.sync_api import TimeoutError as Timeout
    nb.page.mouse.move(0, 0)
    word.hover()
    shown = nb.page.locator(".cajal-hover-type")
    try:
        shown.first.wait_for(state="visible", timeout=1000)
    except Timeout:
        return None
    return shown.first.inner_text()


def check_highlighting(nb, index: int) -> None:
    plain = token(nb, index, "b")
    assert "tok-keyword" in token(nb, index, "def")["classes"]
    assert "tok-bool" in token(nb, index, "tt")["classes"]
    assert "tok-typeName" in token(nb, index, "𝟚")["classes"]
    assert "tok-comment" in token(nb, index, "-- a comment")["classes"]
    option = token(nb, index, "--unroll")
    assert "tok-attributeName" in option["classes"] and "tok-comment" not in option["classes"]
    assert "tok-meta" in token(nb, index, ":graph")["classes"]
    name = token(nb, index, "not")  # a user's name, though Haskell's Prelude has one
    assert "tok-keyword" not in name["classes"] and "tok-variableName" in name["classes"]
    # colours as the page computes them: keywords, types and options stand out, names don't
    for text in ("def", "𝟚", "--unroll"):
        assert token(nb, index, text)["color"] != name["color"], text
    assert plain["color"] == name["color"]


@pytest.mark.parametrize("ui", UIS)
def test_cajal_cells_are_highlighted_and_checked_live(open_notebook, notebooks, ui):
    nb = open_notebook(notebooks["cajal"], ui=ui)
    nb.run_all()
    nb.page.evaluate(_SET_SOURCE, [1, HIGHLIGHTED])
    check_highlighting(nb, 1)
    # a %%python cell is Python (Cajal has no strings)
    nb.page.evaluate(_SET_SOURCE, [4, "%%python\nname = 'text'"])
    assert "tok-string" in token(nb, 4, "'text'")["classes"]
    # the kernel's header rule decides (`cajal.cells`): without a header the cell is Cajal again,
    # and `%%python3` is Python too
    nb.page.evaluate(_SET_SOURCE, [4, "tt"])
    poll(lambda: "tok-bool" in token(nb, 4, "tt")["classes"], 10, "Cajal highlighting back")
    nb.page.evaluate(_SET_SOURCE, [4, "%%python3\ntt = 'text'"])
    poll(lambda: "tok-string" in token(nb, 4, "'text'")["classes"], 10, "%%python3 to be Python")

    # Unicode input: \lambda and a space become λ, \Nat and Tab ℕ
    type_into(nb, 2, "\\lambda ")
    poll(lambda: nb.page.evaluate(_CELL, 2)["source"] == "λ ", 5, "\\lambda + space to become λ")
    nb.page.keyboard.type("\\Nat")
    nb.page.keyboard.press("Tab")
    poll(lambda: nb.page.evaluate(_CELL, 2)["source"] == "λ ℕ", 5, "\\Nat + Tab to become ℕ")

    # a type error appears while typing, on `x`, without running the cell; fixing it removes it
    nb.page.evaluate(_SET_SOURCE, [2, ""])
    type_into(nb, 2, "def f (x : 𝟚) : 𝟚 = tt")
    edited = cell(nb, 2)
    underlined = edited.locator(".cm-lintRange-error")
    underlined.first.wait_for(state="visible", timeout=3000)
    assert "x" in underlined.first.inner_text()
    underlined.first.hover()
    tooltip = nb.page.locator(".cm-tooltip-lint")
    tooltip.wait_for(state="visible", timeout=5000)
    assert "`x` is never used" in tooltip.inner_text() and "hint:" in tooltip.inner_text()
    assert nb.page.evaluate(_CELL, 2) == {"source": "def f (x : 𝟚) : 𝟚 = tt", "count": None, "outputs": 0}
    for _ in "tt":
        nb.page.keyboard.press("Backspace")
    nb.page.keyboard.type("x")
    underlined.first.wait_for(state="detached", timeout=3000)
    nb.screenshot("live-check")

    # hovering a name shows its type (from the session: `not` was defined by running cell 0)
    type_into(nb, 3, "not tt")
    poll(lambda: token(nb, 3, "not"), 5, "the cell to be highlighted")
    word = cell(nb, 3).locator(".cm-content span").filter(has_text=re.compile(r"^not$")).first
    assert poll(lambda: hovered(nb, word), 10, "the type of `not` on hover") == "not : 𝟚 ⊸ 𝟚"
    # nothing ran: no execution count, no output, in any cell but the first
    for index in (1, 2, 3):
        assert nb.page.evaluate(_CELL, index)["count"] is None


@pytest.mark.parametrize("ui", UIS)
def test_cajal_magic_cells_in_python(open_notebook, notebooks, ui):
    nb = open_notebook(notebooks["python"], ui=ui)
    nb.run_all()
    nb.page.evaluate(_SET_SOURCE, [1, "%%cajal\n" + NOT + "\n" + HIGHLIGHTED])
    assert "tok-meta" in token(nb, 1, "%%cajal")["classes"]
    check_highlighting(nb, 1)
    # without the magic line the cell is Python again
    nb.page.evaluate(_SET_SOURCE, [1, "tt = 1\n" + NOT])
    poll(lambda: "tok-bool" not in token(nb, 1, "tt")["classes"], 5, "Python highlighting back")
    assert "tok-typeName" not in token(nb, 1, "𝟚")["classes"]

    type_into(nb, 2, "%%cajal\ndef f (x : 𝟚) : 𝟚 = tt")
    underlined = cell(nb, 2).locator(".cm-lintRange-error")
    underlined.first.wait_for(state="visible", timeout=3000)
    assert "x" in underlined.first.inner_text()
    assert nb.page.evaluate(_CELL, 2)["count"] is None


@pytest.mark.parametrize("ui", UIS)
def test_help_entry_opens_the_language_reference(open_notebook, notebooks, ui):
    nb = open_notebook(notebooks["cajal"], ui=ui)
    nb.menu("Help", "Cajal Language Reference")
    reference = nb.page.locator(".cajal-reference")
    reference.wait_for(state="visible", timeout=10_000)
    assert "λ" in reference.inner_text() and reference.locator("h1, h2").count() > 3
    nb.screenshot("help")


def put_settings(server, values: dict) -> None:
    """Save the extension's user settings through the server (as the Settings Editor does)."""
    import urllib.request
    request = urllib.request.Request(
        f"{server.url}/lab/api/settings/cajal-jupyterlab:plugin", method="PUT",
        data=json.dumps({"raw": json.dumps(values)}).encode(),
        headers={"Authorization": f"token {server.token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10):
        pass


def test_unicode_input_and_live_check_can_be_turned_off(jupyter_server, open_notebook, notebooks):
    put_settings(jupyter_server, {"unicodeInput": False, "liveDiagnostics": False})
    try:
        nb = open_notebook(notebooks["cajal"], ui="lab")
        nb.page.evaluate(_SET_SOURCE, [4, ""])
        typed = "(λb:𝟚. b) tt -- \\lambda stays\ndef f (x : 𝟚) : 𝟚 = tt"
        type_into(nb, 4, typed)
        assert nb.page.evaluate(_CELL, 4)["source"] == typed  # no λ
        # the kernel has answered (hover types are still on), and no diagnostic is shown
        word = cell(nb, 4).locator(".cm-content span").filter(has_text=re.compile(r"^b$")).last
        assert poll(lambda: hovered(nb, word), 10, "the type of `b` on hover") == "b : 𝟚"
        assert cell(nb, 4).locator(".cm-lintRange-error").count() == 0
    finally:
        put_settings(jupyter_server, {})


def test_extension_is_enabled(jupyter_server):
    """`jupyter labextension list` (with the test server's paths) shows it enabled and OK."""
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "jupyter", "labextension", "list"], env=jupyter_server.env,
                         capture_output=True, text=True, timeout=120, check=True)
    line = next(line for line in (out.stdout + out.stderr).splitlines() if "cajal-jupyterlab" in line)
    assert "enabled" in line and "OK" in line, line
