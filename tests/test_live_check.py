"""Live checking (`cajal.diagnostics` and the `cajal.check` comm): the editor's check of a cell
reports what running it would, with the types of its names, and changes nothing.

The pure function is tested against `Session.run` (same message, hint and span); the comm is
tested in a real Cajal kernel and in a real IPython kernel with `%load_ext cajal_magic`, through
jupyter_client, for side effects (execution count, history, definitions, output) and for
garbage, huge cells and a busy kernel.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest
from hypothesis import given
from strategies import closed_terms
from test_kernel import jupyter_path  # noqa: F401 (the kernelspec in a temporary prefix)

from cajal import diagnostics
from cajal.errors import CajalError
from cajal.session import Session

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60
NOT = "def not (x : 𝟚) : 𝟚 = if x then ff else tt"


def session_with_not() -> Session:
    session = Session()
    session.run(NOT)
    return session


def js_slice(text: str, start: int, end: int) -> str:
    """text[start:end] with offsets in UTF-16 code units, as JavaScript slices."""
    return text.encode("utf-16-le")[2 * start:2 * end].decode("utf-16-le")


def snapshot(session: Session):
    return (dict(session.definitions), set(session.types), session.nat_dim)


# ---------------------------------------------------------------------------- the pure check

BAD_CELLS = [
    "def f (x : 𝟚) : 𝟚 = tt",
    "def f (x : 𝟚) : ℕ = x",
    "def g (x : 𝟚) (x : 𝟚) : 𝟚 = x",
    "not 3",
    "λx:𝟚. x x",
    "def f (x : 𝟚) : 𝟚 = x\ndef f (y : 𝟚) : 𝟚 = y",
    "type A\ndef h (a : A) : A = a\nh tt",
    "let y = tt in tt",
    "iter{tt | y ↪ not y}(ff)",
    "def broken (x : 𝟚 : 𝟚 = x",
    "tt →",
    "if tt then (λx:𝟚. x) else tt",
    "undefined_name tt",
    ":grpah not",
    ":graph --unrol not",
    ":type not 3",
    ":eval",
]


@pytest.mark.parametrize("cell", BAD_CELLS)
def test_diagnostic_is_the_error_running_reports(cell):
    ran = session_with_not()
    with pytest.raises(CajalError) as raised:
        ran.run(cell)
    err = raised.value
    session = session_with_not()
    before = snapshot(session)
    report = diagnostics.check_cell(session, cell)
    assert snapshot(session) == before
    (diagnostic,) = report.diagnostics
    assert (diagnostic.message, diagnostic.hint) == (err.message, err.hint)
    assert diagnostic.span == err.span


def test_the_issue_example_reports_on_x_with_utf16_offsets():
    cell = "def f (x : 𝟚) : 𝟚 = tt"
    message = diagnostics.as_message(diagnostics.check_cell(Session(), cell), cell)
    (d,) = message["diagnostics"]
    assert (d["from"], d["to"]) == (6, 14)  # `(x : 𝟚)`: 𝟚 counts two UTF-16 units
    assert js_slice(cell, d["from"], d["to"]) == "(x : 𝟚)"
    assert d["message"] == "`x` is never used" and d["hint"].startswith("every variable is linear")


def test_names_carry_their_types():
    session = session_with_not()
    cell = "def g (b : 𝟚) : 𝟚 = not b\nlet y = g tt in not y\niter{zero | n ↪ succ n}(3)"
    message = diagnostics.as_message(diagnostics.check_cell(session, cell), cell)
    assert message["diagnostics"] == []
    found = {(js_slice(cell, n["from"], n["to"]), n["type"]) for n in message["names"]}
    assert {("g", "𝟚 ⊸ 𝟚"), ("not", "𝟚 ⊸ 𝟚"), ("y", "𝟚"), ("n", "ℕ"), ("b", "𝟚")} <= found
    assert "g" not in session.definitions  # the cell was checked, not run


def test_a_magic_cells_offsets_count_its_header():
    cell = "%%cajal --quiet\n𝟚𝟚\ndef f (x : 𝟚) : 𝟚 = tt"
    from cajal import cells
    found = cells.classify(cell, notebook=cells.PYTHON)
    body, first_line = found.body, found.first_line
    assert (found.kind, body, first_line) == (cells.CAJAL, 16, 2)
    report = diagnostics.check_cell(Session(), cell[body:], first_line)
    (d,) = diagnostics.as_message(report, cell, body, first_line)["diagnostics"]
    text = js_slice(cell, d["from"], d["to"])
    assert text.startswith("𝟚")  # `𝟚𝟚` is a type where a term is expected; offsets count 𝟚 as 2


@given(closed_terms(max_depth=3))
def test_well_typed_terms_check_clean_and_leave_the_session(term_and_type):
    from cajal.pretty import pretty
    term, type_ = term_and_type
    session = session_with_not()
    before = snapshot(session)
    cell = f"def main : {pretty(type_)} = {pretty(term)}\nmain"
    report = diagnostics.check_cell(session, cell)
    assert report.diagnostics == ()
    assert snapshot(session) == before
    assert report.names[0].name == "main" and report.names[0].type == type_


def test_garbage_never_raises():
    session = session_with_not()
    for cell in ["", "\x00\x01", "(((((", "λ" * 1000, "(" * 5000 + "tt" + ")" * 5000, "def", ":", "::::",
                 "\n\n\n  tt", "%%cajal", "def f (x : 𝟚) : 𝟚 = x\n" * 3, "\ud800"]:
        report = diagnostics.check_cell(session, cell)
        assert len(report.diagnostics) <= 1
        diagnostics.as_message(report, cell)


# ---------------------------------------------------------------------------- the comm in real kernels


class Kernel:
    """A running kernel with a `cajal.check` comm open."""

    def __init__(self, name: str):
        from jupyter_client.manager import start_new_kernel
        self.km, self.kc = start_new_kernel(kernel_name=name, startup_timeout=TIMEOUT)
        self.open_comm()
        self.seq = 0

    def open_comm(self) -> None:
        """Open a `cajal.check` comm (again, after `%load_ext cajal_magic` closed the first)."""
        self.comm_id = uuid.uuid4().hex
        self._send("comm_open", {"comm_id": self.comm_id, "target_name": "cajal.check", "data": {}})

    def _send(self, msg_type: str, content: dict) -> str:
        msg = self.kc.session.msg(msg_type, content)
        self.kc.shell_channel.send(msg)
        return msg["header"]["msg_id"]

    def check(self, code, timeout: float = TIMEOUT) -> tuple[dict, list[dict]]:
        """Send a check; return the reply and every other iopub message it caused."""
        self.seq += 1
        msg_id = self._send("comm_msg", {"comm_id": self.comm_id, "data": {"seq": self.seq, "code": code}})
        return self.answer(msg_id, timeout)

    def answer(self, msg_id: str, timeout: float = TIMEOUT) -> tuple[dict, list[dict]]:
        reply, others = None, []
        deadline = time.monotonic() + timeout
        while True:
            msg = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "comm_msg":
                reply = msg["content"]["data"]
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return reply, others
            elif msg["msg_type"] != "status":
                others.append(msg)

    def execute(self, code: str) -> dict:
        return self.kc.execute_interactive(code, timeout=TIMEOUT, output_hook=lambda msg: None)["content"]

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def cajal_kernel(request):
    request.getfixturevalue("jupyter_path")
    kernel = Kernel("cajal")
    assert kernel.execute(NOT)["status"] == "ok"
    yield kernel
    kernel.close()


def history(kernel: Kernel) -> list:
    msg_id = kernel.kc.history(hist_access_type="tail", n=50)
    while True:
        reply = kernel.kc.get_shell_msg(timeout=TIMEOUT)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]["history"]


def test_kernel_check_reports_spans_messages_and_types(cajal_kernel):
    reply, others = cajal_kernel.check("def f (x : 𝟚) : 𝟚 = tt")
    assert reply["seq"] == cajal_kernel.seq
    (d,) = reply["diagnostics"]
    assert (d["from"], d["to"], d["message"]) == (6, 14, "`x` is never used")
    assert others == []  # nothing printed, displayed or executed
    reply, _ = cajal_kernel.check("not (not tt)")
    assert reply["diagnostics"] == []
    assert {(n["name"], n["type"]) for n in reply["names"]} == {("not", "𝟚 ⊸ 𝟚")}


def test_kernel_check_has_no_side_effects(cajal_kernel):
    count = cajal_kernel.execute("tt")["execution_count"]
    past = history(cajal_kernel)
    for cell in ["def h (b : 𝟚) : 𝟚 = b", "type Secret", ":set nat_dim 3", "not tt", ":eval not tt"]:
        reply, others = cajal_kernel.check(cell)
        assert others == [] and "diagnostics" in reply, cell
    assert history(cajal_kernel) == past
    assert cajal_kernel.execute("tt")["execution_count"] == count + 1
    assert cajal_kernel.execute("h")["status"] == "error"  # `h` was checked, never defined
    defs = cajal_kernel.kc.execute_interactive(":defs", timeout=TIMEOUT, output_hook=lambda m: None)
    assert defs["content"]["status"] == "ok"


def test_kernel_check_survives_garbage_and_huge_cells(cajal_kernel):
    for data in [None, 3, "code", {"code": 5}, {"code": ["tt"]}, {"seq": "x"}, {"code": "\x00(λ"}]:
        msg_id = cajal_kernel._send("comm_msg", {"comm_id": cajal_kernel.comm_id, "data": data})
        reply, others = cajal_kernel.answer(msg_id)
        assert others == [] and reply is not None, data
    reply, _ = cajal_kernel.check("tt\n" * 150_000)
    assert "skipped" in reply  # too long to check while typing
    reply, _ = cajal_kernel.check("%%python\nprint('not checked, not run')")
    assert reply["skipped"] == "not a Cajal cell"
    assert cajal_kernel.execute("not ff")["status"] == "ok"


def test_kernel_check_waits_while_a_cell_runs(cajal_kernel):
    """The check is answered after the running cell has finished, not in the middle of it: the
    order of the kernel's own messages shows it (the cell's idle comes before the reply)."""
    kc = cajal_kernel.kc
    running = kc.execute("%%python\nimport time\ntime.sleep(1.5)")
    cajal_kernel.seq += 1
    checking = cajal_kernel._send("comm_msg", {"comm_id": cajal_kernel.comm_id,
                                               "data": {"seq": cajal_kernel.seq, "code": "def f (x : 𝟚) : 𝟚 = tt"}})
    events, reply = [], None
    while "check done" not in events:
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        parent = msg["parent_header"].get("msg_id")
        idle = msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle"
        if parent == running and idle:
            events.append("cell done")
        elif parent == checking and msg["msg_type"] == "comm_msg":
            events.append("reply")
            reply = msg["content"]["data"]
        elif parent == checking and idle:
            events.append("check done")
    assert events == ["cell done", "reply", "check done"]
    assert reply["diagnostics"][0]["message"] == "`x` is never used"
    while kc.get_shell_msg(timeout=TIMEOUT)["parent_header"].get("msg_id") != running:
        pass


def test_kernel_check_of_a_200_line_cell_is_quick(cajal_kernel):
    cell = "\n".join(f"def n{i} (b : 𝟚) : 𝟚 = not (if b then ff else tt)" for i in range(200))
    reply, _ = cajal_kernel.check(cell)
    assert reply["diagnostics"] == [] and len(reply["names"]) >= 600


@pytest.mark.slow
@pytest.mark.usefixtures("jupyter_path")
def test_magic_registers_the_comm_in_a_python_kernel():
    kernel = Kernel("python3")
    try:
        assert kernel.execute("%load_ext cajal_magic")["status"] == "ok"
        kernel.open_comm()  # the comm opened before the extension loaded was closed
        cell = "%%cajal\ndef f (x : 𝟚) : 𝟚 = tt"
        reply, others = kernel.check(cell)
        (d,) = reply["diagnostics"]
        assert js_slice(cell, d["from"], d["to"]) == "(x : 𝟚)" and others == []
        reply, _ = kernel.check("x = 1  # Python")
        assert reply["skipped"] == "not a Cajal cell"
        assert json.dumps(reply)
    finally:
        kernel.close()


@pytest.mark.parametrize("cell, kind", [
    ("not tt", "cajal"),
    ("%%cajal\nnot tt", "cajal"),
    ("%%python\nx = 1", "python"),
    ("%%python3\nx = 1", "python"),  # the editor's own header rule used to miss this one
    ("%%python3  # a comment\nx = 1", "python"),
    ("%%time\nnot tt", "ipython"),
    ("%who", "ipython"),
    ("!ls", "ipython"),
])
def test_kernel_check_says_which_kind_of_cell_it_is(cajal_kernel, cell, kind):
    """The editor highlights a cell in the language the kernel's one header rule gives it
    (`cajal.cells.classify`), carried by every reply."""
    reply, _ = cajal_kernel.check(cell)
    assert reply["kind"] == kind
    assert ("diagnostics" in reply) == (kind == "cajal")
