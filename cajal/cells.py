"""Which language a notebook cell is in: the one reader of cell headers.

The Cajal kernel routes its cells with it, the `%%cajal` magic's completer finds Cajal cells in
a Python notebook with it, and the editor's live check asks it which cells to check. Pure
Python: it imports nothing of Jupyter.

In the Cajal kernel a cell is Cajal unless its first line says otherwise: `%%python` (or
`%%python3`, optionally followed by a `# comment`) makes it Python that runs in the kernel,
where every definition is a callable; any other cell magic, a line magic, a shell escape
(`!ls`) or `exit`/`quit` is IPython's. In a Python notebook a cell is Cajal only under a
`%%cajal` header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .errors import echo

CAJAL, PYTHON, IPYTHON = "cajal", "python", "ipython"

# `%%python3` is IPython's name for the same subprocess magic; in the Cajal kernel both run
# in-kernel, with the definitions.
PYTHON_MAGICS = ("python", "python3")

_BLANK_LINES = re.compile(r"(?:[ \t]*\r?\n)*")
_CELL_MAGIC = re.compile(r"[ \t]*%%(?P<magic>\w*)(?P<rest>[^\n]*)(?:\n|\Z)")
# `exit` / `quit` end a console session, as in IPython (no one means them as Cajal terms).
_EXIT = re.compile(r"\s*(exit|quit)(\(\))?\s*\Z")


@dataclass(frozen=True)
class Cell:
    """What a cell is. `kind` is CAJAL, PYTHON (Python that sees the definitions) or IPYTHON
    (IPython's own input: another magic, a shell escape); the body starts at offset `body`, on
    line `first_line` of the cell. `header` is the cell-magic line ("" if none); `problem`,
    if set, is why the header cannot run (the cell is refused with it)."""

    kind: str
    body: int = 0
    first_line: int = 1
    header: str = ""
    problem: Optional[str] = None


def classify(code: str, *, notebook: str = CAJAL) -> Cell:
    """What `code` is in a notebook whose language is `notebook` ("cajal" for the Cajal
    kernel, "python" for a Python notebook with the `%%cajal` magic)."""
    if _EXIT.match(code):
        return Cell(IPYTHON)
    start = _BLANK_LINES.match(code).end()
    magic = _CELL_MAGIC.match(code, start)
    if magic is None:
        if code[start:start + 1] in ("%", "!"):
            return Cell(IPYTHON)  # a line magic or a shell escape
        return Cell(CAJAL if notebook == CAJAL else PYTHON)
    name, rest = magic.group("magic"), magic.group("rest").strip()
    body = magic.end()
    first_line = code.count("\n", 0, body) + 1 + (body == len(code) and not code.endswith("\n"))
    header = code[magic.start():body].rstrip("\r\n")
    if name == "cajal":
        return Cell(CAJAL, body, first_line, header)
    if name in PYTHON_MAGICS and notebook == CAJAL:
        problem = None
        if rest and not rest.startswith("#"):
            problem = (f"`%%{name}` takes no options in the Cajal kernel: the cell runs in the kernel's "
                       f"own Python, where the definitions are. Remove `{echo(rest)}` (a `# comment` may follow "
                       f"`%%{name}`)")
        return Cell(PYTHON, body, first_line, header, problem)
    return Cell(IPYTHON, body, first_line, header)  # another cell magic: IPython runs its body


def cajal_body(code: str, *, notebook: str = CAJAL) -> Optional[int]:
    """Where the Cajal source of `code` starts, or None if it is not a Cajal cell."""
    cell = classify(code, notebook=notebook)
    return cell.body if cell.kind == CAJAL else None
