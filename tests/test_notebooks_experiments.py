"""The experiment notebooks (04–08, one per family, and 09, the summary) run top to bottom in
quick mode, and the committed copies keep the outputs of a full run.

Each notebook is executed in memory (a copy: the committed file and its full-run outputs are
never written) with CAJAL_QUICK=1 and CAJAL_DEVICE=cpu, in the notebooks folder so that it
finds `experiments/`. Quick runs write no results (the summary reads the committed ones).
"""

from __future__ import annotations

import time
from pathlib import Path

import matplotlib  # noqa: F401  (a test dependency the notebooks need)
import nbclient
import nbformat
import pytest
import sklearn  # noqa: F401  (a test dependency the notebooks need)
import torch  # noqa: F401  (a test dependency the notebooks need)

from cajal_experiments import programs as P

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

# notebook, summary marker, figures, the %%cajal cells linked, the %%cajal cells rejected
CASES = [
    ("04-dilate.ipynb", "EXPERIMENT DILATE SUMMARY", 2, [P.DILATE], []),
    ("05-dilate-cond.ipynb", "EXPERIMENT DILATE_COND SUMMARY", 2, [P.DILATE_COND], [P.DILATE_COND_LITERAL]),
    ("06-blur.ipynb", "EXPERIMENT BLUR SUMMARY", 3, [P.BLUR], []),
    ("07-and.ipynb", "EXPERIMENT AND SUMMARY", 2, [P.AND, P.CHURCH], [P.AND_LITERAL, P.CHURCH_LITERAL]),
    ("08-eq.ipynb", "EXPERIMENT EQ SUMMARY", 2, [P.EQ], []),
    ("09-summary.ipynb", "EXPERIMENTS SUMMARY", 0, [], []),
]
QUICK_LIMIT_S = 240  # the target is 90 s on an idle 2-core machine; this leaves room for load


def _outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.get("outputs", [])


def _text(nb) -> str:
    parts = []
    for out in _outputs(nb):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif "text/plain" in out.get("data", {}):
            parts.append(out["data"]["text/plain"])
    return "\n".join(parts)


def _pngs(nb) -> int:
    return sum("image/png" in out.get("data", {}) for out in _outputs(nb))


def _rejects(cell) -> bool:
    return "raises-exception" in cell.metadata.get("tags", [])


def _errors_are_the_expected_rejections(nb):
    """Errors only where a cell is tagged raises-exception, and there exactly one: Cajal's, clean."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if _rejects(cell):
            assert len(errors) == 1 and errors[0]["ename"] == "CajalTypeError", cell.source
            assert "Traceback" not in "\n".join(errors[0]["traceback"]) and len(errors[0]["traceback"]) <= 6
        else:
            assert not errors, (cell.source, errors)


@pytest.mark.parametrize("name,marker,figures,linked,rejected", CASES)
def test_notebook_uses_the_tested_programs(name, marker, figures, linked, rejected):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("%%cajal")]

    def body(c):
        return c.source.split("\n", 1)[1].strip()
    assert [body(c) for c in cells if not _rejects(c)] == [s.strip() for s in linked]
    assert [body(c) for c in cells if _rejects(c)] == [s.strip() for s in rejected]
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name,marker,figures,linked,rejected", CASES)
def test_committed_notebook_keeps_a_full_run(name, marker, figures, linked, rejected):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    text = _text(nb)
    assert marker in text, "the committed notebook has no summary output: run it in full mode"
    assert "QUICK" not in text.split(marker, 1)[1].split("\n", 1)[0], "the committed outputs are from quick mode"
    assert _pngs(nb) >= figures
    _errors_are_the_expected_rejections(nb)


@pytest.mark.parametrize("name,marker,figures,linked,rejected", CASES)
def test_notebook_runs_in_quick_mode(name, marker, figures, linked, rejected, monkeypatch, tmp_path):
    monkeypatch.setenv("CAJAL_QUICK", "1")
    monkeypatch.setenv("CAJAL_DEVICE", "cpu")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    results = sorted((NOTEBOOKS / "results").glob("*.json"))
    before = [p.read_bytes() for p in results]
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    start = time.perf_counter()
    try:
        client.execute()
    finally:
        nbformat.write(nb, tmp_path / name)  # the executed copy, for inspection on failure
    seconds = time.perf_counter() - start
    print(f"{name}: {seconds:.0f} s in quick mode")
    text = _text(nb)
    assert marker in text
    if name != "09-summary.ipynb":
        summary = text.split(marker, 1)[1]
        assert summary.startswith(" (QUICK mode")
        assert "faster (indirect vs direct)" in summary
        assert any(v in summary for v in ("reproduced", "inconclusive"))
    assert _pngs(nb) >= figures, f"only {_pngs(nb)} figures"
    _errors_are_the_expected_rejections(nb)
    assert [p.read_bytes() for p in results] == before, "a quick run must not overwrite the full run's results"
    assert seconds < QUICK_LIMIT_S
