"""The `cajal.check` comm: the editor's live check of a cell as it is typed.

The JupyterLab extension opens a comm to the target `cajal.check` and sends
`{"seq": n, "code": cell}` a moment after typing stops; the kernel answers on the same comm with
`{"seq": n, "kind": "cajal", "diagnostics": […], "names": […]}` (see
`cajal.diagnostics.as_message`), or with `"skipped"` saying why it did not check. `kind` is the
cell's as `cajal.cells.classify` says (`cajal`, `python` or `ipython`): the editor highlights
the cell in that language, so the header rule has one owner. Answering is a pure check: nothing runs, nothing is
printed, and the execution count, history and definitions stay as they were. The magic
registers the target for `%%cajal` cells; the Cajal kernel registers it again for its own cells.

The infoview asks on the same comm with `{"seq": n, "code": cell, "info": offset}` (the cursor,
in UTF-16 code units; `"weights": false` leaves the heatmap out) and gets `{"seq": n, "info":
{…}}` (see `cajal.infoview.as_message`), as harmless as a check.
"""

from __future__ import annotations

from cajal import cells

TARGET = "cajal.check"
# A cell longer than this is not checked live (it is checked when it runs).
MAX_CHARS = 200_000


def register(shell, notebook: str) -> None:
    """Answer `cajal.check` comms in the shell's kernel (none in a terminal IPython).
    `notebook` is the notebook's language (`cajal.cells`: which cells are Cajal)."""
    manager = getattr(getattr(shell, "kernel", None), "comm_manager", None)
    if manager is None:
        return

    def opened(comm, _msg) -> None:
        def answer(msg) -> None:
            data = msg.get("content", {}).get("data")
            data = data if isinstance(data, dict) else {}
            if "info" in data:
                reply = info(shell, data.get("code"), data.get("info"), notebook, data.get("weights", True) is not False)
            else:
                reply = check(shell, data.get("code"), notebook)
            comm.send({"seq": data.get("seq"), **reply})
        comm.on_msg(answer)

    manager.register_target(TARGET, opened)


def check(shell, code, notebook: str) -> dict:
    """The answer to one request (never raises: a cell being typed is usually malformed)."""
    if not isinstance(code, str):
        return {"skipped": "the request has no `code` string"}
    if len(code) > MAX_CHARS:
        return {"skipped": f"the cell is longer than {MAX_CHARS} characters"}
    cell = cells.classify(code, notebook=notebook)
    if cell.kind != cells.CAJAL:
        return {"kind": cell.kind, "skipped": "not a Cajal cell"}
    from cajal import diagnostics

    from . import get_session
    try:
        report = diagnostics.check_cell(get_session(shell), code[cell.body:], cell.first_line)
        return diagnostics.as_message(report, code, cell.body, cell.first_line)
    except Exception as err:  # noqa: BLE001 (a bug in the checker must not reach the notebook)
        return {"kind": cell.kind, "skipped": f"internal error while checking: {type(err).__name__}"}


def info(shell, code, offset, notebook: str, weights: bool = True) -> dict:
    """The infoview for the cursor at `offset`, with the heatmap unless `weights` is False
    (the editor asks for the types first, which are quick, then for the heatmap). Never raises."""
    if not isinstance(code, str):
        return {"skipped": "the request has no `code` string"}
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        return {"skipped": "the request's `info` is not a cursor offset"}
    if len(code) > MAX_CHARS:
        return {"skipped": f"the cell is longer than {MAX_CHARS} characters"}
    cell = cells.classify(code, notebook=notebook)
    if cell.kind != cells.CAJAL:
        return {"skipped": "not a Cajal cell"}
    from cajal import infoview

    from . import get_session
    try:
        where = infoview.position(code, cell.body, cell.first_line, offset)
        if where is None:
            return {"info": infoview.as_message(infoview.Info(), code, cell.body, cell.first_line)}
        found = infoview.info_at(get_session(shell), code[cell.body:], *where, cell.first_line, weights=weights)
        return {"info": infoview.as_message(found, code, cell.body, cell.first_line)}
    except Exception as err:  # noqa: BLE001 (a bug in the infoview must not reach the notebook)
        return {"skipped": f"internal error while looking at the cursor: {type(err).__name__}"}
