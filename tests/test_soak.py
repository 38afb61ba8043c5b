"""Soak: a seeded stream of hostile cells, interrupts and editor requests against one Cajal
kernel whose address space is capped (RLIMIT_AS). The kernel never dies, every request gets a
reply, no Cajal cell shows a Python traceback, and its memory grows by less than RSS_BOUND.

The stream is the same on every run (SEED); it takes about a minute, three at most.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from queue import Empty

import pytest

SEED = 13
EVENTS = 160
CAP = 4 << 30  # the kernel's address-space limit (torch reserves ~1 GiB of it at import)
RSS_BOUND = 300 << 20  # growth allowed from after the warm-up to the end
REPLY_TIMEOUT = 60
BUDGET_S = 180

# Run by the kernelspec: cap the address space, then start the Cajal kernel.
_LAUNCH = ("import resource, runpy, sys; "
           "resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1]))); "
           "sys.argv = ['cajal_kernel', '-f', sys.argv[2]]; "
           "runpy.run_module('cajal_kernel', run_name='__main__')")

NESTED_IFS = "def deep (x : 𝟚) : 𝟚 = " + " ".join(["if x then"] * 300) + " tt" + " else ff" * 300
HOSTILE = [
    ":trace iter{tt | y ↪ if y then ff else tt}(100000)",
    ":trace " + " ".join(["if tt then"] * 1900) + " tt" + " else ff" * 1900,
    ":set nat_dim 1000000\n:step iter{0 | y ↪ succ y}(0)\n:set nat_dim 10",
    ":set nat_dim 20000\nparity 3\n:set nat_dim 10",
    ":set nat_dim 60\nλf:ℕ ⊸ ℕ. λx:ℕ. f (succ x)\n:set nat_dim 10",
    "(" * 10000 + "tt" + ")" * 10000,
    "succ " + "9" * 50000,
    "tt\x00ff",
    "def get_ipython (x : 𝟚) : 𝟚 = x",
    "def __builtins__ (x : 𝟚) : 𝟚 = x",
    "def _ (x : 𝟚) : 𝟚 = x",
    "def len (x : 𝟚) : 𝟚 = x",
    "\ufefftt",
    "λx:𝟚. x x",
    "iter{tt | y ↪",
    ":frobnicate tt",
    ":set nat_dim -3",
    ":graph λn:ℕ. iter{tt | y ↪ if y then ff else tt}(n)",
    ":derive λx:𝟚. if x then ff else tt",
    ":compile λx:𝟚. if x then ff else tt",
    "add 5 5",
    NESTED_IFS,
    "\n".join(f"def g{i} (x : 𝟚) : 𝟚 = if x then ff else tt" for i in range(300)),
    "%%python\nimport sys\nprint(len([1, 2]), callable(get_ipython))\ndel len",
    "%%python3\nprint(parity(3))",
    "%%cajal '",
    "%%cajal --nat-dim 0\ntt",
]
PRELUDE = ("def parity (n : ℕ) : 𝟚 = iter{tt | y ↪ if y then ff else tt}(n)\n"
           "def add (m : ℕ) (n : ℕ) : ℕ = iter{m | acc ↪ succ acc}(n)")
# Runs far longer than the soak, in constant memory: neither its cycles nor its drift can be
# jumped over (see LONG in tests/test_kernel.py; `iter{0 | y ↪ succ y}(10¹¹)` now ends at once).
LONG = ":eval iter{0 | y ↪ iter{y | z ↪ iter{1 | w ↪ succ w}(z)}(999999)}(999999)"


@pytest.fixture(scope="module")
def capped_kernel(tmp_path_factory):
    from jupyter_client.manager import start_new_kernel
    data = tmp_path_factory.mktemp("capped")
    spec = data / "kernels" / "cajal-capped"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", _LAUNCH, str(CAP), "{connection_file}"],
        "display_name": "Cajal (memory-capped)", "language": "cajal"}))
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(data) + (os.pathsep + old if old else "")
    km, kc = start_new_kernel(kernel_name="cajal-capped", startup_timeout=REPLY_TIMEOUT)
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    if old is None:
        del os.environ["JUPYTER_PATH"]
    else:
        os.environ["JUPYTER_PATH"] = old


def _rss(km) -> int:
    pid = km.provisioner.process.pid
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _reply(kc, msg_id: str) -> dict:
    deadline = time.monotonic() + REPLY_TIMEOUT
    while True:
        try:
            msg = kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
        except Empty:
            raise AssertionError(f"no reply to {msg_id} within {REPLY_TIMEOUT} s") from None
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def _errors(kc, msg_id: str) -> list[dict]:
    """The error outputs of a request (read from iopub until the kernel is idle again)."""
    errors = []
    deadline = time.monotonic() + REPLY_TIMEOUT
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "error":
            errors.append(msg["content"])
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return errors


def _execute(kc, code: str, interrupt_after=None, km=None) -> tuple[dict, list[dict]]:
    msg_id = kc.execute(code)
    if interrupt_after is not None:  # once the cell runs (an interrupt of an idle kernel is lost)
        while True:
            msg = kc.get_iopub_msg(timeout=REPLY_TIMEOUT)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "execute_input":
                break
        time.sleep(interrupt_after)
        km.interrupt_kernel()
    errors = _errors(kc, msg_id)
    return _reply(kc, msg_id)["content"], errors


def test_soak(capped_kernel):
    km, kc = capped_kernel
    rng = random.Random(SEED)
    started = time.monotonic()
    reply, _ = _execute(kc, PRELUDE)
    assert reply["status"] == "ok"
    for code in HOSTILE[:6]:  # warm-up: imports, first compiles, the allocator's arenas
        _execute(kc, code)
    baseline = _rss(km)
    counts = {"cell": 0, "interrupt": 0, "request": 0}
    for event in range(EVENTS):
        assert time.monotonic() - started < BUDGET_S, f"the soak ran past {BUDGET_S} s at event {event}"
        kind = rng.choices(["cell", "interrupt", "request"], weights=[5, 1, 4])[0]
        counts[kind] += 1
        if kind == "request":
            code = rng.choice(HOSTILE + [PRELUDE, "ite", "%%python\nimport o"])
            cursor = rng.choice([-5, -1, 0, len(code) // 2, len(code), len(code) + 3, 10**6])
            method = rng.choice(["complete", "inspect", "is_complete", "kernel_info"])
            msg_id = (getattr(kc, method)(code) if method == "is_complete" else kc.kernel_info() if
                      method == "kernel_info" else getattr(kc, method)(code, cursor))
            expected = ("complete", "incomplete", "invalid", "unknown") if method == "is_complete" else ("ok",)
            assert _reply(kc, msg_id)["content"]["status"] in expected, (method, code[:60], cursor)
            continue
        if kind == "interrupt":
            reply, errors = _execute(kc, LONG, interrupt_after=rng.uniform(0.2, 1.0), km=km)
            assert reply["status"] == "error" and reply["ename"] == "CajalInterrupt", reply
        else:
            code = rng.choice(HOSTILE)
            reply, errors = _execute(kc, code)
        if not code.startswith("%%python"):  # a Python cell's own traceback is the user's
            for error in errors:
                text = "\n".join(error["traceback"])
                assert "Traceback" not in text and 'File "' not in text, (code[:80], text[-2000:])
        assert km.is_alive(), f"the kernel died at event {event}: {code[:80]!r}"
    reply, _ = _execute(kc, ":set nat_dim 10\nparity 3")
    assert reply["status"] == "ok" and km.is_alive()
    growth = _rss(km) - baseline
    print(f"soak: {counts}, {time.monotonic() - started:.0f} s, RSS growth {growth >> 20} MB")
    assert growth < RSS_BOUND, f"the kernel grew by {growth >> 20} MB (bound {RSS_BOUND >> 20} MB)"
