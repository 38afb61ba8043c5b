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

import re
import sys

from ipykernel.ipkernel import IPythonKernel
from traitlets import List, default

import cajal
from cajal.lexicon import SYMBOLS


def _local_docs() -> list[dict]:
    """Help links to the README and language reference of the checkout this kernel runs from
    (an editable install). The project has no web site yet, so a wheel install links none."""
    from pathlib import Path
    root = Path(cajal.__file__).resolve().parents[1]
    docs = [("Cajal Notebook (README)", root / "README.md"),
            ("Cajal language reference", root / "docs" / "LANGUAGE.md")]
    return [{"text": text, "url": path.as_uri()} for text, path in docs if path.is_file()]

BANNER = f"""\
Cajal {cajal.__version__} — a typed, linear, higher-order language whose programs compile to neurons
(Python {sys.version.split()[0]}, IPython kernel). Type :help for the directives; a cell that starts
with %%python runs Python, where every `def f` of a Cajal cell is a callable `f`.
{" ".join(s.unicode for s in SYMBOLS)} can be typed as {" ".join(s.ascii for s in SYMBOLS)}, \
or as \\lambda \\multimap \\hookrightarrow + Tab."""

# The transformed first line of a Cajal cell (the kernel's cells have no header line, so
# errors count lines from 1).
_CAJAL_HEADER = "%%cajal --first-line {}\n"
_PYTHON_HEADER = re.compile(r"%%python[ \t]*\r?\n?\Z")
_CAJAL_MAGIC = re.compile(r"%%cajal\b")


# `exit` / `quit` end a console session, as in IPython (they are not Cajal terms anyone means).
_EXIT = re.compile(r"\s*(exit|quit)(\(\))?\s*\Z")


def cell_kind(code: str) -> tuple[str, int]:
    """("cajal" | "python" | "ipython", offset of the cell's body). "python" is a `%%python`
    cell (its body starts after the header); "ipython" is any other magic, a shell escape, or
    `exit` / `quit`."""
    if _EXIT.match(code):
        return "ipython", 0
    m = re.match(r"(?:[ \t]*\n)*", code)
    start = m.end()
    rest = code[start:]
    if rest.startswith("%%"):
        header_end = code.find("\n", start)
        header_end = len(code) if header_end < 0 else header_end + 1
        if _PYTHON_HEADER.match(code[start:header_end]):
            return "python", header_end
        if _CAJAL_MAGIC.match(rest):
            return "cajal", header_end
        return "ipython", 0
    if rest[:1] in ("%", "!"):
        return "ipython", 0
    return "cajal", 0


def cajal_cells(lines: list[str]) -> list[str]:
    """IPython input transformer (runs first): route a cell to `%%cajal` or to Python."""
    if not lines or _EXIT.match("".join(lines)):
        return lines
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines):
        return lines
    head = lines[i]
    if head.startswith("%%"):
        if _PYTHON_HEADER.match(head):
            # Keep the header as a comment so Python's line numbers match the cell's.
            return lines[:i] + ["# %%python\n"] + lines[i + 1:]
        if _CAJAL_MAGIC.match(head) and i > 0:
            # Leading blank lines would be dropped by IPython: keep the line count right.
            return [head.rstrip("\r\n") + f" --first-line {i + 2}\n"] + lines[i + 1:]
        return lines
    if head[:1] in ("%", "!"):
        return lines
    return [_CAJAL_HEADER.format(1)] + lines


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
        # JupyterLab 4 and Notebook 7 know Haskell's mode; it highlights `--` comments,
        # numerals, if/then/else/let/in/type, `\` and capitalised types (docs/FRONTENDS.md).
        "codemirror_mode": "haskell",
    }

    help_links = List().tag(config=True)

    @default("help_links")
    def _default_help_links(self):
        return _local_docs() + [
            {"text": "IPython Reference", "url": "https://ipython.readthedocs.io/en/stable/"},
            {"text": "PyTorch Reference", "url": "https://pytorch.org/docs/stable/"},
        ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.shell.extension_manager.load_extension("cajal_magic")
        install_cell_transformer(self.shell)

    @property
    def banner(self):  # type: ignore[override]
        return BANNER

    @property
    def cajal_session(self):
        from cajal_magic import get_session
        return get_session(self.shell)

    # ------------------------------------------------------------------ editor help

    def do_complete(self, code, cursor_pos):
        cursor_pos = len(code) if cursor_pos is None else cursor_pos
        kind, body = cell_kind(code)
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
        cursor_pos = len(code) if cursor_pos is None else cursor_pos
        kind, body = cell_kind(code)
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
        kind, body = cell_kind(code)
        if kind == "python":
            return super().do_is_complete(code[body:])
        if kind == "ipython":
            return super().do_is_complete(code)
        from cajal import assist
        status, indent = assist.is_complete(code[body:])
        reply = {"status": status}
        if status == "incomplete":
            reply["indent"] = indent
        return reply


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
