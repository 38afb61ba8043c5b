"""The `cajal` command line, run as a user runs it: the console script in a subprocess (stdout
and stderr are pipes, so the output is plain), and `python -m cajal`.

The console script is the installed one when this tree's package declares it; otherwise (an
editable install made before `[project.scripts]` existed) it is made here from the entry point
that pyproject.toml declares, as pip makes it: a file that imports the function and exits with
its return value.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from strategies import closed_terms

from cajal import directives, parse_cell, pretty
from cajal.formatter import format_text
from cajal.syntax import Directive

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent

GOOD = """\
-- logic gates
def not (x : 𝟚) : 𝟚 = if x then ff else tt
def and (x : Bool) (y : Bool) : Bool =
  if x then y else (if y then ff else ff)   -- the 4 × 2 matrix of the spec
type Token
def parity (n : Nat) : Bool = iter{tt | y => not y}(n)
"""

BAD = """\
def ok : 𝟚 = tt

def dup (x : 𝟚) : 𝟚 = if x then x else x
"""


@pytest.fixture(scope="module")
def cajal_script(tmp_path_factory) -> str:
    scripts = (ROOT / "pyproject.toml").read_text().split("[project.scripts]\n", 1)[1].split("\n[", 1)[0]
    entry = re.search(r'^cajal = "(.*)"$', scripts, re.M).group(1)  # (tomllib is Python 3.11+)
    assert entry == "cajal.cli:main"
    installed = shutil.which("cajal", path=str(Path(sys.executable).parent))
    if installed and entry.split(":")[0] in Path(installed).read_text(errors="replace"):
        return installed
    module, function = entry.split(":")
    script = tmp_path_factory.mktemp("bin") / "cajal"
    script.write_text(f"#!{sys.executable}\nimport sys\nfrom {module} import {function}\n"
                      f"if __name__ == '__main__':\n    sys.exit({function}())\n")
    script.chmod(0o755)
    return str(script)


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.cj").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.cj").write_text(BAD, encoding="utf-8")
    return tmp_path


def cajal(script: str, *args: str, cwd=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("NO_COLOR", None)
    return subprocess.run([script, *args], capture_output=True, text=True, timeout=120, cwd=cwd, env=env)


def test_check_a_good_file(cajal_script, files):
    ran = cajal(cajal_script, "check", "good.cj", cwd=files)
    assert (ran.returncode, ran.stdout, ran.stderr) == (0, "good.cj: ok (3 definitions, 1 type)\n", "")


def test_check_a_bad_file_prints_file_line_col_and_exits_1(cajal_script, files):
    ran = cajal(cajal_script, "check", "bad.cj", cwd=files)
    assert ran.returncode == 1 and ran.stdout == ""
    assert ran.stderr.splitlines() == [
        "CajalTypeError: bad.cj:3:33: `x` is used twice (at bad.cj:3:26 and bad.cj:3:33)",
        "3 | def dup (x : 𝟚) : 𝟚 = if x then x else x",
        "  |                          ^      ^",
        "hint: `x` is linear: use it exactly once. To use a value twice, pass it as two arguments, "
        "or make it a `def` (definitions can be used freely)",
    ]
    assert "\x1b" not in ran.stderr  # a pipe gets plain text


def test_check_reports_every_file_and_fails_if_any_fails(cajal_script, files):
    (files / "syntax.cj").write_text("def f (x : 𝟚) : 𝟚 =\n  (x\n", encoding="utf-8")
    ran = cajal(cajal_script, "check", "good.cj", "bad.cj", "syntax.cj", "missing.cj", cwd=files)
    assert ran.returncode == 1
    assert ran.stdout == "good.cj: ok (3 definitions, 1 type)\n"
    headers = [line for line in ran.stderr.splitlines() if line.startswith("Cajal")]
    assert len(headers) == 3, ran.stderr
    assert headers[0].startswith("CajalTypeError: bad.cj:3:33: ")
    assert headers[1] == "CajalSyntaxError: syntax.cj:2:3: unclosed `(`: expected `)` to close the bracket"
    assert headers[2].startswith("CajalError: there is no file `missing.cj`")


def test_check_follows_load_and_names_the_loaded_file(cajal_script, files):
    (files / "uses.cj").write_text(":load bad.cj\n", encoding="utf-8")
    ran = cajal(cajal_script, "check", "uses.cj", cwd=files)
    assert ran.returncode == 1 and ran.stderr.startswith("CajalTypeError: bad.cj:3:33: ")


def test_colour_when_asked(cajal_script, files):
    ran = cajal(cajal_script, "--color", "always", "check", "bad.cj", cwd=files)
    assert ran.stderr.startswith("\x1b[1m\x1b[31mCajalTypeError\x1b[0m: \x1b[1mbad.cj:3:33: ")
    assert "\x1b[36mhint: " in ran.stderr
    assert cajal(cajal_script, "check", "--color", "always", "bad.cj", cwd=files).stderr == ran.stderr
    assert "\x1b" not in cajal(cajal_script, "check", "--color", "never", "bad.cj", cwd=files).stderr


@pytest.mark.slow
def test_eval_prints_the_files_results_or_a_terms(cajal_script, files):
    ran = cajal(cajal_script, "eval", "good.cj", cwd=files)
    assert (ran.returncode, ran.stdout) == (0, "not : 𝟚 ⊸ 𝟚\nand : 𝟚 ⊸ 𝟚 ⊸ 𝟚\ntype Token\nparity : ℕ ⊸ 𝟚\n")
    ran = cajal(cajal_script, "eval", "good.cj", "and (parity 4) (not ff)", cwd=files)
    assert (ran.returncode, ran.stdout) == (0, "tt : 𝟚\n")
    ran = cajal(cajal_script, "eval", "good.cj", "parity 3", "--tensor", "--nat-dim", "4", cwd=files)
    assert (ran.returncode, ran.stdout) == (0, "ff : 𝟚\n[0, 1]\n")
    ran = cajal(cajal_script, "eval", "good.cj", "not tt tt", cwd=files)
    assert ran.returncode == 1 and ran.stderr.startswith("CajalTypeError: line 1, column 1: ")


def test_fmt_prints_the_canonical_layout_and_keeps_comments(cajal_script, files):
    ran = cajal(cajal_script, "fmt", "good.cj", cwd=files)
    assert ran.returncode == 0
    assert ran.stdout == (
        "-- logic gates\n"
        "def not (x : 𝟚) : 𝟚 = if x then ff else tt\n"
        "def and (x : Bool) (y : Bool) : Bool =\n"
        "  if x then y else (if y then ff else ff)   -- the 4 × 2 matrix of the spec\n"
        "type Token\n"
        "def parity (n : ℕ) : 𝟚 = iter{tt | y ↪ not y}(n)\n")
    ran = cajal(cajal_script, "fmt", "--ascii", "good.cj", cwd=files)
    assert ran.stdout.splitlines()[1] == "def not (x : Bool) : Bool = if x then ff else tt"
    assert ran.stdout.splitlines()[-1] == "def parity (n : Nat) : Bool = iter{tt | y => not y}(n)"
    ran = cajal(cajal_script, "fmt", "bad.cj", cwd=files)
    assert (ran.returncode, ran.stdout) == (0, "def ok : 𝟚 = tt\n\ndef dup (x : 𝟚) : 𝟚 = if x then x else x\n")
    ran = cajal(cajal_script, "fmt", "--check", "good.cj", cwd=files)
    assert (ran.returncode, ran.stdout) == (1, "") and ran.stderr == (
        "good.cj: not in the canonical layout (`cajal fmt good.cj` shows it)\n")
    (files / "formatted.cj").write_text(cajal(cajal_script, "fmt", "good.cj", cwd=files).stdout, encoding="utf-8")
    assert cajal(cajal_script, "fmt", "--check", "formatted.cj", cwd=files).returncode == 0
    (files / "broken.cj").write_text("tt)\n", encoding="utf-8")
    ran = cajal(cajal_script, "fmt", "broken.cj", cwd=files)
    assert ran.returncode == 1 and ran.stdout == "" and ran.stderr.startswith("CajalSyntaxError: broken.cj:1:3: ")


@pytest.mark.parametrize("sub", ["check", "eval", "compile", "fmt"])
def test_every_subcommand_has_help(cajal_script, sub):
    ran = cajal(cajal_script, sub, "--help")
    assert ran.returncode == 0 and ran.stdout.startswith(f"usage: cajal {sub} ")


def test_usage_errors_exit_2(cajal_script):
    ran = cajal(cajal_script)
    assert ran.returncode == 2 and "usage: cajal" in ran.stderr
    ran = cajal(cajal_script, "check", "--nat-dim", "0", "x.cj")
    assert ran.returncode == 2 and "'0' is not a positive whole number" in ran.stderr
    ran = cajal(cajal_script, "--help")
    assert ran.returncode == 0 and all(s in ran.stdout for s in ("check", "eval", "compile", "fmt"))


def test_python_dash_m_cajal_is_the_same_command(files):
    ran = cajal(sys.executable, "-m", "cajal", "check", "good.cj", "bad.cj", cwd=files)
    assert ran.returncode == 1 and ran.stdout == "good.cj: ok (3 definitions, 1 type)\n"
    assert ran.stderr.startswith("CajalTypeError: bad.cj:3:33: ")


# ---------------------------------------------------------------------------- fmt's promise, in-process


@pytest.mark.unit
@settings(max_examples=60)
@given(closed_terms(max_depth=3))
def test_fmt_changes_no_meaning_and_is_idempotent(term_and_type):
    term, ty = term_and_type
    text = f"def it : {pretty(ty)} =\n    {pretty(term)}\nit;  :type   it\n:graph  --unroll\n  it\n:equiv it  ==  it\n"
    once = format_text(text)
    assert once.endswith("\nit\n:type it\n:graph --unroll it\n:equiv it ≡ it\n")  # every item laid out
    assert meaning(once) == meaning(text)
    assert format_text(once) == once
    ascii = format_text(text, ascii=True)
    assert meaning(ascii) == meaning(text) and ascii.isascii()


def meaning(text: str) -> list:
    """The items of a cell, a directive as its word, options and term (not its raw text)."""
    def directive(d: Directive):
        if directives.command_for(d).term:
            return (d.word, *directives.term_argument(d))
        return (d.word, *(directives.two_terms(d) if d.word == "equiv" else ()))
    return [directive(item) if isinstance(item, Directive) else item for item in parse_cell(text)]


@pytest.mark.slow
def test_compile_writes_a_module_that_runs_without_cajal(cajal_script, files):
    ran = cajal(cajal_script, "compile", "good.cj", "parity", "--nat-dim", "4", "-o", "parity.onnx", cwd=files)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "wrote parity.onnx (onnx): parity, nat_dim 4: n : ℕ (4) → 𝟚 (2)\n"
    import onnxruntime
    [out] = onnxruntime.InferenceSession(str(files / "parity.onnx")).run(
        None, {"n": np.eye(4, dtype=np.float32)})
    assert out.tolist() == [[1, 0], [0, 1], [1, 0], [0, 1]]  # parity of 0, 1, 2, 3
    ran = cajal(cajal_script, "compile", "good.cj", "and", "-o", "and.pt2", cwd=files)
    assert ran.returncode == 0 and ran.stdout.startswith("wrote and.pt2 (torch): and, nat_dim 10: x : 𝟚 (2), y : 𝟚 (2)")
    ran = cajal(cajal_script, "compile", "good.cj", "nope", "-o", "x.onnx", cwd=files)
    assert ran.returncode == 1 and ran.stderr == ("CajalError: `good.cj` defines no `nope`\n"
                                               "hint: it defines `not`, `and`, `parity`\n")
    ran = cajal(cajal_script, "compile", "good.cj", "not", "-o", "not.txt", cwd=files)
    assert ran.returncode == 1 and "cannot tell the format of `not.txt`" in ran.stderr


def test_colour_on_a_terminal_by_default(cajal_script, files):
    """stderr a terminal (a pseudo-terminal here): colour without being asked; NO_COLOR turns it off."""
    import pty
    for no_color, coloured in ((None, True), ("1", False)):
        leader, follower = pty.openpty()
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        env.pop("NO_COLOR", None)
        if no_color:
            env["NO_COLOR"] = no_color
        ran = subprocess.run([cajal_script, "check", "bad.cj"], cwd=files, stdout=subprocess.PIPE, stderr=follower,
                             env=env, timeout=120)
        os.close(follower)
        err = os.read(leader, 65536).decode()
        os.close(leader)
        assert ran.returncode == 1
        assert ("\x1b[31m" in err) is coloured and "bad.cj:3:33" in err
