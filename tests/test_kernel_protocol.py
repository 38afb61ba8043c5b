"""The Cajal kernel against jupyter_kernel_test's protocol checks (every applicable sample filled in).

The kernelspec is installed into a temporary prefix and found through JUPYTER_PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

import jupyter_kernel_test as jkt

_saved: dict = {}


def setup_module(module):
    prefix = tempfile.mkdtemp(prefix="cajal-kernelspec-")
    subprocess.run([sys.executable, "-m", "cajal_kernel", "install", "--prefix", prefix],
                   check=True, capture_output=True, timeout=120)
    _saved["prefix"] = prefix
    _saved["JUPYTER_PATH"] = os.environ.get("JUPYTER_PATH")
    data = os.path.join(prefix, "share", "jupyter")
    os.environ["JUPYTER_PATH"] = data + (os.pathsep + _saved["JUPYTER_PATH"] if _saved["JUPYTER_PATH"] else "")


def teardown_module(module):
    if _saved.get("JUPYTER_PATH") is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = _saved["JUPYTER_PATH"]
    shutil.rmtree(_saved["prefix"], ignore_errors=True)


class CajalKernelTests(jkt.KernelTests):
    kernel_name = "cajal"
    language_name = "cajal"
    file_extension = ".cj"

    code_hello_world = '%%python\nprint("hello, world")'
    code_stderr = '%%python\nimport sys\nprint("oops", file=sys.stderr)'

    completion_samples = [
        {"text": "ite", "matches": {"iter"}},
        {"text": "\\lambda", "matches": {"λ"}},
        {"text": "\\multimap", "matches": {"⊸"}},
        {"text": "\\hookrightarrow", "matches": {"↪"}},
        {"text": ":ty", "matches": {":type"}},
        {"text": "λx:𝟚. λy:", "matches": {"Bool", "Nat"}},
        {"text": "λxyz:𝟚. xy", "matches": {"xyz"}},
    ]
    complete_code_samples = ["tt", "λx:𝟚. x", "def f (x : 𝟚) : 𝟚 = x", ":type tt", "%%python\nx = 1"]
    incomplete_code_samples = ["(λx:𝟚. x", "if tt then", "def f (x : 𝟚) : 𝟚 =", "iter{tt | y ↪",
                               "let x = tt in", "def f (x : 𝟚) : 𝟚 =\n  x", "%%python\nfor i in range(3):"]
    invalid_code_samples = ["tt $", "λx:𝟚 -> 𝟚. x", "tt)"]

    code_page_something = "%pinfo print"
    code_generate_error = "tt tt"
    code_execute_result = [
        # text/plain is complete for a terminal: the value, its type and its compiled vector
        {"code": "(λx:𝟚. if x then ff else tt) tt", "result": "ff : 𝟚\n[0, 1]"},
        {"code": "succ 2", "result": "3 : ℕ\n[0, 0, 0, 1, 0, 0, 0, 0, 0, 0]"},
        {"code": "λx:ℕ. x", "mime": "text/html"},
        {"code": "%%python\n6 * 7", "result": "42"},
    ]
    code_display_data = [
        {"code": ":compile λx:𝟚. x", "mime": "text/html"},
        {"code": ":derive λx:𝟚. x", "mime": "text/html"},
        {"code": ":graph λx:𝟚. if x then ff else tt", "mime": "text/plain"},
        {"code": "%%python\nfrom IPython.display import HTML, display\ndisplay(HTML('<b>hi</b>'))",
         "mime": "text/html"},
    ]
    code_history_pattern = "succ*"
    # IPython answers a "range" request on the current session with session number 0, which
    # jupyter_kernel_test rejects (the python3 kernel fails it too), so "range" is not claimed.
    supported_history_operations = ("tail", "search")
    code_inspect_sample = "iter"
    code_clear_output = "%%python\nfrom IPython.display import clear_output\nclear_output()"
