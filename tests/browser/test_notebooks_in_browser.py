"""Every notebook, Run All from the menu in JupyterLab and in Notebook 7 (experiments in quick
mode), shows what it should: no error except in cells tagged `raises-exception`, and every
code cell ran."""

from __future__ import annotations

import pytest

NOTEBOOKS = ["01-tour.ipynb", "02-semantics.ipynb", "03-pictures.ipynb", "magic-smoke.ipynb"]


@pytest.mark.parametrize("ui", ["lab", "notebook"])
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_run_all(open_notebook, name, ui):
    notebook = open_notebook(f"notebooks/{name}", ui)
    cells = notebook.run_all()
    not_run = [c.index for c in cells if c.execution_count is None]
    assert not not_run, f"cells {not_run} did not run (Run All stopped early?)"
    for cell in cells:
        if "raises-exception" in cell.tags:
            continue
        assert not cell.errors, f"cell {cell.index} failed:\n{cell.source}\n{cell.errors[0].text}"
