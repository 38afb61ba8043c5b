"""Driving a notebook in JupyterLab or Notebook 7 the way a user does: open it, Run All from
the menu, wait until the kernel is idle, then read what each cell shows.

Everything waits by polling with a time-out (the page's own `wait_for_*` or `poll`), never by
sleeping a fixed time. What the cells hold (output types, tags) is read from the notebook
model the page exposes (`window.jupyterapp`, the server runs with `expose_app_in_browser`);
what they show (text, sizes) is read from the DOM.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


def poll(check: Callable, timeout: float, what: str, interval: float = 0.2):
    """Call `check` until it returns something truthy (returned), or fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {what}")
        time.sleep(interval)


class Settled:
    """True once the condition it is fed has held for `seconds` without a break: a notebook
    between two queued cells, or a kernel between two requests, looks finished for a moment."""

    def __init__(self, seconds: float):
        self.seconds, self.since = seconds, None

    def __call__(self, holds: bool) -> bool:
        now = time.monotonic()
        if not holds:
            self.since = None
            return False
        if self.since is None:
            self.since = now
        return now - self.since >= self.seconds


@dataclass
class Output:
    """One output of a cell: its model (`output_type`, mime types) and what the page shows."""

    output_type: str
    mime_types: list[str]
    text: str  # the rendered output's visible text (innerText)
    width: float  # the rendered output's width in CSS pixels
    area_width: float  # the width of the output area it lives in
    ename: str = ""


@dataclass
class Cell:
    """One code cell after a run: its source, tags, execution count and outputs."""

    index: int
    source: str
    tags: list[str]
    execution_count: int | None
    outputs: list[Output] = field(default_factory=list)

    @property
    def errors(self) -> list[Output]:
        return [o for o in self.outputs if o.output_type == "error"]


# Reads the current notebook's code cells: model data and the DOM's view of each output.
_READ_CELLS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = [];
  panel.content.widgets.forEach((cell, index) => {
    const model = cell.model.toJSON();
    if (model.cell_type !== 'code') return;
    const nodes = Array.from(cell.node.querySelectorAll('.jp-OutputArea-output'));
    const area = cell.node.querySelector('.jp-OutputArea');
    const source = Array.isArray(model.source) ? model.source.join('') : model.source;
    cells.push({
      index, source, tags: (model.metadata || {}).tags || [],
      execution_count: model.execution_count,
      outputs: (model.outputs || []).map((out, i) => {
        const node = nodes[i];
        return {
          output_type: out.output_type,
          mime_types: Object.keys(out.data || {}),
          ename: out.ename || '',
          text: node ? node.innerText : '',
          width: node ? node.getBoundingClientRect().width : 0,
          area_width: area ? area.getBoundingClientRect().width : 0,
        };
      }),
    });
  });
  return cells;
}"""

# True once the page's notebook is loaded and its cells rendered.
_LOADED = """() => {
  const app = window.jupyterapp;
  const panel = app && app.shell && app.shell.currentWidget;
  return !!(panel && panel.content && panel.context && panel.context.isReady
            && panel.content.widgets.length > 0
            && panel.sessionContext && panel.sessionContext.session
            && panel.sessionContext.session.kernel);
}"""

# True once no code cell of the notebook shown is queued or running and at least one has run.
# Read from the cell models, not the DOM: Notebook 7 renders only the cells in view, and the
# kernel is briefly idle between two queued cells, so neither prompts nor kernel state suffice.
_RUN_FINISHED = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const code = panel.content.widgets.filter(cell => cell.model.type === 'code');
  return code.length > 0 && code.every(cell => cell.model.executionState !== 'running')
    && code.some(cell => cell.model.executionCount !== null);
}"""


class NotebookPage:
    """A notebook open in a browser tab, in JupyterLab (`ui="lab"`) or Notebook 7."""

    def __init__(self, page, server, path: str, ui: str, screenshot: Callable):
        assert ui in ("lab", "notebook"), ui
        self.page, self.server, self.path, self.ui = page, server, path, ui
        self._screenshot = screenshot

    @property
    def url(self) -> str:
        if self.ui == "lab":  # `reset`: a fresh workspace, not the tabs an earlier test left
            return self.server.page_url(f"/lab/tree/{self.path}?reset")
        return self.server.page_url(f"/notebooks/{self.path}")

    def open(self, timeout: float = 90) -> NotebookPage:
        """Load the page and wait until the notebook is shown and its kernel idle (a kernel
        left from an earlier page on the same notebook is stopped first: each open is fresh)."""
        self.shutdown()
        self.page.goto(self.url)
        self.page.wait_for_function(_LOADED, timeout=timeout * 1000, polling=200)
        self.wait_idle(timeout)
        return self

    def session(self) -> dict | None:
        """The server's session for this notebook (path and kernel), if one is running."""
        for session in self.server.api("/api/sessions"):
            if session["path"] == self.path:
                return session
        return None

    def kernel_state(self) -> str | None:
        session = self.session()
        if session is None:
            return None
        return self.server.api(f"/api/kernels/{session['kernel']['id']}")["execution_state"]

    def wait_idle(self, timeout: float = 60) -> None:
        """Wait until the server reports the notebook's kernel idle."""
        poll(lambda: self.kernel_state() == "idle", timeout, f"the kernel of {self.path} to be idle")

    def menu(self, *names: str, tries: int = 3) -> None:
        """Click through the menu bar: `menu("Run", "Run All Cells")`. An open menu is drawn
        again whenever a command's state changes (the kernel going busy and idle, say), which
        can leave an item never still long enough to click: then close the menu and try again."""
        from playwright.sync_api import Error as PlaywrightError

        top, *items = names
        for attempt in range(tries):
            try:
                self.page.locator(".lm-MenuBar-itemLabel", has_text=top).filter(
                    has_text=top).first.click()
                for name in items:
                    self.page.locator(".lm-Menu-content .lm-Menu-item:visible").filter(
                        has=self.page.locator(".lm-Menu-itemLabel", has_text=name)).first.click(timeout=10_000)
                return
            except PlaywrightError:
                if attempt == tries - 1:
                    raise
                self.page.keyboard.press("Escape")
                self.page.keyboard.press("Escape")

    def run_all(self, timeout: float = 240) -> list[Cell]:
        """Run > Run All Cells, wait until every queued cell has run and the kernel is idle,
        and return the code cells; a screenshot goes to tests/browser/screenshots/."""
        self.menu("Run", "Run All Cells")
        settled = Settled(seconds=3)  # a loaded machine can leave a gap between queued cells
        poll(lambda: settled(self.page.evaluate(_RUN_FINISHED) and self.kernel_state() == "idle"),
             timeout, f"Run All of {self.path} to finish", interval=0.25)
        self.screenshot()
        return self.cells()

    def cells(self) -> list[Cell]:
        """The code cells as they are now: model and rendered view."""
        return [Cell(**{**c, "outputs": [Output(**o) for o in c["outputs"]]})
                for c in self.page.evaluate(_READ_CELLS)]

    def cell_node(self, index: int):
        """A locator for the cell at `index` (counting all cells, markdown too)."""
        return self.page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell").nth(index)

    def screenshot(self, suffix: str = ""):
        name = f"{self.ui}-{self.path.replace('/', '_')}{'-' + suffix if suffix else ''}"
        return self._screenshot(self.page, name)

    def shutdown(self) -> None:
        """Stop this notebook's kernel through the server (the tab is closed by its fixture)."""
        session = self.session()
        if session is not None:
            self.server.api(f"/api/sessions/{session['id']}", method="DELETE")
