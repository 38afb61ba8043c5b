"""The README's first command works on a fresh machine: `bin/open-tour` serves the tour as root
and as a normal user, and `jupyter console --kernel cajal` works (with the compiled vector)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_tour(tmp_path, prefix: list[str]) -> str:
    """Run bin/open-tour (headless, on a free port) until it answers; return what it served."""
    port, token = _free_port(), "tour-token"
    home = tmp_path / "home"
    home.mkdir(mode=0o777, exist_ok=True)
    env = dict(os.environ, HOME=str(home), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               IPYTHONDIR=str(home / "ipython"))
    command = prefix + ["bash", str(ROOT / "bin" / "open-tour"), "--no-browser", "--ip=127.0.0.1",
                        f"--port={port}", "--ServerApp.port_retries=0", f"--ServerApp.token={token}"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"open-tour exited: {server.stdout.read().decode()[-2000:]}")
            try:
                url = f"http://127.0.0.1:{port}/api/contents/01-tour.ipynb?content=0&token={token}"
                with urllib.request.urlopen(url, timeout=5) as response:
                    return response.read().decode()
            except OSError:
                time.sleep(0.3)  # polling the server until it answers, with a deadline
        pytest.fail("open-tour did not answer within 90 s")
    finally:
        if server.poll() is None:
            os.killpg(server.pid, 15)
            server.wait(timeout=60)


def test_open_tour_serves_the_tour_as_this_user(tmp_path):
    assert '"name": "01-tour.ipynb"' in _serve_tour(tmp_path, []).replace('":"', '": "')


def test_open_tour_asks_for_root_rights_only_as_root(tmp_path):
    """As a normal user the script does not pass --allow-root (an `id` that says uid 1000: as
    root, Jupyter then refuses, which shows the flag is absent; as a user, it would start)."""
    fake = tmp_path / "fakebin"
    fake.mkdir()
    (fake / "id").write_text("#!/bin/sh\necho 1000\n")
    (fake / "id").chmod(0o755)
    env = dict(os.environ, PATH=f"{fake}{os.pathsep}{os.environ['PATH']}", HOME=str(tmp_path),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    out = subprocess.run(["bash", str(ROOT / "bin" / "open-tour"), "--no-browser", f"--port={_free_port()}",
                          "--ServerApp.port_retries=0"], env=env, capture_output=True, text=True, timeout=120)
    if os.geteuid() == 0:
        assert out.returncode != 0 and "--allow-root" in out.stdout + out.stderr


def test_jupyter_console_runs_cajal(tmp_path):
    cells = "def not (x : 𝟚) : 𝟚 = if x then ff else tt\nnot tt\n:step not ff\nexit\n"
    out = _console(cells)
    assert "ff : 𝟚" in out and "[0, 1]" in out, out
    assert "if-ff" in out  # :step in a terminal shows the trace


def _console(cells: str) -> str:
    """What `jupyter console --simple-prompt` prints for piped input. With all input already
    waiting, jupyter_console can send the first cell before its IOPub subscription is
    connected, miss that cell's `idle` and wait forever (a start-up race of the console on a
    loaded machine, not of the kernel): a run stuck at the first prompt is tried once more."""
    command = [sys.executable, "-m", "jupyter", "console", "--kernel", "cajal", "--simple-prompt"]
    for attempt in range(2):
        console = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            return console.communicate(cells, timeout=90)[0]
        except subprocess.TimeoutExpired:
            os.killpg(console.pid, 9)  # the console and the kernel it started
            shown = console.communicate()[0]
            if attempt or not shown.rstrip().endswith("In [1]:"):
                raise AssertionError(f"jupyter console did not finish:\n{shown}") from None
    raise AssertionError("unreachable")
