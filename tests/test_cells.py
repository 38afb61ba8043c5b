"""The one cell-header classifier (`cajal.cells`), as the kernel, the magic's completer and the
editor's live check use it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cajal.cells import CAJAL, IPYTHON, PYTHON, Cell, cajal_body, classify


@pytest.mark.parametrize("code,cell", [
    ("not tt", Cell(CAJAL)),
    ("", Cell(CAJAL)),
    ("%%python\nx = 1", Cell(PYTHON, 9, 2, "%%python")),
    ("%%python", Cell(PYTHON, 8, 2, "%%python")),
    ("%%python  # a comment\nx = 1", Cell(PYTHON, 22, 2, "%%python  # a comment")),
    ("%%python3\nx = 1", Cell(PYTHON, 10, 2, "%%python3")),
    ("\n\n%%python3 #c\r\nx", Cell(PYTHON, 16, 4, "%%python3 #c")),
    ("\n%%cajal --ascii\ntt", Cell(CAJAL, 17, 3, "%%cajal --ascii")),
    ("%%cajal\ntt", Cell(CAJAL, 8, 2, "%%cajal")),
    ("%%cajalx\ntt", Cell(IPYTHON, 9, 2, "%%cajalx")),
    ("%%time\ntt", Cell(IPYTHON, 7, 2, "%%time")),
    ("%who", Cell(IPYTHON)),
    ("!ls", Cell(IPYTHON)),
    ("exit", Cell(IPYTHON)),
    ("quit()", Cell(IPYTHON)),
])
def test_cells_of_the_cajal_kernel(code, cell):
    assert classify(code) == cell


def test_python_with_options_is_refused_with_a_reason():
    cell = classify("%%python --bg\nx = 1")
    assert cell.kind == PYTHON and "--bg" in cell.problem and "%%python" in cell.problem
    assert classify("%%python # fine").problem is None


@pytest.mark.parametrize("code,kind", [
    ("%%cajal\ntt", CAJAL), ("  %%cajal --ascii\ntt", CAJAL), ("x = 1", PYTHON), ("%%python\nx", IPYTHON),
    ("%%time\nx", IPYTHON), ("%ls", IPYTHON),
])
def test_cells_of_a_python_notebook(code, kind):
    assert classify(code, notebook="python").kind == kind


def test_cajal_body():
    assert cajal_body("%%cajal\ntt", notebook="python") == 8
    assert cajal_body("x = 1", notebook="python") is None
    assert cajal_body("tt") == 0


def test_no_jupyter_import():
    code = "import sys, cajal.cells; print(sorted(m for m in sys.modules if m.split('.')[0] in " \
           "('IPython', 'ipykernel', 'jupyter_client', 'traitlets', 'torch')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
