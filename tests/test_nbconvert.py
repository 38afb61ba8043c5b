"""HTML export highlights Cajal: notebooks of the Cajal kernel (through the `cajal` Pygments
lexer named in language_info), and `%%cajal` cells of Python notebooks (through nbconvert's
HighlightMagicsPreprocessor, configured as docs/FRONTENDS.md says)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CAJAL_SOURCE = "def not (x : 𝟚) : 𝟚 = if x then ff else tt  -- negation\nnot (not tt)"
CAJAL_LANGUAGE_INFO = {"name": "cajal", "file_extension": ".cj", "mimetype": "text/x-cajal",
                       "pygments_lexer": "cajal", "codemirror_mode": "cajal"}


def cajal_notebook():
    return new_notebook(
        cells=[new_markdown_cell("# Cajal"), new_code_cell(CAJAL_SOURCE),
               new_code_cell("%%python\nimport torch  # python\nprint(not_(True))")],
        metadata={"kernelspec": {"name": "cajal", "display_name": "Cajal", "language": "cajal"},
                  "language_info": CAJAL_LANGUAGE_INFO})


def python_notebook():
    return new_notebook(
        cells=[new_code_cell("%load_ext cajal_magic"), new_code_cell("%%cajal\n" + CAJAL_SOURCE),
               new_code_cell("import torch\nprint(not_(True))")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                  "language_info": {"name": "python", "pygments_lexer": "ipython3",
                                    "codemirror_mode": {"name": "ipython", "version": 3}}})


def nbconvert_cli(path: Path, *args: str, env=None) -> str:
    out = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", *args, str(path),
                          "--output", "out"],
                         capture_output=True, text=True, timeout=180, env=env, cwd=path.parent)
    assert out.returncode == 0, out.stderr
    return (path.parent / "out.html").read_text("utf-8")


def cajal_highlighted(html: str) -> bool:
    """The Cajal lexer's classes on Cajal's tokens."""
    return all(re.search(pattern, html) for pattern in (
        r'<span class="kd">def</span>', r'<span class="nf">not</span>', r'<span class="kt">𝟚</span>',
        r'<span class="k">if</span>', r'<span class="k">then</span>', r'<span class="kc">ff</span>',
        r'<span class="c1">-- negation</span>'))


def test_cajal_notebook_html_highlights_cajal(tmp_path):
    path = tmp_path / "cajal.ipynb"
    nbformat.write(cajal_notebook(), path)
    html = nbconvert_cli(path)
    assert "hl-cajal" in html
    assert cajal_highlighted(html)
    assert 'class="err"' not in html  # nothing is marked as a lexing error
    # the %%python cell's body is highlighted as Python
    assert re.search(r'<span class="kn">import</span>(<span class="w">)? (</span>)?<span class="nn">torch</span>', html)


def test_percent_cajal_cells_in_python_notebooks_with_the_documented_option(tmp_path):
    path = tmp_path / "python.ipynb"
    nbformat.write(python_notebook(), path)
    plain = nbconvert_cli(path)
    assert not cajal_highlighted(plain)  # out of the box, nbconvert treats the cell as Python
    html = nbconvert_cli(path, "--HighlightMagicsPreprocessor.languages={'%%cajal': 'cajal'}")
    assert cajal_highlighted(html)
    assert 'class="err"' not in html
    assert re.search(r'<span class="kn">import</span>(<span class="w">)? (</span>)?<span class="nn">torch</span>', html)  # Python stays Python


def test_percent_cajal_cells_with_a_config_file(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    (config / "jupyter_nbconvert_config.json").write_text(
        json.dumps({"HighlightMagicsPreprocessor": {"languages": {"%%cajal": "cajal"}}}))
    path = tmp_path / "python.ipynb"
    nbformat.write(python_notebook(), path)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config))
    assert cajal_highlighted(nbconvert_cli(path, env=env))


def test_percent_cajal_cells_with_the_python_api():
    from nbconvert import HTMLExporter
    from traitlets.config import Config
    config = Config({"HighlightMagicsPreprocessor": {"languages": {"%%cajal": "cajal"}}})
    html, _ = HTMLExporter(config=config).from_notebook_node(python_notebook())
    assert cajal_highlighted(html)


@pytest.fixture
def cajal_kernelspec(tmp_path, monkeypatch):
    subprocess.run([sys.executable, "-m", "cajal_kernel", "install", "--prefix", str(tmp_path / "prefix")],
                   check=True, capture_output=True, timeout=120)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "prefix" / "share" / "jupyter"))


def test_executed_cajal_notebook_exports_with_outputs(tmp_path, cajal_kernelspec):
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter
    nb = cajal_notebook()
    NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = nb.cells[1].outputs
    assert [o.output_type for o in outputs] == ["stream", "execute_result"]
    assert outputs[0].text.startswith("not : 𝟚 ⊸ 𝟚\n")
    assert outputs[1].data["text/plain"] == "tt : 𝟚\n[1, 0]" and "text/html" in outputs[1].data
    assert nb.cells[2].outputs[0].text.startswith("tensor([0., 1.]")
    assert nb.metadata.language_info.name == "cajal"
    html, _ = HTMLExporter().from_notebook_node(nb)
    assert cajal_highlighted(html) and "tt : 𝟚" in html
