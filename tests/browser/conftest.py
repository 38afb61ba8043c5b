"""A real JupyterLab server and a real headless Chromium, for tests of what the browser shows.

The server (`jupyter lab`, which also serves Notebook 7 at `/notebooks/…`) runs on a free port
of 127.0.0.1 in a temporary root that holds a copy of `notebooks/`, with a temporary HOME,
Jupyter and IPython home: a year of someone's Jupyter settings cannot change what it shows.
The Cajal kernelspec and the labextensions installed in `sys.prefix` stay visible. Chromium is
Debian's (`/usr/bin/chromium`, installed by `.ci/setup`), driven by Playwright; a browser cannot
be downloaded here. Every process a fixture starts, it stops.

Where Playwright or Chromium is missing, every test here is skipped with one reason.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from jupyter_ui import NotebookPage, poll

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-dev-shm-usage",
]
# Settings that keep a fresh JupyterLab quiet and its notebooks fully in the DOM.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    if not shutil.which("chromium"):
        return "chromium is not installed (apt-get install chromium; .ci/setup does it)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _missing()
    if reason is None:
        return
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason=f"browser tests skipped: {reason}")
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class JupyterServer:
    """A running `jupyter lab`: its address, token, root directory and environment."""

    url: str
    token: str
    root: Path
    env: dict
    process: subprocess.Popen

    def api(self, path: str, method: str = "GET"):
        """The server's REST API at `path` (e.g. `/api/sessions`), as decoded JSON."""
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
        return json.loads(body) if body else None

    def page_url(self, path: str) -> str:
        """`path` on this server (`/lab/tree/x.ipynb`), logged in with the token."""
        sep = "&" if "?" in path else "?"
        return f"{self.url}{path}{sep}token={self.token}"


def _environment(home: Path) -> dict:
    env = dict(os.environ)
    for name in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_PREFER_ENV_PATH"):
        env.pop(name, None)
    env.update(
        HOME=str(home),
        JUPYTER_CONFIG_DIR=str(home / "jupyter-config"),
        JUPYTER_DATA_DIR=str(home / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(home / "jupyter-runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "lab-workspaces"),
        IPYTHONDIR=str(home / "ipython"),
        MPLCONFIGDIR=str(home / "matplotlib"),
        CAJAL_QUICK="1",  # the experiment notebooks in their quick mode
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    if (ROOT / "share" / "jupyter" / "labextensions" / "cajal-jupyterlab" / "package.json").is_file():
        # this checkout's build of the labextension wins over an installed one (as PYTHONPATH
        # makes its Python win); a checkout without a build uses the installed extension
        env["JUPYTER_PATH"] = str(ROOT / "share" / "jupyter")
    settings = home / "lab-settings"
    for name, values in LAB_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    return env


def _clear_outputs(folder: Path) -> None:
    """The copies start without outputs, so that what a test reads is what its run made."""
    import nbformat

    for path in folder.rglob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(nb, path)


def _check_kernelspecs(env: dict) -> None:
    """The Cajal kernel must be visible with the temporary homes, or nothing here means anything."""
    out = subprocess.run([sys.executable, "-m", "jupyter", "kernelspec", "list", "--json"],
                         env=env, capture_output=True, text=True, timeout=60, check=True).stdout
    specs = json.loads(out)["kernelspecs"]
    missing = {"cajal", "python3"} - specs.keys()
    assert not missing, f"kernelspecs {missing} not visible to the test server; run .ci/setup"


@pytest.fixture(scope="session")
def jupyter_server(tmp_path_factory) -> JupyterServer:
    """A JupyterLab (and Notebook 7) server on a copy of `notebooks/`, stopped at the end."""
    home = tmp_path_factory.mktemp("jupyter-home")
    root = tmp_path_factory.mktemp("jupyter-root")
    shutil.copytree(ROOT / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    _clear_outputs(root / "notebooks")
    env = _environment(home)
    _check_kernelspecs(env)
    port, token = _free_port(), uuid.uuid4().hex
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", "--ServerApp.port_retries=0", f"--ServerApp.token={token}",
               f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
               "--JupyterNotebookApp.expose_app_in_browser=True",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = open(home / "server.log", "w")  # noqa: SIM115 (open while the server runs)
    process = subprocess.Popen(command, env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    server = JupyterServer(f"http://127.0.0.1:{port}", token, root, env, process)

    def ready():
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited: {(home / 'server.log').read_text()[-2000:]}")
        try:
            return server.api("/api/status")
        except (urllib.error.URLError, ConnectionError):
            return None

    # A pytest stopped by SIGTERM (a CI time-out) still runs this teardown: no server outlives it.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        poll(ready, timeout=60, what="jupyter lab to answer")
        yield server
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop(server)
        log.close()


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def _stop(server: JupyterServer) -> None:
    """Shut the kernels down through the API, then the server's whole process group."""
    try:
        for kernel in server.api("/api/kernels"):
            server.api(f"/api/kernels/{kernel['id']}", method="DELETE")
    except (urllib.error.URLError, ConnectionError, OSError):
        pass
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
        try:
            os.killpg(server.process.pid, sig)
        except ProcessLookupError:
            break
        try:
            server.process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    try:  # kernels the server started are in its process group; none may outlive it
        os.killpg(server.process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory):
    """A headless Chromium with a fresh profile, 1400×1000, closed at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=shutil.which("chromium"), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000})
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser_context, request):
    """A fresh browser tab; on failure its screenshot goes to tests/browser/screenshots/."""
    tab = browser_context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed and tab.url != "about:blank":
        screenshot(tab, f"FAILED-{request.node.name}")
    tab.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def screenshot(tab, name: str) -> Path:
    """Save a screenshot of `tab` as tests/browser/screenshots/NAME.png (an ignored folder)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{''.join(c if c.isalnum() or c in '-_.' else '_' for c in name)}.png"
    tab.screenshot(path=str(path))
    return path


@pytest.fixture
def take_screenshot():
    """`take_screenshot(tab, name)` saves tests/browser/screenshots/NAME.png."""
    return screenshot


@pytest.fixture
def open_notebook(jupyter_server, page, request):
    """`open_notebook("notebooks/01-tour.ipynb", ui="lab" | "notebook")`: the notebook open in
    JupyterLab (`/lab/tree/…`) or Notebook 7 (`/notebooks/…`), its kernel started and idle."""
    opened = []

    def open_(path: str, ui: str = "lab") -> NotebookPage:
        notebook = NotebookPage(page, jupyter_server, path, ui, screenshot=screenshot)
        notebook.open()
        opened.append(notebook)
        return notebook

    yield open_
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and opened:
        screenshot(page, f"FAILED-{request.node.name}")  # before the page is left
    try:
        page.goto("about:blank")  # the page lets go of its kernels before they are stopped
    finally:
        for notebook in opened:
            notebook.shutdown()
        for kernel in jupyter_server.api("/api/kernels"):  # any other a page started
            jupyter_server.api(f"/api/kernels/{kernel['id']}", method="DELETE")
