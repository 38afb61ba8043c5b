"""The tour (python3 kernel, `%%cajal`) and the semantics course (Cajal kernel) run top to
bottom in quick mode, on in-memory copies, and produce what they promise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbclient
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def _run(name: str, kernel: str, where: Path = NOTEBOOKS):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    nbclient.NotebookClient(nb, timeout=120, kernel_name=kernel,
                            resources={"metadata": {"path": str(where)}}).execute()
    return nb


def _outputs(cell):
    return cell.get("outputs", [])


def _text(cell) -> str:
    parts = []
    for out in _outputs(cell):
        parts.append(out.get("text", "") or out.get("data", {}).get("text/plain", ""))
        if out.get("output_type") == "error":
            parts.append("\n".join(out["traceback"]))
    return "\n".join(parts)


def _cell(nb, start: str):
    return next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith(start))


@pytest.fixture
def quick(monkeypatch):
    monkeypatch.setenv("CAJAL_QUICK", "1")


def test_tour(quick):
    nb = _run("01-tour.ipynb", "python3")
    errors = [o for c in nb.cells for o in _outputs(c) if o["output_type"] == "error"]
    assert not errors, "\n".join(errors[0]["traceback"])
    assert "not : 𝟚 ⊸ 𝟚" in _text(_cell(nb, "%%cajal\ndef not"))
    assert "tt : 𝟚" in _text(_cell(nb, "%%cajal\nand (not ff) tt"))
    assert any("image/svg+xml" in o.get("data", {}) for o in _outputs(_cell(nb, "%%cajal\n:graph parity")))
    training = _text(_cell(nb, "import torch.nn as nn"))
    accuracy = float(training.rsplit("accuracy ", 1)[1].rstrip("%\n"))
    assert accuracy > 90, training
    assert any("image/png" in o.get("data", {}) for o in _outputs(_cell(nb, "import matplotlib")))
    # trained from `not` towards the identity, the weights read back as the identity
    decompiled = _cell(nb, "not_.decompile(m)")
    assert "λx:𝟚. if x then tt else ff" in _text(decompiled)
    assert "weights − program" in decompiled.outputs[0]["data"]["text/html"]
    assert "≡ λx:𝟚. x" in _text(_cell(nb, "import cajal\nlearned"))


@pytest.fixture
def cajal_kernel(tmp_path, monkeypatch):
    subprocess.run([sys.executable, "-m", "cajal_kernel", "install", "--prefix", str(tmp_path)],
                   check=True, capture_output=True)
    data = tmp_path / "share" / "jupyter"
    monkeypatch.setenv("JUPYTER_PATH", str(data) + os.pathsep + os.environ.get("JUPYTER_PATH", ""))
    return "cajal"


# The modules only the tests install: a course notebook must run without them.
TEST_ONLY = ("hypothesis", "pytest", "jupyter_kernel_test", "strategies")


@pytest.fixture
def without_test_dependencies(tmp_path, monkeypatch):
    """Kernels started from here cannot import the test dependencies (a sitecustomize blocks
    them) and run in a folder outside the checkout, as for someone who installed the package
    with its `notebooks` extra and copied a notebook elsewhere."""
    block = tmp_path / "block"
    block.mkdir()
    (block / "sitecustomize.py").write_text(
        f"import sys\nsys.modules.update(dict.fromkeys({TEST_ONLY!r}))  # import X raises ImportError\n")
    path = [str(block), str(ROOT), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, path)))
    elsewhere = tmp_path / "course"
    elsewhere.mkdir()
    return elsewhere


def test_semantics_course(quick, cajal_kernel, without_test_dependencies):
    nb = _run("02-semantics.ipynb", cajal_kernel, where=without_test_dependencies)
    probe = subprocess.run([sys.executable, "-c", "import hypothesis"], capture_output=True, text=True)
    assert "ModuleNotFoundError" in probe.stderr or "ImportError" in probe.stderr  # the kernel had none
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in _outputs(cell) if o["output_type"] == "error"]
        if "raises-exception" in cell.metadata.get("tags", []):
            assert len(errors) == 1 and errors[0]["ename"] == "CajalTypeError", cell.source
            assert "^" in "\n".join(errors[0]["traceback"])  # the caret snippet, no Python traceback
            assert "Traceback" not in "\n".join(errors[0]["traceback"])
        else:
            assert not errors, (cell.source, errors and errors[0]["traceback"])
    assert "is used twice" in _text(_cell(nb, "λx:𝟚. if x then x else x"))
    assert "(if)" in _text(_cell(nb, ":derive λx:𝟚. λy:𝟚."))
    theorem = _text(_cell(nb, "%%python\nimport os\nimport cajal, torch"))
    assert "held on" in theorem and "held on 0 " not in theorem
    assert "tensor([0.0000, 0.0000, 0.3000, 0.0000, 0.0000, 0.7000])" in _text(_cell(nb, "%%python\nimport torch"))
    assert "≡ λx:𝟚. x" in _text(_cell(nb, ":equiv λx:𝟚. not (not x)"))
    assert "the smallest input where they differ: 0" in _text(_cell(nb, ":equiv λn:ℕ. parity (succ n)"))
    [check] = [c for c in nb.cells if "check" in c.metadata.get("tags", [])]
    assert check.metadata["nbgrader"]["grade"] and "or ≡" in _text(check)  # the solution passes its check
    assert "your `or` differs at `or ff tt`: yours gives `ff`, expected `tt`" in _text(_cell(nb, "%%python\nattempt"))
    solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    assert len(solutions) == 3 and all(c.metadata["jupyter"]["source_hidden"] for c in solutions)
