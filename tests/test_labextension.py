"""The JupyterLab extension's static side: its tables come from the Python ones, it is named
as the kernel names its language, and it ships in the wheel. (What it does in a browser is
tested in tests/browser/test_editor.py.)"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cajal import lexicon
from cajal_kernel.kernel import CajalKernel

ROOT = Path(__file__).resolve().parent.parent
EXT = ROOT / "labextension"
BUILT = ROOT / "share" / "jupyter" / "labextensions" / "cajal-jupyterlab"


def test_grammar_table_is_the_lexicon():
    """The grammar and the Unicode input read labextension/src/lexicon.json; regenerate it with
    `python -c "import json, cajal.lexicon as l; print(json.dumps(l.as_json(), ensure_ascii=False, indent=1))"
    > labextension/src/lexicon.json` when the lexicon changes."""
    committed = json.loads((EXT / "src" / "lexicon.json").read_text(encoding="utf-8"))
    assert committed == lexicon.as_json()


def test_unicode_input_covers_the_issue_sequences():
    table = lexicon.as_json()["input_sequences"]
    wanted = {"\\lambda": "λ", "\\multimap": "⊸", "\\-o": "⊸", "\\to": "⊸", "\\hookrightarrow": "↪",
              "\\=>": "↪", "\\Bool": "𝟚", "\\Nat": "ℕ"}
    assert wanted.items() <= table.items()


def test_the_kernel_names_the_registered_language():
    info = CajalKernel.language_info
    index = (EXT / "src" / "index.ts").read_text()
    language = (EXT / "src" / "language.ts").read_text()
    assert info["codemirror_mode"] == "cajal" and re.search(r"name: 'cajal'", index)
    assert info["mimetype"] == "text/x-cajal" and "export const MIME = 'text/x-cajal'" in language


def test_settings_schema_turns_each_part_off():
    schema = json.loads((EXT / "schema" / "plugin.json").read_text())
    settings = (EXT / "src" / "settings.ts").read_text()
    for name in ("unicodeInput", "liveDiagnostics", "hoverTypes"):
        assert schema["properties"][name]["type"] == "boolean" and schema["properties"][name]["default"] is True
        assert f"{name}: true" in settings


def test_dependencies_are_locked():
    lock = json.loads((EXT / "package-lock.json").read_text())
    package = json.loads((EXT / "package.json").read_text())
    assert lock["packages"][""]["dependencies"] == package["dependencies"]
    assert lock["packages"][""]["devDependencies"] == package["devDependencies"]


@pytest.mark.slow
def test_wheel_ships_the_built_extension(tmp_path):
    if not (BUILT / "package.json").is_file():
        # .ci/setup builds it (CI always does); a fresh worktree has no build yet
        assert not os.environ.get("CI"), "the labextension is not built: run .ci/setup"
        pytest.skip("the labextension is not built in this checkout: run .ci/setup")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True, timeout=300)
    (wheel,) = tmp_path.glob("cajal_notebook-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    share = f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.data/data/share/jupyter/labextensions/cajal-jupyterlab/"
    assert share + "package.json" in names and share + "install.json" in names
    assert any(n.startswith(share + "static/remoteEntry.") for n in names)
    assert share + "schemas/cajal-jupyterlab/plugin.json" in names
