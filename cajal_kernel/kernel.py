"""The Cajal Jupyter kernel: IPython's kernel whose cells are Cajal.

A cell runs as if it began with `%%cajal` (the `cajal_magic` extension does the work, so a cell
behaves exactly as in a Python notebook's `%%cajal` cell), except that line numbers count from
the cell's own first line. A cell that starts with `%%python` runs as Python; a cell that starts
with another cell magic (`%%time`, `%%html`, …), a line magic (`%who`) or a shell escape (`!ls`)
runs as in IPython. Widgets, display, comms, history and interrupts are ipykernel's.

Completion, inspection and completeness of Cajal cells come from `cajal.assist`; this module
only adapts them to the messaging protocol. Importing it does not import torch (a kernel
answers `kernel_info` before anything compiles).
"""

from __future__ import annotations

import sys

from ipykernel.ipkernel import IPythonKernel
from IPython.core.error import UsageError
from traitlets import List, default

import cajal
from cajal import cells
from cajal.lexicon import SYMBOLS

BANNER = f"""\
Cajal {cajal.__version__} — a typed, linear, higher-order language whose programs compile to neurons
(Python {sys.version.split()[0]}, IPython kernel). Type :help for the directives; a cell that starts
with %%python runs Python, where every `def f` of a Cajal cell is a callable `f`.
{" ".join(s.unicode for s in SYMBOLS)} can be typed as {" ".join(s.ascii for s in SYMBOLS)}, \
or as \\lambda \\multimap \\hookrightarrow + Tab."""

def cajal_cells(lines: list[str]) -> list[str]:
    """IPython input transformer (runs first): route a cell to `%%cajal` or to Python, as
    `cajal.cells.classify` says."""
    code = "".join(lines)
    cell = cells.classify(code)
    if cell.kind == cells.IPYTHON or not code.strip():
        return lines
    before = code[:code.index(cell.header)] if cell.header else ""
    body = code[cell.body:]
    if cell.kind == cells.PYTHON:
        if cell.problem:
            raise UsageError(cell.problem)
        # Keep the header (and blank lines before it, which IPython would drop) as comments, so
        # that Python's line numbers match the cell's.
        return _lines("#\n" * before.count("\n") + f"# {cell.header.lstrip()}\n{body}")
    if cell.header:  # `%%cajal` after blank lines, which IPython would drop: keep the line count
        return lines if not before else _lines(f"{cell.header} --first-line {cell.first_line}\n{body}")
    return _lines(f"%%cajal --first-line {cell.first_line}\n{code}")


def _lines(code: str) -> list[str]:
    return code.splitlines(keepends=True)


# IPython's check_complete skips transformers with side effects; this one must be skipped there,
# because the kernel checks Cajal cells itself and passes only Python to IPython's check.
cajal_cells.has_side_effects = True


def install_cell_transformer(shell) -> None:
    transforms = shell.input_transformer_manager.cleanup_transforms
    if cajal_cells not in transforms:
        transforms.insert(0, cajal_cells)


