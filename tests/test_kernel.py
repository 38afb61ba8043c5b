"""The Cajal Jupyter kernel, through jupyter_client: messages, errors, interrupts, editor help.

One kernel serves the whole module (tests that change settings put them back). The kernelspec
is installed into a temporary prefix with `python -m cajal_kernel install --prefix`, and found
through JUPYTER_PATH, as an editable install needs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from queue import Empty

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60
PRELUDE = """%%cajal --quiet
def not (x : 𝟚) : 𝟚 = if x then ff else tt
def and (x : 𝟚) (y : 𝟚) : 𝟚 = if x then y else (if y then ff else ff)
"""


def install_kernelspec(prefix: Path) -> Path:
    subprocess.run([sys.executable, "-m", "cajal_kernel", "install", "--prefix", str(prefix)],
                   check=True, capture_output=True, text=True, timeout=120)
    return prefix / "share" / "jupyter"


@pytest.fixture(scope="module")
def jupyter_path(tmp_path_factory):
    data = install_kernelspec(tmp_path_factory.mktemp("prefix"))
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(data) + (os.pathsep + old if old else "")
    yield data
    if old is None:
        del os.environ["JUPYTER_PATH"]
    else:
        os.environ["JUPYTER_PATH"] = old


@pytest.fixture(scope="module")
def kernel(jupyter_path):
    from jupyter_client.manager import start_new_kernel
    km, kc = start_new_kernel(kernel_name="cajal", startup_timeout=TIMEOUT)
    # definitions many tests use (each test can run alone)
    reply = kc.execute_interactive(PRELUDE, timeout=TIMEOUT, output_hook=lambda msg: None)
    assert reply["content"]["status"] == "ok"
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


@pytest.fixture
def kc(kernel):
    km, kc = kernel
    _drain(kc)
    return kc


@pytest.fixture
def km(kernel):
    return kernel[0]


def _drain(kc):
    for channel in (kc.iopub_channel, kc.shell_channel):
        while True:
            try:
                channel.get_msg(timeout=0.05)
            except Empty:
                break


class Executed:
    def __init__(self, reply, messages):
        self.reply = reply
        self.messages = messages  # iopub output messages (no status / execute_input)

    @property
    def status(self):
        return self.reply["content"]["status"]

    def of(self, msg_type):
        return [m["content"] for m in self.messages if m["msg_type"] == msg_type]

    @property
    def stdout(self):
        return "".join(c["text"] for c in self.of("stream") if c["name"] == "stdout")


def execute(kc, code: str, timeout: float = TIMEOUT) -> Executed:
    msg_id = kc.execute(code)
    return collect(kc, msg_id, timeout)


def collect(kc, msg_id: str, timeout: float = TIMEOUT) -> Executed:
    messages = []
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
        if msg["msg_type"] not in ("status", "execute_input"):
            messages.append(msg)
    while True:
        reply = kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
        if reply["parent_header"].get("msg_id") == msg_id:
            return Executed(reply, messages)


def shell_request(kc, method, *args, **kwargs):
    msg_id = getattr(kc, method)(*args, **kwargs)
    while True:
        reply = kc.get_shell_msg(timeout=TIMEOUT)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


# ---------------------------------------------------------------------------- routing (no kernel)


def test_cell_transformer():
    from cajal_kernel.kernel import cajal_cells
    assert cajal_cells(["tt\n"]) == ["%%cajal --first-line 1\n", "tt\n"]
    assert cajal_cells(["%%python\n", "x = 1\n"]) == ["# %%python\n", "x = 1\n"]
    assert cajal_cells(["%%python3  # c\n", "x = 1\n"]) == ["# %%python3  # c\n", "x = 1\n"]
    assert cajal_cells(["\n", "%%cajal --ascii\n", "tt\n"]) == ["%%cajal --ascii --first-line 3\n", "tt\n"]
    assert cajal_cells(["%%time\n", "tt\n"]) == ["%%time\n", "tt\n"]
    assert cajal_cells(["\n", "  \n"]) == ["\n", "  \n"]


# ---------------------------------------------------------------------------- start-up


def test_starts_without_torch(kc):
    # must run before anything compiles: kernel_info is answered before torch is imported
    ran = execute(kc, "%%python\nimport sys\nprint('torch' in sys.modules, 'graphviz' in sys.modules)")
    assert ran.stdout == "False False\n"


def test_kernel_uses_the_temporary_homes(kc):
    """The kernel's history, profile and Jupyter dirs are the test's (tests/conftest.py), never
    the real ~/.ipython or ~/.local/share/jupyter."""
    ran = execute(kc, "%%python\nimport jupyter_core.paths as p\n"
                      "print(get_ipython().profile_dir.location)\nprint(get_ipython().history_manager.hist_file)\n"
                      "print(p.jupyter_data_dir())\nprint(p.jupyter_config_dir())\nprint(p.jupyter_runtime_dir())")
    locations = ran.stdout.split()
    assert len(locations) == 5, ran.stdout
    home = Path(os.environ["IPYTHONDIR"]).parent
    for location in locations:
        assert Path(location).resolve().is_relative_to(home.resolve()), location
    assert not any(loc.startswith(str(Path.home() / ".ipython")) for loc in locations)


def test_kernel_info(kc):
    info = shell_request(kc, "kernel_info")
    assert info["implementation"] == "cajal_kernel"
    lang = info["language_info"]
    assert lang["name"] == "cajal" and lang["file_extension"] == ".cj" and lang["mimetype"] == "text/x-cajal"
    assert lang["pygments_lexer"] == "cajal" and lang["codemirror_mode"] == "cajal"
    links = [link["url"] for link in info["help_links"]]
    assert links and all(url.startswith("https://") for url in links)  # a browser blocks file://
    assert info["banner"].startswith("Cajal ")


def test_kernelspec_is_installed_with_logos(jupyter_path):
    spec_dir = jupyter_path / "kernels" / "cajal"
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec["display_name"] == "Cajal" and spec["language"] == "cajal"
    assert spec["argv"][1:] == ["-m", "cajal_kernel", "-f", "{connection_file}"]
    for logo in ("logo-svg.svg", "logo-64x64.png", "logo-32x32.png"):
        assert (spec_dir / logo).stat().st_size > 0


def test_shipped_kernelspec_says_python():
    spec = json.loads((ROOT / "share/jupyter/kernels/cajal/kernel.json").read_text())
    assert spec["argv"][0] == "python" and spec["display_name"] == "Cajal"


def test_install_options(tmp_path):
    out = subprocess.run([sys.executable, "-m", "cajal_kernel", "install", "--help"],
                         capture_output=True, text=True, timeout=60)
    assert "--user" in out.stdout and "--sys-prefix" in out.stdout and "--prefix" in out.stdout
    out = subprocess.run([sys.executable, "-m", "cajal_kernel", "install", "--user", "--prefix", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "not allowed with" in out.stderr


# ---------------------------------------------------------------------------- cells


def test_def_prints_its_signature(kc):
    ran = execute(kc, "def or (x : 𝟚) (y : 𝟚) : 𝟚 =\n  if x then (if y then tt else tt) else y\n"
                      "def nor (x : 𝟚) (y : 𝟚) : 𝟚 = not (or x y)")
    assert ran.status == "ok"
    assert ran.stdout == "or : 𝟚 ⊸ 𝟚 ⊸ 𝟚\nnor : 𝟚 ⊸ 𝟚 ⊸ 𝟚\nnote: `or` is a Python keyword, so in Python use `or_`\n"
    assert ran.of("execute_result") == [] and ran.of("error") == []


def test_bare_term_is_an_execute_result(kc):
    ran = execute(kc, "not tt")
    assert ran.status == "ok"
    [result] = ran.of("execute_result")
    assert result["data"]["text/plain"] == "ff : 𝟚\n[0, 1]"
    assert "text/html" in result["data"]  # the compiled vector


def test_earlier_terms_are_display_data(kc):
    ran = execute(kc, "tt\nff")
    assert [m["msg_type"] for m in ran.messages] == ["display_data", "execute_result"]
    assert ran.of("display_data")[0]["data"]["text/plain"] == "tt : 𝟚\n[1, 0]"


def test_directive_views_are_display_data(kc):
    ran = execute(kc, ":derive λx:𝟚. x\n:compile not")
    assert ran.status == "ok"
    shown = ran.of("display_data")
    assert len(shown) == 2 and all("text/html" in d["data"] for d in shown)


def test_graph_is_display_data(kc):
    ran = execute(kc, ":graph λn:ℕ. iter{tt | y ↪ not y}(n)")
    assert ran.status == "ok"
    [shown] = ran.of("display_data")
    assert shown["data"]["text/plain"].startswith("λn:ℕ. iter{tt | y ↪ not y}(n) : ℕ ⊸ 𝟚")
    assert len(shown["data"]) > 1  # a picture (SVG) or HTML besides the text


def test_step_widget(kc):
    ran = execute(kc, ":step not (not tt)")
    assert ran.status == "ok", ran.of("error")
    assert any("application/vnd.jupyter.widget-view+json" in d["data"] for d in ran.of("display_data"))
    assert ran.of("comm_open")


def test_error_is_one_message_with_the_caret_snippet(kc):
    ran = execute(kc, "-- the line numbers are the cell's own\n\nnot tt tt")
    assert ran.status == "error"
    assert [m["msg_type"] for m in ran.messages] == ["error"]
    [error] = ran.of("error")
    assert error["ename"] == "CajalTypeError"
    assert error["traceback"] == [
        "CajalTypeError: line 3, column 1: this has type 𝟚, which is not a function, so it cannot be applied",
        "3 | not tt tt",
        "  | ^^^^^^",
        "hint: only terms of a type τ₁ ⊸ τ₂ can be applied to an argument",
    ]
    content = ran.reply["content"]
    assert content["ename"] == "CajalTypeError" and content["traceback"] == error["traceback"]


def test_syntax_error(kc):
    ran = execute(kc, "λx:𝟚 -> 𝟚. x")
    [error] = ran.of("error")
    assert error["ename"] == "CajalSyntaxError"
    assert error["traceback"][:3] == ["CajalSyntaxError: line 1, column 6: `->` is not a Cajal arrow",
                                      "1 | λx:𝟚 -> 𝟚. x", "  |      ^^"]


def test_results_before_an_error_are_shown(kc):
    ran = execute(kc, "def ok = tt\nok\nff tt")
    assert [m["msg_type"] for m in ran.messages] == ["stream", "display_data", "error"]
    assert ran.stdout == "ok : 𝟚\n"


def test_queued_cells_are_aborted_after_an_error(kc):
    # the first cell computes for a while before its error, so the second is surely queued
    first = kc.execute(":eval iter{0 | y ↪ succ y}(100000)\ntt tt")
    second = kc.execute("tt")
    assert collect(kc, first).status == "error"
    assert collect(kc, second).status == "aborted"
    assert execute(kc, "tt").status == "ok"


def test_fifty_failing_cells_and_the_kernel_still_answers(kc):
    for i in range(50):
        code = ["tt tt", "λx:𝟚. tt", "(((", "→", "\x00", ":nope", "iter{tt | y ↪ y}(ff)"][i % 7]
        ran = execute(kc, code)
        assert ran.status == "error" and len(ran.of("error")) == 1
        assert ran.of("error")[0]["ename"] in ("CajalTypeError", "CajalSyntaxError"), ran.of("error")
        assert not any("Traceback" in line for line in ran.of("error")[0]["traceback"])
    assert execute(kc, "succ 2").of("execute_result")[0]["data"]["text/plain"] == "3 : ℕ\n[0, 0, 0, 1, 0, 0, 0, 0, 0, 0]"


def test_names_the_host_relies_on_cannot_break_the_kernel(kc):
    """`def get_ipython …` used to make every later cell fail; `def __builtins__ …` broke every
    Python cell. They stay Cajal-only, and the cell says so."""
    ran = execute(kc, "def get_ipython (x : 𝟚) : 𝟚 = x\ndef __builtins__ (x : 𝟚) : 𝟚 = x\ndef _ (x : 𝟚) : 𝟚 = x")
    assert ran.status == "ok"
    assert ran.stdout.count("is a name IPython or Python relies on, so it is not bound in Python") == 3
    assert "keyword" not in ran.stdout
    assert execute(kc, "get_ipython (__builtins__ (_ tt))").of("execute_result")[0]["data"]["text/plain"] == "tt : 𝟚\n[1, 0]"
    ran = execute(kc, "%%python\nprint(len([1, 2]), type(get_ipython()).__name__)")
    assert ran.status == "ok" and ran.stdout == "2 ZMQInteractiveShell\n"
    assert execute(kc, "%time 1").status == "ok"


def test_python_cells_see_definitions(kc):
    assert execute(kc, "def id (x : 𝟚) : 𝟚 = x").status == "ok"
    ran = execute(kc, "%%python\nprint(type(not_).__name__, type(id).__name__, not_.eval(False), and_.eval(True, True))")
    assert ran.stdout == "Definition Definition True True\n"
    assert execute(kc, "def or (x : 𝟚) (y : 𝟚) : 𝟚 = if x then (if y then tt else tt) else y").status == "ok"
    assert execute(kc, "%%python\nprint(or_.eval(False, True), 'or' in globals())").stdout == "True False\n"
    ran = execute(kc, "%%python\nimport torch\nprint(not_(torch.tensor([[1.0, 0.0], [0.2, 0.8]])).flatten().tolist())")
    assert ran.status == "ok", ran.of("error")
    assert json.loads(ran.stdout) == pytest.approx([0.0, 1.0, 0.8, 0.2])


def test_python_cell_line_numbers_match_the_cell(kc):
    ran = execute(kc, "%%python\nx = 1\n1 / 0")
    [error] = ran.of("error")
    assert error["ename"] == "ZeroDivisionError"
    assert "line 3" in "\n".join(error["traceback"])


@pytest.mark.parametrize("header", ["%%python  # a comment", "%%python3", "%%python3 # c", "\n%%python"])
def test_python_cell_headers_run_in_the_kernel(kc, header):
    """Every spelling of a Python cell runs in-kernel, with the definitions (not IPython's
    subprocess magic, which cannot see them)."""
    ran = execute(kc, f"{header}\nprint(not_.eval(False))\n1 / 0")
    assert ran.stdout == "True\n"
    [error] = ran.of("error")
    assert error["ename"] == "ZeroDivisionError" and "CalledProcessError" not in str(error)
    assert f"line {header.count(chr(10)) + 3}" in "\n".join(error["traceback"])


def test_python_cell_with_options_gives_a_clean_message(kc):
    ran = execute(kc, "%%python --bg\nprint(1)")
    assert ran.status == "error" and ran.stdout == ""
    text = "\n".join(c.get("text", "") for c in ran.of("stream")) + str(ran.of("error"))
    assert "takes no options" in text and "--bg" in text
    assert "Traceback" not in text and "CalledProcessError" not in text


def test_other_magics_keep_working(kc):
    ran = execute(kc, "%%time\nnot ff")
    assert ran.status == "ok" and "Wall time" in ran.stdout
    assert ran.of("execute_result")[0]["data"]["text/plain"] == "tt : 𝟚\n[1, 0]"
    ran = execute(kc, "%who Definition")
    assert "not_" in ran.stdout
    ran = execute(kc, "%%html\n<b>bold</b>")
    assert ran.of("display_data")[0]["data"]["text/html"].strip() == "<b>bold</b>"


def test_explicit_cajal_header_counts_its_line(kc):
    ran = execute(kc, "\n%%cajal --ascii\nλx:𝟚. x\ntt tt")
    assert ran.of("error")[0]["traceback"][0].startswith("CajalTypeError: line 4, column 1:")
    assert ran.of("display_data")[0]["data"]["text/plain"].startswith("\\x:Bool. x : Bool -o Bool")


def test_cell_magic_bodies_are_cajal_or_python(kc):
    ran = execute(kc, "%%capture captured\nnot tt")
    assert ran.status == "ok" and ran.messages == []
    assert execute(kc, "%%python\nprint(captured.outputs[0].data['text/plain'])").stdout == "ff : 𝟚\n[0, 1]\n"
    ran = execute(kc, "%%time\n%%python\nz = 6 * 7\nprint(z)")
    assert ran.status == "ok" and ran.stdout.startswith("42\n")


def test_set_nat_dim_persists(kc):
    try:
        assert execute(kc, ":set nat_dim 4").stdout == "nat_dim = 4 (ℕ holds 0…3)\n"
        assert execute(kc, "def up (n : ℕ) : ℕ = succ n").status == "ok"
        ran = execute(kc, "%%python\nprint(tuple(up.matrix.shape))")
        assert ran.stdout == "(4, 4)\n", ran.of("error")
        ran = execute(kc, "up 3")
        assert ran.of("execute_result")[0]["data"]["text/plain"].startswith("4 : ℕ\n")  # exact evaluation is unbounded
    finally:
        assert execute(kc, ":set nat_dim 10").status == "ok"


def test_size_guard_refuses_before_allocating(kc):
    try:
        assert execute(kc, ":set nat_dim 30000").status == "ok"
        ran = execute(kc, ":compile λn:ℕ. succ n")  # a 30000 × 30000 matrix: 3.4 GiB
        assert ran.status == "error"
        [error] = ran.of("error")
        assert error["ename"] == "CajalError" and "above the size limit" in error["traceback"][0]
        assert not any("Traceback" in line for line in error["traceback"])
        ran = execute(kc, "λn:ℕ. succ n")  # a bare term: its value, and a note instead of the matrix
        assert ran.status == "ok"
        data = ran.of("execute_result")[0]["data"]
        assert data["text/plain"].startswith("λn:ℕ. succ n : ℕ ⊸ ℕ")
        assert "size limit" in data.get("text/html", data["text/plain"])
    finally:
        assert execute(kc, ":set nat_dim 10").status == "ok"
    assert execute(kc, "tt").status == "ok"


def test_internal_errors_are_short(kc):
    ran = execute(kc, "%%python\nimport cajal_magic\ncajal_magic.get_session()._run_item = lambda *a: 1 / 0")
    assert ran.status == "ok"
    try:
        ran = execute(kc, "tt")
        assert ran.status == "error"
        [error] = ran.of("error")
        assert error["ename"] == "CajalInternalError"
        assert error["traceback"][0] == "CajalInternalError: internal error (ZeroDivisionError: division by zero)"
        assert len(error["traceback"]) == 2
    finally:
        execute(kc, "%%python\ndel cajal_magic.get_session()._run_item")
    assert execute(kc, "tt").status == "ok"


# ---------------------------------------------------------------------------- interrupt


# A computation that runs far longer than any test (10¹² steps in constant memory): the
# innermost `iter` is jumped over, but the two around it inspect their ℕ states (each one's
# count is the state), so neither a cycle nor a drift shortens them, and each count is within
# the step budget. (`iter{0 | y ↪ succ y}(10¹¹)` is jumped over at once, so it no longer runs.)
LONG = ":eval iter{0 | y ↪ iter{y | z ↪ iter{1 | w ↪ succ w}(z)}(999999)}(999999)"


def _cpu_seconds(km) -> float:
    """The CPU time the kernel process has used (Linux /proc): rising while it computes."""
    fields = Path(f"/proc/{km.provisioner.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _interrupt_after_start(kc, km, code):
    """Run `code`, and interrupt it once it is computing: when the cell has started and the
    kernel has then used 0.3 s of CPU time (not after a fixed sleep)."""
    msg_id = kc.execute(code)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:  # wait until the cell runs
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "execute_input":
            break
    started = _cpu_seconds(km)
    while _cpu_seconds(km) - started < 0.3 and time.monotonic() < deadline:
        time.sleep(0.02)  # polling the condition, with a deadline
    km.interrupt_kernel()
    return collect(kc, msg_id)


def test_interrupt_a_cajal_computation(kc, km):
    ran = _interrupt_after_start(kc, km, LONG)
    assert ran.status == "error"
    [error] = ran.of("error")
    assert "KeyboardInterrupt" in error["traceback"][0]
    assert not any("Traceback" in line or ".py" in line for line in error["traceback"])
    assert execute(kc, "not tt").of("execute_result")[0]["data"]["text/plain"] == "ff : 𝟚\n[0, 1]"


def test_interrupt_ends_a_cell_that_is_displaying(kc, km):
    """Displaying is interruptible: a cell of many terms, each displayed with its compiled
    matrix, ends with an error reply promptly after the interrupt (it used to catch the
    interrupt in each display and go on, finishing `ok` a minute and a half later)."""
    assert execute(kc, ":set nat_dim 200").status == "ok"
    try:
        msg_id = kc.execute("λx:ℕ. succ x\n" * 300)
        while True:  # wait until the cell displays its results
            msg = kc.get_iopub_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "display_data":
                break
        km.interrupt_kernel()
        ran = collect(kc, msg_id)  # how soon it ends: benchmarks/bench_guards.py
        assert ran.status == "error" and ran.reply["content"]["ename"] == "CajalInterrupt"
        assert len(ran.of("display_data")) < 299
        [error] = ran.of("error")
        assert not any("Traceback" in line or ".py" in line for line in error["traceback"])
    finally:
        assert execute(kc, ":set nat_dim 10").status == "ok"
    assert execute(kc, "not tt").of("execute_result")[0]["data"]["text/plain"] == "ff : 𝟚\n[0, 1]"


def test_interrupt_keeps_what_the_cell_made(kc, km):
    ran = _interrupt_after_start(kc, km, "def kept (x : 𝟚) : 𝟚 = x\n" + LONG)
    assert ran.status == "error" and ran.reply["content"]["ename"] == "CajalInterrupt"
    assert ran.stdout == "kept : 𝟚 ⊸ 𝟚\n"
    assert execute(kc, "kept tt").of("execute_result")[0]["data"]["text/plain"] == "tt : 𝟚\n[1, 0]"


def test_interrupt_python(kc, km):
    ran = _interrupt_after_start(kc, km, "%%python\nwhile True:\n    pass")
    assert ran.status == "error" and ran.reply["content"]["ename"] == "KeyboardInterrupt"
    assert execute(kc, "tt").status == "ok"


# ---------------------------------------------------------------------------- editor help


def test_complete_keywords_definitions_and_bound_variables(kc):
    reply = shell_request(kc, "complete", "ite")
    assert reply["matches"] == ["iter"] and (reply["cursor_start"], reply["cursor_end"]) == (0, 3)
    reply = shell_request(kc, "complete", "tt\nan")
    assert reply["matches"] == ["and"] and reply["cursor_start"] == 3
    [item] = reply["metadata"]["_jupyter_types_experimental"]
    assert item == {"start": 3, "end": 5, "text": "and", "type": "function", "signature": "and : 𝟚 ⊸ 𝟚 ⊸ 𝟚"}
    code = "def f (flag : 𝟚) (count : ℕ) : ℕ =\n  iter{count | fl2 ↪ succ fl2}(if fl"
    reply = shell_request(kc, "complete", code)
    assert reply["matches"] == ["flag"]  # fl2 is out of scope after `}`
    types = reply["metadata"]["_jupyter_types_experimental"]
    assert types[0]["type"] == "variable" and types[0]["signature"] == "flag : 𝟚"
    reply = shell_request(kc, "complete", "λx:𝟚. λy:")
    assert reply["matches"] == ["Bool", "Nat"]
    reply = shell_request(kc, "complete", ":se")
    assert reply["matches"] == [":set"]


def test_a_hole_completes_with_what_fits_and_refuses_to_run(kc):
    code = "λa:𝟚. λb:ℕ. if ?h then b else b"
    reply = shell_request(kc, "complete", code, code.index("?h") + 2)
    # the 𝟚 still available first, then definitions of type 𝟚 that other tests made (b is used by
    # the branches; not, and are functions)
    assert reply["matches"][0] == "a" and not {"b", "not", "and"} & set(reply["matches"])
    assert (reply["cursor_start"], reply["cursor_end"]) == (code.index("?h"), code.index("?h") + 2)
    ran = execute(kc, code)
    assert ran.status == "error"
    [error] = ran.of("error")
    assert error["traceback"][0] == "CajalError: line 1, column 16: the hole ?h : 𝟚 is not filled in"


@pytest.mark.parametrize("typed,symbol", [("\\lambda", "λ"), ("\\multimap", "⊸"), ("\\to", "⊸"),
                                          ("\\hookrightarrow", "↪"), ("\\bbN", "ℕ"), ("\\bbtwo", "𝟚")])
def test_complete_latex_names(kc, typed, symbol):
    code = "λx:𝟚 " + typed
    reply = shell_request(kc, "complete", code, len(code))
    assert reply["matches"] == [symbol]
    assert (reply["cursor_start"], reply["cursor_end"]) == (len(code) - len(typed), len(code))


def test_complete_in_python_and_magic_cells(kc):
    reply = shell_request(kc, "complete", "%%python\nimport o", len("%%python\nimport o"))
    assert "os" in reply["matches"] and reply["cursor_start"] == len("%%python\nimport ")
    reply = shell_request(kc, "complete", "%%pyth", 6)
    assert any(m.startswith("%%python") for m in reply["matches"])


def test_inspect(kc):
    reply = shell_request(kc, "inspect", "not tt", 1)
    assert reply["found"]
    assert reply["data"]["text/plain"].startswith("not : 𝟚 ⊸ 𝟚\n\ndef not (x : 𝟚) : 𝟚 = if x then ff else tt")
    reply = shell_request(kc, "inspect", "iter{tt | y ↪ y}(2)", 2)
    assert "(iter)" in reply["data"]["text/plain"] and "Δ₁ ∘ Δ₂ ∘ Δ₃" in reply["data"]["text/plain"]
    for word in ("if", "λ", "succ"):
        code = {"if": "if tt then ff else tt", "λ": "λx:𝟚. x", "succ": "succ 1"}[word]
        text = shell_request(kc, "inspect", code, 1)["data"]["text/plain"]
        assert f"({word})" in text
    reply = shell_request(kc, "inspect", "λn:ℕ. iter{tt | y ↪ not y}(n)", len("λn:ℕ. iter{tt | y ↪ not y"))
    assert reply["data"]["text/plain"].startswith("y : 𝟚")
    reply = shell_request(kc, "inspect", "λn:ℕ. iter{tt | y ↪ not y}(n", len("λn:ℕ. iter{tt | y ↪ not y}(n"))
    assert reply["data"]["text/plain"].startswith("n : ℕ")
    assert shell_request(kc, "inspect", "   ", 1)["found"] is False
    reply = shell_request(kc, "inspect", "%%python\nlen", len("%%python\nlen"))
    assert reply["found"] and "len" in reply["data"]["text/plain"]


@pytest.mark.slow
def test_every_completion_and_inspection_is_answered(kc):
    """A cursor out of range (negative, past the end, a stale one from an edited cell) is
    moved to the nearest end of the code: every request gets its reply, promptly."""
    codes = ["tt", "", "λx:𝟚. x", "%%python\nprint(1)", "%%python\n", "%time 1", "%%cajal\ntt", "\n\n", "len"]
    for code in codes:
        for cursor in (-5, -1, len(code) + 1, 10**6):
            for method in ("complete", "inspect"):
                msg_id = getattr(kc, method)(code, cursor)
                reply = kc.get_shell_msg(timeout=10)
                assert reply["parent_header"]["msg_id"] == msg_id
                assert reply["content"]["status"] == "ok", (method, code, cursor, reply["content"])
    end = shell_request(kc, "complete", "ite", 3)
    assert shell_request(kc, "complete", "ite", 99)["matches"] == end["matches"] == ["iter"]


@pytest.mark.parametrize("code,status", [
    ("tt", "complete"), ("", "complete"), (":type not", "complete"), ("def f (x : 𝟚) : 𝟚 = x", "complete"),
    ("(not", "incomplete"), ("iter{tt | y ↪ y", "incomplete"), ("if tt then", "incomplete"),
    ("if tt then ff else", "incomplete"), ("let x = tt in", "incomplete"), ("def f =", "incomplete"),
    ("λx:𝟚.", "incomplete"), ("iter{tt | y ↪", "incomplete"), ("def f (x : 𝟚) : 𝟚 =\n  x", "incomplete"),
    ("def f (x : 𝟚) : 𝟚 =\n  x\n", "complete"),
    ("tt $", "invalid"), ("λx:𝟚 -> 𝟚. x", "invalid"), ("tt)", "invalid"),
    ("%%python\nfor i in range(3):", "incomplete"), ("%%python\nx = 1", "complete"),
    ("%%python", "incomplete"), ("%%python\n", "incomplete"), ("%%python3  # c", "incomplete"),
    ("%%python3\nx = 1", "complete"),
])
def test_is_complete(kc, code, status):
    reply = shell_request(kc, "is_complete", code)
    assert reply["status"] == status, (code, reply)
    if status == "incomplete" and not code.startswith("%%"):
        assert reply["indent"] == "  "


# ---------------------------------------------------------------------------- .cj files


def test_load_brings_a_files_definitions_in_relative_to_the_working_directory(kc, tmp_path):
    (tmp_path / "gates.cj").write_text("def xor (x : 𝟚) (y : 𝟚) : 𝟚 = if x then not y else y\n"
                                       "def bad : 𝟚 =\n  xor tt\n", encoding="utf-8")
    (tmp_path / "good.cj").write_text("def nand (x : 𝟚) (y : 𝟚) : 𝟚 = not (and x y)\n", encoding="utf-8")
    assert execute(kc, f"%%python\nimport os\n_cwd = os.getcwd()\nos.chdir({str(tmp_path)!r})").status == "ok"
    try:
        ran = execute(kc, ":load good.cj\nnand tt tt")
        assert ran.status == "ok"
        assert ran.stdout == "loaded good.cj\nnand : 𝟚 ⊸ 𝟚 ⊸ 𝟚\n"
        assert ran.of("execute_result")[0]["data"]["text/plain"].startswith("ff : 𝟚")
        assert execute(kc, "%%python\nprint(nand(x=True, y=False))").stdout.startswith("tensor([1., 0.]")
        ran = execute(kc, ":load gates.cj")
        assert ran.status == "error"
        [error] = ran.of("error")
        assert error["traceback"] == [
            "CajalTypeError: gates.cj:3:3: the body of `bad` has type 𝟚 ⊸ 𝟚, but the definition says 𝟚",
            "3 |   xor tt",
            "  |   ^^^^^^",
            "hint: change the declared result type, or the body",
        ]
        assert execute(kc, "xor tt ff").of("execute_result")[0]["data"]["text/plain"].startswith("tt : 𝟚")
    finally:
        execute(kc, "%%python\nos.chdir(_cwd)")
