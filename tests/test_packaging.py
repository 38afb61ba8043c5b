"""Packaging and discoverability: the license and metadata, what the sdist holds, the lazy
API visible to dir()/help(), docstrings on every public method, and the kernel's --help."""

from __future__ import annotations

import inspect
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

import cajal

ROOT = Path(__file__).resolve().parents[1]


def test_license_and_metadata():
    tomllib = pytest.importorskip("tomllib", reason="Python 3.11 reads TOML")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT" and "LICENSE" in project["license-files"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert {"Framework :: Jupyter", "Framework :: Jupyter :: JupyterLab"} <= set(project["classifiers"])
    assert project["authors"]
    assert any(d.startswith("jupyter_console") for d in project["optional-dependencies"]["notebooks"])


def test_sdist_holds_what_tests_and_notebooks_need(tmp_path):
    code = ("import sys; from setuptools import build_meta; "
            "print(build_meta.build_sdist(sys.argv[1]))")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    sdist = tmp_path / done.stdout.strip().splitlines()[-1]
    with tarfile.open(sdist) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    for needed in ("LICENSE", "tests/conftest.py", "tests/strategies.py", "docs/LANGUAGE.md",
                   "notebooks/01-tour.ipynb", "notebooks/02-semantics.ipynb", "cajal/generate.py",
                   "share/jupyter/kernels/cajal/kernel.json", "share/textmate/cajal.tmLanguage.json",
                   "tests/grammar/sample.cj", "tests/grammar/package-lock.json", "cajal_experiments/cj/dilate.cj",
                   "cajal_experiments/sweep.py", "results/quick/dilate/linked-s0-lr0.001-b32-t30.json"):
        assert needed in names, needed
    assert not any("screenshots" in n or "__pycache__" in n or "node_modules" in n for n in names)


def test_the_lazy_api_is_visible():
    for name in ("Session", "compile", "Definition", "encode"):
        assert name in dir(cajal) and name in cajal.__all__
    from IPython.core.completer import IPCompleter  # completion reads dir()
    assert "Session" in [n for n in dir(cajal) if n.startswith("Se")]
    assert IPCompleter  # imported: the completer exists in this environment


def _public_callables():
    """Every public function and every public method or property of every public class."""
    from cajal.render import View
    from cajal.result import Result
    from cajal_magic.magic import CajalValue
    for name in cajal.__all__:
        obj = getattr(cajal, name)
        yield name, obj
        if inspect.isclass(obj):
            yield from _members(name, obj)
    for cls in (Result, View, CajalValue):
        yield from _members(cls.__name__, cls)


def _members(owner, cls):
    for attr, value in vars(cls).items():
        if attr.startswith("_") and attr != "__call__":
            continue
        if isinstance(value, property):
            yield f"{owner}.{attr}", value.fget
        elif inspect.isfunction(value) or isinstance(value, (classmethod, staticmethod)):
            yield f"{owner}.{attr}", getattr(value, "__func__", value)


@pytest.mark.parametrize("name, obj", list(_public_callables()), ids=lambda x: x if isinstance(x, str) else "")
def test_every_public_callable_has_a_docstring(name, obj):
    if isinstance(obj, type) and not obj.__doc__:
        pytest.fail(f"{name} has no docstring")
    assert (getattr(obj, "__doc__", None) or "").strip(), f"{name} has no docstring"


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_kernel_describes_itself(flag):
    out = subprocess.run([sys.executable, "-m", "cajal_kernel", flag], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    assert "Cajal" in out.stdout and "IPython" not in out.stdout.split("\n")[0]
    if flag == "--help":
        assert "install" in out.stdout and "--sys-prefix" in out.stdout
    else:
        assert cajal.__version__ in out.stdout