class CajalKernel(IPythonKernel):
    """An IPython kernel whose cells are Cajal (see the module docstring)."""

    implementation = "cajal_kernel"
    implementation_version = cajal.__version__
    language_info = {
        "name": "cajal",
        "version": cajal.__version__,
        "mimetype": "text/x-cajal",
        "file_extension": ".cj",
        "pygments_lexer": "cajal",
        # The language the cajal-jupyterlab extension registers (docs/FRONTENDS.md).
        "codemirror_mode": "cajal",
    }

    help_links = List().tag(config=True)

    @default("help_links")
    def _default_help_links(self):
        # Only web pages: a browser blocks file:// links. The language reference is in the Help
        # menu through the labextension (rendered inside JupyterLab), and `:help` in a cell.
        return [
            {"text": "IPython Reference", "url": "https://ipython.readthedocs.io/en/stable/"},
            {"text": "PyTorch Reference", "url": "https://pytorch.org/docs/stable/"},
        ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.shell.extension_manager.load_extension("cajal_magic")
        install_cell_transformer(self.shell)
        from cajal_magic import live
        live.register(self.shell, notebook=cells.CAJAL)  # every cell is Cajal unless it says otherwise

    @property
    def banner(self):  # type: ignore[override]
        return BANNER

    @property
    def cajal_session(self):
        from cajal_magic import get_session
        return get_session(self.shell)

    # ------------------------------------------------------------------ editor help

    def do_complete(self, code, cursor_pos):
        code, cursor_pos = _request(code, cursor_pos)
        try:
            return self._complete(code, cursor_pos)
        except Exception:  # every request gets a reply: an editor's help is never worth a silence
            self.log.exception("completion failed")
            return {"status": "ok", "matches": [], "cursor_start": cursor_pos, "cursor_end": cursor_pos,
                    "metadata": {}}

    def _complete(self, code, cursor_pos):
        cell = cells.classify(code)
        kind, body = cell.kind, cell.body
        if kind != "cajal" or cursor_pos < body:
            return self._python_complete(code, cursor_pos, kind, body)
        from cajal import assist
        found = assist.complete(self.cajal_session, code[body:], cursor_pos - body)
        items = [dict(item, start=item["start"] + body, end=item["end"] + body) for item in found.items]
        return {
            "status": "ok",
            "matches": found.matches,
            "cursor_start": found.start + body,
            "cursor_end": found.end + body,
            "metadata": {"_jupyter_types_experimental": items},
        }

    def _python_complete(self, code, cursor_pos, kind, body):
        if kind == "python" and cursor_pos >= body:
            reply = super().do_complete(code[body:], cursor_pos - body)
            return _shift_completion(reply, body)
        return super().do_complete(code, cursor_pos)

    def do_inspect(self, code, cursor_pos, detail_level=0, omit_sections=()):
        code, cursor_pos = _request(code, cursor_pos)
        try:
            return self._inspect(code, cursor_pos, detail_level, omit_sections)
        except Exception:  # every request gets a reply
            self.log.exception("inspection failed")
            return {"status": "ok", "found": False, "data": {}, "metadata": {}}

    def _inspect(self, code, cursor_pos, detail_level, omit_sections):
        cell = cells.classify(code)
        kind, body = cell.kind, cell.body
        if kind != "cajal" or cursor_pos < body:
            if kind == "python" and cursor_pos >= body:
                code, cursor_pos = code[body:], cursor_pos - body
            return super().do_inspect(code, cursor_pos, detail_level, omit_sections)
        from cajal import assist
        text = assist.inspect(self.cajal_session, code[body:], cursor_pos - body, detail_level)
        if text is None:
            return {"status": "ok", "found": False, "data": {}, "metadata": {}}
        return {"status": "ok", "found": True, "data": {"text/plain": text}, "metadata": {}}

    def do_is_complete(self, code):
        code, _ = _request(code, 0)
        try:
            return self._is_complete(code)
        except Exception:  # every request gets a reply
            self.log.exception("is_complete failed")
            return {"status": "unknown"}

    def _is_complete(self, code):
        cell = cells.classify(code)
        kind, body = cell.kind, cell.body
        if kind == cells.PYTHON:
            if not code[body:].strip():  # just the header: the Python is still to come
                return {"status": "incomplete", "indent": ""}
            return super().do_is_complete(code[body:])
        if kind == cells.IPYTHON:
            return super().do_is_complete(code)
        from cajal import assist
        status, indent = assist.is_complete(code[body:])
        reply = {"status": status}
        if status == "incomplete":
            reply["indent"] = indent
        return reply


def _request(code, cursor_pos) -> tuple[str, int]:
    """A request's code and cursor, made valid: a missing cursor is the end of the code, and
    one out of range (negative, or past the end) is moved to the nearest end. Clients send
    both (the protocol counts code points; a stale cursor can outrun an edited cell)."""
    code = code if isinstance(code, str) else ""
    if not isinstance(cursor_pos, int) or isinstance(cursor_pos, bool):
        return code, len(code)
    return code, min(max(cursor_pos, 0), len(code))


def _shift_completion(reply: dict, offset: int) -> dict:
    reply = dict(reply)
    for key in ("cursor_start", "cursor_end"):
        if key in reply:
            reply[key] += offset
    meta = reply.get("metadata") or {}
    items = meta.get("_jupyter_types_experimental")
    if items:
        meta = dict(meta, _jupyter_types_experimental=[
            dict(i, start=i["start"] + offset, end=i["end"] + offset) for i in items])
        reply["metadata"] = meta
    return reply
