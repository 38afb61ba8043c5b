"""The `%%cajal` / `%cajal` IPython magic, in a real InteractiveShell, and end to end in a
Python notebook executed by nbclient."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import cajal
from cajal.session import Definition
from cajal.syntax import BOOL, NAT, Arrow

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Ran:
    stdout: str
    stderr: str
    outputs: list[dict[str, Any]]  # display_data bundles, in order
    result: Any  # the cell's value (what became Out[n])
    error: Any
    execute_result: Any = None  # the display hook's bundle for the cell's value

    @property
    def ok(self) -> bool:
        return self.error is None


@pytest.fixture(scope="module")
def shell():
    # `reset` runs a full garbage collection; with what earlier test modules left on the heap
    # frozen out of it, that takes milliseconds instead of a second per test
    gc.freeze()
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "cajal_magic")
    yield ip
    gc.unfreeze()


@pytest.fixture
def ip(shell):
    """The shell with a fresh Cajal session and an empty namespace."""
    from cajal_magic import reset_session
    shell.reset(new_session=False)
    reset_session(shell)
    return shell


def run(ip, code: str) -> Ran:
    """Run a cell; what the display hook would print (Out[n]: …) is kept apart, in `.execute_result`."""
    shown = []
    hook = ip.displayhook
    saved = hook.write_output_prompt, hook.write_format_data
    hook.write_output_prompt = lambda: None
    hook.write_format_data = lambda format_dict, md_dict=None: shown.append(format_dict)
    try:
        with capture_output() as cap:
            r = ip.run_cell(code, store_history=False)
    finally:
        hook.write_output_prompt, hook.write_format_data = saved
    return Ran(cap.stdout, cap.stderr, [o.data for o in cap.outputs], r.result,
               r.error_before_exec or r.error_in_exec, shown[0] if shown else None)


NOT_AND = """%%cajal
def not (x : 𝟚) : 𝟚 = if x then ff else tt
def and (x : 𝟚) (y : 𝟚) : 𝟚 = if x then y else (if y then ff else ff)
"""


# ---------------------------------------------------------------------------- loading


def test_load_registers_line_and_cell_magic(shell):
    magics = shell.magics_manager.magics
    assert "cajal" in magics["line"] and "cajal" in magics["cell"]


def test_help_shows_the_options(shell):
    doc = shell.magics_manager.magics["cell"]["cajal"].__doc__
    for option in ("--nat-dim N", "--ascii", "--quiet", "--show"):
        assert option in doc
    assert "--first-line" not in doc  # internal (the kernel's)
    ran = run(shell, "%%cajal?")
    assert "--nat-dim" in ran.stdout and "--show" in ran.stdout


def test_reload_ext_keeps_the_session(ip):
    assert run(ip, "%%cajal\ndef keep (x : 𝟚) : 𝟚 = x").ok
    session = ip._cajal_session
    assert run(ip, "%reload_ext cajal_magic").ok
    assert ip._cajal_session is session
    ran = run(ip, "%%cajal --show value\nkeep ff")
    assert ran.ok and repr(ran.result) == "ff"
    # one completer, not two, after the reload
    from cajal_magic.completion import _IDENTIFIER
    assert [getattr(m, "matcher_identifier", None) for m in ip.Completer.custom_matchers].count(_IDENTIFIER) == 1


def test_unload_removes_the_magics(ip):
    assert run(ip, "%unload_ext cajal_magic").ok
    try:
        assert "cajal" not in ip.magics_manager.magics["cell"]
    finally:
        assert run(ip, "%load_ext cajal_magic").ok
    assert "cajal" in ip.magics_manager.magics["cell"]


@pytest.mark.slow
def test_loads_from_a_profile_extensions_list(tmp_path):
    profile = tmp_path / "profile_cajal"
    profile.mkdir()
    (profile / "ipython_config.py").write_text("c.InteractiveShellApp.extensions = ['cajal_magic']\n")
    code = "%%cajal\ndef id (x : 𝟚) : 𝟚 = x\n"
    env = dict(os.environ, IPYTHONDIR=str(tmp_path / "ipython"))
    out = subprocess.run([sys.executable, "-m", "IPython", f"--profile-dir={profile}", "--no-banner",
                          "--colors=NoColor", "-c", code + "\nprint(type(id).__name__)"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert "id : 𝟚 ⊸ 𝟚" in out.stdout, out.stdout + out.stderr


# ---------------------------------------------------------------------------- definitions


def test_defs_land_in_the_namespace_with_keyword_names(ip):
    ran = run(ip, NOT_AND + "def id (x : 𝟚) : 𝟚 = x\n")
    assert ran.ok
    assert ran.stdout == ("not : 𝟚 ⊸ 𝟚\nand : 𝟚 ⊸ 𝟚 ⊸ 𝟚\nid : 𝟚 ⊸ 𝟚\n"
                          "warning: `id` now shadows Python's builtin `id` in Python cells (`del id` brings the builtin back)\n"
                          "note: `not`, `and` are Python keywords, so in Python use `not_`, `and_`\n")
    assert ran.stdout.count("Python keyword") == 1  # the cell says so once
    assert isinstance(ip.user_ns["not_"], Definition) and isinstance(ip.user_ns["and_"], Definition)
    assert isinstance(ip.user_ns["id"], Definition)
    assert "not" not in ip.user_ns and "and" not in ip.user_ns
    assert ip.user_ns["and_"].type == Arrow(BOOL, Arrow(BOOL, BOOL))
    assert ip.user_ns["not_"].eval(True) is False


def test_soft_keyword_names(ip):
    ran = run(ip, "%%cajal\ndef match (x : 𝟚) : 𝟚 = x\ndef or (x : 𝟚) (y : 𝟚) : 𝟚 = if x then (if y then tt else tt) else y")
    assert ran.ok, ran.stdout
    assert "match_" in ip.user_ns and "or_" in ip.user_ns
    assert "note: `match`, `or` are Python keywords, so in Python use `match_`, `or_`" in ran.stdout


@pytest.mark.parametrize("name", ["get_ipython", "__builtins__", "_", "__", "___", "_i", "_ii", "_i3", "_7",
                                  "In", "Out", "exit", "quit", "__name__"])
def test_names_the_host_relies_on_stay_cajal_only(ip, name):
    """LANGUAGE.md section 8: the definition works in Cajal cells, is not bound in Python, the
    cell says so, and the shell keeps working (Python cells, magics, the display hook)."""
    before = ip.user_ns.get(name, "absent")
    ran = run(ip, f"%%cajal\ndef {name} (x : 𝟚) : 𝟚 = if x then ff else tt")
    assert ran.ok, ran.stdout + ran.stderr
    assert f"note: `{name}` is a name IPython or Python relies on, so it is not bound in Python" in ran.stdout
    assert "keyword" not in ran.stdout and f"`{name}_`" not in ran.stdout
    assert ip.user_ns.get(name, "absent") is before or name in ("_", "__", "___")  # the display hook moves those
    assert not any(isinstance(v, Definition) and v.name == name for v in ip.user_ns.values())
    assert run(ip, f"%%cajal --show value\n{name} tt").ok  # works in Cajal
    from cajal_magic import get_session
    assert get_session(ip).definitions[name].eval(True) is False
    ok = run(ip, "x = [1, 2]\nassert len(x) == 2 and callable(get_ipython)")
    assert ok.ok, ok.stderr


def test_a_builtin_name_is_bound_with_a_warning(ip):
    ran = run(ip, "%%cajal\ndef len (x : 𝟚) : 𝟚 = x")
    try:
        assert ran.ok and "warning: `len` now shadows Python's builtin `len`" in ran.stdout
        assert isinstance(ip.user_ns["len"], Definition)
    finally:
        ip.user_ns.pop("len", None)
    assert run(ip, "assert len([1, 2]) == 2").ok


def test_primes_and_underscores_get_python_names(ip):
    ran = run(ip, "%%cajal\ndef f' (x : 𝟚) : 𝟚 = x\ndef _f (x : 𝟚) : 𝟚 = x")
    assert ran.ok
    assert "note: `f'` is not a Python identifier, so in Python use `f_`" in ran.stdout
    assert isinstance(ip.user_ns["f_"], Definition) and isinstance(ip.user_ns["_f"], Definition)


def test_values_kept_in_out_hold_no_tensors(ip):
    """What IPython keeps in `Out` holds the term, not its compiled tensors (a bare function
    term kept 52 MB per cell at nat_dim 60): the display compiles a copy and drops it."""
    ip.display_formatter.active_types = ["text/plain", "text/html"]
    ran = run(ip, "%%cajal --nat-dim 12\nλf:ℕ ⊸ ℕ. λx:ℕ. f (succ x)")
    assert ran.ok and "a tensor of shape (144, 144)" in ran.execute_result["text/plain"]
    assert "text/html" in ran.execute_result
    kept = ran.result.result
    assert kept.compiled is None and kept.view is None
    assert tuple(ran.result.tensor.shape) == (144, 144) and kept.compiled is None


def test_definitions_persist_across_cells(ip):
    assert run(ip, NOT_AND).ok
    ran = run(ip, "%%cajal --show value,type\ndef nand (x : 𝟚) (y : 𝟚) : 𝟚 = not (and x y)\nnand tt tt")
    assert ran.ok
    assert ran.stdout.startswith("nand : 𝟚 ⊸ 𝟚 ⊸ 𝟚\n")
    assert repr(ran.result) == "ff : 𝟚"
    assert ip.user_ns["nand"].eval(True, False) is True


def test_redefinition_replaces_and_says_so(ip):
    assert run(ip, "%%cajal\ndef f (x : 𝟚) : 𝟚 = x").ok
    first = ip.user_ns["f"]
    ran = run(ip, "%%cajal\ndef f (x : 𝟚) : 𝟚 = if x then ff else tt")
    assert ran.ok
    assert ran.stdout == "f : 𝟚 ⊸ 𝟚\n(replaces the earlier definition of `f`)\n"
    assert ip.user_ns["f"] is not first and ip.user_ns["f"].eval(True) is False


def test_a_def_over_a_python_variable_says_so(ip):
    ip.user_ns["g"] = 42
    ran = run(ip, "%%cajal\ndef g = tt")
    assert ran.stdout == "g : 𝟚\n(replaces the Python variable `g`)\n"
    assert isinstance(ip.user_ns["g"], Definition)


def test_the_same_name_twice_in_one_cell_is_an_error(ip):
    ran = run(ip, "%%cajal\ndef h = tt\ndef h = ff")
    assert isinstance(ran.error, cajal.CajalTypeError)
    assert "line 3" in ran.stdout and ran.stdout.startswith("h : 𝟚\n")


# ---------------------------------------------------------------------------- terms


def test_a_bare_term_displays_type_value_and_vector(ip):
    ran = run(ip, "%%cajal\nff\ntt")
    assert ran.ok
    assert len(ran.outputs) == 1  # the first term: display_data; the last is the cell's value
    assert ran.outputs[0]["text/plain"].startswith("ff : 𝟚")
    assert repr(ran.result) == "tt : 𝟚"
    assert ran.execute_result["text/plain"].startswith("tt : 𝟚")


def test_the_display_has_the_compiled_vector(ip):
    ran = run(ip, "%%cajal\nff\ntt")
    assert "text/html" in ran.outputs[0] and "ff : 𝟚" in ran.outputs[0]["text/html"]
    assert "text/html" in ran.result._repr_mimebundle_()
    assert ran.result.tensor.tolist() == [1.0, 0.0]


def test_line_magic_returns_a_value(ip):
    ran = run(ip, "%%cajal\ndef not (x : 𝟚) : 𝟚 = if x then ff else tt")
    assert ran.ok
    assert run(ip, "x = %cajal not (not tt)").ok
    x = ip.user_ns["x"]
    assert x.value is True and bool(x) is True and x.type == BOOL and x == True  # noqa: E712
    assert repr(x) == "tt : 𝟚"
    assert run(ip, "n = %cajal succ (succ 1)").ok
    n = ip.user_ns["n"]
    assert n.value == 3 and int(n) == 3 and n.type == NAT and [10, 20, 30, 40][n] == 40
    with pytest.raises(TypeError):
        [1, 2][x]  # a boolean is not an index


def test_line_magic_function_values_are_callable_definitions(ip):
    assert run(ip, NOT_AND).ok
    assert run(ip, "f = %cajal not").ok
    assert ip.user_ns["f"].value is ip.user_ns["not_"]  # a definition's own name gives the definition
    assert run(ip, "g = %cajal and tt").ok
    g = ip.user_ns["g"].value
    assert isinstance(g, Definition) and g.type == Arrow(BOOL, BOOL)
    assert g.eval(False) is False and g.eval(True) is True
    assert [name for name, _ in g.params] == ["y"]
    with pytest.raises(TypeError):
        bool(ip.user_ns["g"])


def test_line_magic_errors_count_from_line_one(ip):
    ran = run(ip, "%cajal tt tt")
    assert ran.stdout == ("CajalTypeError: line 1, column 1: this has type 𝟚, which is not a function, "
                          "so it cannot be applied\n1 | tt tt\n  | ^^\n"
                          "hint: only terms of a type τ₁ ⊸ τ₂ can be applied to an argument\n")


# ---------------------------------------------------------------------------- options


def test_ascii(ip):
    ran = run(ip, "%%cajal --ascii\ndef k (x : 𝟚) (n : ℕ) : ℕ = if x then n else n\n:type λx:𝟚. x\nλx:ℕ. x")
    assert ran.ok
    assert ran.stdout == "k : Bool -o Nat -o Nat\n\\x:Bool. x : Bool -o Bool\n"
    assert repr(ran.result) == "\\x:Nat. x : Nat -o Nat"
    assert ran.result._repr_mimebundle_()["text/plain"].startswith("\\x:Nat. x : Nat -o Nat")


def test_quiet(ip):
    ran = run(ip, "%%cajal --quiet\ndef q (x : 𝟚) : 𝟚 = x\nq tt\n:type q")
    assert ran.ok and ran.stdout == "" and ran.outputs == [] and ran.result is None
    assert isinstance(ip.user_ns["q"], Definition)


def test_show(ip):
    ran = run(ip, "%%cajal --show type\nλx:𝟚. x")
    assert repr(ran.result) == "λx:𝟚. x : 𝟚 ⊸ 𝟚"
    assert ran.result._repr_mimebundle_() == {"text/plain": "λx:𝟚. x : 𝟚 ⊸ 𝟚"}
    ran = run(ip, "%%cajal --show value\nλx:𝟚. x")
    assert ran.result._repr_mimebundle_() == {"text/plain": "λx:𝟚. x"}
    ran = run(ip, "%%cajal --show=type,value\ntt")
    assert ran.result._repr_mimebundle_() == {"text/plain": "tt : 𝟚"}


def test_show_graph_displays_the_graph(ip):
    ran = run(ip, "%%cajal --show graph\nλx:𝟚. if x then ff else tt")
    assert ran.ok and ran.result is None
    assert len(ran.outputs) == 1 and len(ran.outputs[0]) >= 1


def test_bad_options_are_usage_errors(ip):
    for line in ("%%cajal --show colour\ntt", "%%cajal --nat-dim 0\ntt", "%%cajal --frobnicate\ntt",
                 "%cajal --frobnicate tt", "%%cajal '\ntt", "%%cajal --ascii \"\ntt", "%%cajal --show type, value\ntt"):
        ran = run(ip, line)
        assert ran.error is not None and type(ran.error).__name__ == "UsageError", line
        assert "Traceback" not in ran.stdout + ran.stderr
        assert "closing quotation" not in str(ran.error), line


def test_line_magic_terms_keep_backslashes_and_columns(ip):
    assert run(ip, "y = %cajal --ascii (\\x:Bool. x) tt").ok
    assert ip.user_ns["y"].value is True
    ran = run(ip, "%cajal --ascii  (\\x:Bool. x) 3")
    assert "line 1, column 23" in str(ran.error)  # the `3`, counted in the magic's line


def test_nat_dim_option_sets_the_session(ip):
    assert run(ip, "%%cajal --nat-dim 12 --quiet\ndef up (n : ℕ) : ℕ = succ n").ok
    assert ip._cajal_session.nat_dim == 12
    ran = run(ip, "%%cajal\n:set nat_dim 7")
    assert ran.stdout == "nat_dim = 7 (ℕ holds 0…6)\n"
    assert ip._cajal_session.nat_dim == 7


def test_nat_dim_reaches_the_compiled_definitions(ip):
    assert run(ip, "%%cajal --nat-dim 12 --quiet\ndef up (n : ℕ) : ℕ = succ n").ok
    assert tuple(ip.user_ns["up"].matrix.shape) == (12, 12)
    assert run(ip, "%%cajal --quiet\n:set nat_dim 5").ok
    assert tuple(ip.user_ns["up"].matrix.shape) == (5, 5)


# ---------------------------------------------------------------------------- directives


def test_directives_print_or_display(ip):
    assert run(ip, NOT_AND).ok
    ran = run(ip, "%%cajal\n:type not\n:eval and tt ff\n:defs")
    assert ran.ok
    assert ran.stdout == "not : 𝟚 ⊸ 𝟚\nff : 𝟚\nnot : 𝟚 ⊸ 𝟚\nand : 𝟚 ⊸ 𝟚 ⊸ 𝟚\n"


def test_views_are_display_data(ip):
    ran = run(ip, "%%cajal\n:derive λx:𝟚. x\n:trace (λx:𝟚. x) tt")
    assert ran.ok and len(ran.outputs) == 2
    assert all("text/plain" in o for o in ran.outputs)


# ---------------------------------------------------------------------------- errors


def test_error_is_one_short_message_with_a_caret(ip):
    ran = run(ip, "%%cajal\ndef f (x : 𝟚) : 𝟚 = x\ntt\nf tt tt\nff")
    assert isinstance(ran.error, cajal.CajalTypeError)
    # results of the items before the error are shown
    assert ran.outputs and ran.outputs[0]["text/plain"].startswith("tt : 𝟚")
    assert ran.stdout == (
        "f : 𝟚 ⊸ 𝟚\n"
        "CajalTypeError: line 4, column 1: this has type 𝟚, which is not a function, so it cannot be applied\n"
        "4 | f tt tt\n"
        "  | ^^^^\n"
        "hint: only terms of a type τ₁ ⊸ τ₂ can be applied to an argument\n")
    assert "Traceback" not in ran.stdout + ran.stderr
    assert isinstance(ip.user_ns["f"], Definition)  # made before the error: kept


def test_syntax_error_lines_count_the_magic_line(ip):
    ran = run(ip, "%%cajal\n-- a comment\ndef g (x : 𝟚) : 𝟚 =\n  if x then ff tt")
    assert isinstance(ran.error, cajal.CajalSyntaxError)
    assert ran.stdout == (
        "CajalSyntaxError: line 4, column 18: expected `else` after the then-branch of `if`, "
        "but found the end of the input\n"
        "4 |   if x then ff tt\n"
        "  |                  ^\n"
        "hint: every `if` needs an `else` branch: `if c then a else b`\n")


def test_a_failing_cell_fails(ip):
    ip.run_cell("%%cajal\ntt tt", store_history=False)
    assert ip.last_execution_succeeded is False


def test_internal_errors_are_short(ip, monkeypatch):
    def boom(*args, **kwargs):
        raise ValueError("boom")
    monkeypatch.setattr(ip._cajal_session, "run", boom)
    ran = run(ip, "%%cajal\ntt")
    assert type(ran.error).__name__ == "CajalInternalError"
    assert ran.stdout.startswith("CajalInternalError: internal error (ValueError: boom)\nhint: this is a bug")
    assert "Traceback" not in ran.stdout + ran.stderr


def test_interrupt_is_short_and_keeps_earlier_definitions(ip, monkeypatch):
    real = ip._cajal_session.run

    def interrupted(source, first_line=1):
        real("def early = tt")
        raise KeyboardInterrupt
    monkeypatch.setattr(ip._cajal_session, "run", interrupted)
    ran = run(ip, "%%cajal\nlong")
    assert isinstance(ran.error, KeyboardInterrupt)
    assert ran.stdout.startswith("KeyboardInterrupt: the Cajal computation was interrupted")
    assert "Traceback" not in ran.stdout + ran.stderr
    assert isinstance(ip.user_ns["early"], Definition)


# ---------------------------------------------------------------------------- completion


def completions(ip, code: str) -> list[str]:
    from IPython.core.completer import provisionalcompleter
    with provisionalcompleter():
        return [c.text for c in ip.Completer.completions(code, len(code))]


def test_completion_in_cajal_cells(ip):
    assert run(ip, NOT_AND).ok
    assert completions(ip, "%%cajal\nno") == ["not"]
    assert completions(ip, "%%cajal\n\\lambda") == ["λ"]
    assert completions(ip, "%%cajal\nλx:𝟚. λy:") == ["Bool", "Nat"]
    assert "xs" in completions(ip, "%%cajal\nλxs:𝟚. x")
    assert "not_" in completions(ip, "no")  # Python cells complete Python


# ---------------------------------------------------------------------------- linking (compiler)


def test_calls_with_bools_batches_soft_inputs_and_keywords(ip):
    import torch
    assert run(ip, NOT_AND).ok
    not_, and_ = ip.user_ns["not_"], ip.user_ns["and_"]
    assert not_(True).tolist() == [0.0, 1.0]
    assert and_(True, False).tolist() == [0.0, 1.0]
    assert and_(x=True, y=True).tolist() == [1.0, 0.0]
    batch = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    assert not_(batch).tolist() == [[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]
    soft = not_(torch.tensor([0.3, 0.7]))
    assert torch.allclose(soft, torch.tensor([0.7, 0.3]))


def test_gradients_flow_through_a_definition(ip):
    import torch
    assert run(ip, NOT_AND).ok
    x = torch.tensor([0.6, 0.4], requires_grad=True)
    y = torch.tensor([0.9, 0.1], requires_grad=True)
    ip.user_ns["and_"](x, y)[0].backward()
    assert torch.isfinite(x.grad).all() and torch.isfinite(y.grad).all()
    assert torch.allclose(x.grad, torch.tensor([0.9, 0.0]))


# ---------------------------------------------------------------------------- end to end


def execute_notebook(nb, tmp_path):
    from nbclient import NotebookClient
    client = NotebookClient(nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(tmp_path)}})
    return client.execute()


@pytest.mark.slow
def test_smoke_notebook_trains_a_linked_model(tmp_path):
    import nbformat
    nb = nbformat.read(ROOT / "notebooks" / "magic-smoke.ipynb", as_version=4)
    execute_notebook(nb, tmp_path)
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "parity : ℕ ⊸ 𝟚" in text and "loss" in text


@pytest.mark.slow
def test_an_error_stops_run_all_with_a_short_message(tmp_path):
    import nbformat
    from nbclient.exceptions import CellExecutionError
    from nbformat.v4 import new_code_cell, new_notebook
    nb = new_notebook(cells=[
        new_code_cell("%load_ext cajal_magic"),
        new_code_cell("%%cajal --show type,value\ndef f (x : 𝟚) : 𝟚 = x\nf ff\nλx:𝟚. tt"),
        new_code_cell("after = True"),
    ])
    with pytest.raises(CellExecutionError):
        execute_notebook(nb, tmp_path)
    assert nb.cells[2].get("outputs", []) == [] and nb.cells[2].get("execution_count") is None
    outputs = nb.cells[1].outputs
    assert [o.output_type for o in outputs] == ["stream", "display_data", "error"]
    assert outputs[1].data["text/plain"] == "ff : 𝟚"
    error = outputs[2]
    assert error.ename == "CajalTypeError"
    assert error.traceback == [
        "CajalTypeError: line 4, column 2: `x` is never used",
        "4 | λx:𝟚. tt",
        "  |  ^",
        "hint: every variable is linear: use `x` exactly once in the body "
        "(Cajal has no weakening, so an unused argument is an error)",
    ]
    nbformat.validate(nb)


# ---------------------------------------------------------------------------- .cj files


def test_load_in_a_cell_binds_the_files_definitions_in_python(ip, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lib.cj").write_text("def not (x : 𝟚) : 𝟚 = if x then ff else tt\n"
                                     "def parity (n : ℕ) : 𝟚 = iter{tt | y ↪ not y}(n)\n", encoding="utf-8")
    ran = run(ip, "%%cajal\n:load lib.cj\nparity 3")
    assert ran.ok, ran.error
    assert ran.stdout.startswith("loaded lib.cj\nnot : 𝟚 ⊸ 𝟚\nparity : ℕ ⊸ 𝟚\n")
    assert isinstance(ip.user_ns["not_"], Definition) and ip.user_ns["parity"].eval(4) is True
    ran = run(ip, "%cajal :load lib.cj")
    assert ran.ok, ran.error


def test_load_errors_in_the_magic_name_the_file(ip, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.cj").write_text("def ok : 𝟚 = tt\n\ndef no : 𝟚 = (ok\n", encoding="utf-8")
    ran = run(ip, "%%cajal\n:load bad.cj")
    assert isinstance(ran.error, cajal.CajalSyntaxError)
    assert str(ran.error).startswith("CajalSyntaxError: bad.cj:3:")
    assert isinstance(ip.user_ns["ok"], Definition)  # made before the error: kept
    ran = run(ip, "%%cajal\n:load missing.cj")
    assert str(ran.error).startswith("CajalError: line 2, column 1: there is no file `missing.cj`")


def test_text_after_the_options_is_echoed_in_one_short_line(ip):
    ran = run(ip, "%%cajal --ascii " + "junk " * 1600 + "\ntt")
    assert type(ran.error).__name__ == "UsageError"
    assert str(ran.error).startswith("unexpected `junk junk junk junk junk junk junk junk…` after the options")
    assert len(str(ran.error)) < 300 and "\n" not in str(ran.error)
