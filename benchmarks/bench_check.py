"""Time the editor's live check of a realistic 200-line cell (target: under 50 ms of kernel time),
and an infoview update at its last line (targets: ≤ 50 ms for the types and context, ≤ 150 ms
with the small heatmap, which compiles the definition at the cursor).

The check is what the kernel does for each `cajal.check` request: `diagnostics.check_cell`
against a session, then `as_message` (UTF-16 offsets and printed types). The reference, in the
same run, is parsing and type-checking the same cell alone (bench_parse.py), so the ratio says
what live checking adds on top of the checker.

    python benchmarks/bench_check.py
"""

import time

from bench_parse import make_cell, parse_and_check
from timing import timed

from cajal import diagnostics, infoview
from cajal.session import Session


def live_check(session: Session, cell: str) -> dict:
    return diagnostics.as_message(diagnostics.check_cell(session, cell), cell)


LAST = "def last (b : 𝟚) (c : 𝟚) : 𝟚 = if b then not c else c"


def info_update(session: Session, cell: str, weights: bool) -> dict:
    """What the kernel does for one infoview request with the cursor on the last line's `c`."""
    line, col = infoview.position(cell, 0, 1, len(cell.encode("utf-16-le")) // 2 - 1)
    return infoview.as_message(infoview.info_at(session, cell, line, col, weights=weights), cell)


if __name__ == "__main__":
    cell = make_cell(200)
    session = Session()
    session.run("def not (x : 𝟚) : 𝟚 = if x then ff else tt")
    message = live_check(session, cell)
    assert message["diagnostics"] == [], message["diagnostics"]
    broken = cell + "\ndef oops (x : 𝟚) : 𝟚 = tt"
    assert live_check(session, broken)["diagnostics"]
    # CPU time of this process (the kernel's time), the best of 20: other load on a shared
    # machine inflates wall time, not this
    def cpu_ms(f):
        return timed(f, repeat=20, clock=time.process_time)[0]
    reference_ms = cpu_ms(lambda: parse_and_check(cell))
    check_ms = cpu_ms(lambda: live_check(session, cell))
    broken_ms = cpu_ms(lambda: live_check(session, broken))
    print(f"{cell.count(chr(10)) + 1}-line cell, {len(message['names'])} typed names: live check "
          f"{check_ms:.1f} ms CPU (with an error at the end {broken_ms:.1f} ms; target ≤ 50 ms), "
          f"{check_ms / reference_ms:.2f}× parse + check alone ({reference_ms:.1f} ms)")

    info_cell = cell + "\n" + LAST
    types = info_update(session, info_cell, weights=False)
    full = info_update(session, info_cell, weights=True)
    assert types["type"] == "𝟚" and full["weights"] is not None, (types, full["weights_note"])
    types_ms = cpu_ms(lambda: info_update(session, info_cell, weights=False))
    full_ms = cpu_ms(lambda: info_update(session, info_cell, weights=True))
    print(f"infoview update at the last line of the {info_cell.count(chr(10)) + 1}-line cell: types and context "
          f"{types_ms:.1f} ms CPU (target ≤ 50 ms), with the heatmap {full_ms:.1f} ms CPU (target ≤ 150 ms); "
          f"{types_ms / check_ms:.2f}× and {full_ms / check_ms:.2f}× the live check")
