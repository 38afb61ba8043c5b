"""Exact evaluation of `iter` with large counts (cajal/evaluation.py, "large counts").

    python benchmarks/bench_iter.py

For each iteration the time at count n = 64 (the largest count the evaluator steps through
without looking for a jump, cajal.evaluation.PLAIN_STEPS) is the reference; the same iteration with a 150-digit count must
take about as long or less (the jump costs a few steps, not n), so the printed ratio
huge / reference stays near or below 1. Also `parity` and `add` of a 150-digit numeral through
`Session.run` and the result's display (typing, evaluating, refusing to compile it), against
`parity 3` in the same run.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import timed  # noqa: E402

from cajal import evaluate, parse_term  # noqa: E402
from cajal.evaluation import PLAIN_STEPS  # noqa: E402
from cajal.session import Session  # noqa: E402

HUGE = "3" * 150
ITERATIONS = {
    "𝟚 cycle": "iter{{tt | y ↪ if y then ff else tt}}({n})",
    "ℕ drift": "iter{{2 | y ↪ succ y}}({n})",
    "ℕ cycle": "iter{{3 | y ↪ if iter{{tt | e ↪ if e then ff else tt}}(y) then 4 else 7}}({n})",
    "nested": "iter{{7 | y ↪ iter{{0 | z ↪ succ z}}(y)}}({n})",
}
PRELUDE = ("def not (x : 𝟚) : 𝟚 = if x then ff else tt\n"
           "def parity (n : ℕ) : 𝟚 = iter{tt | y ↪ not y}(n)\n"
           "def add (m : ℕ) (n : ℕ) : ℕ = iter{m | acc ↪ succ acc}(n)")


def main() -> None:
    print(f"{'iteration':<10} {'n=64 ms':>10} {'150 digits ms':>15} {'ratio':>7}")
    for name, source in ITERATIONS.items():
        small, huge = parse_term(source.format(n=PLAIN_STEPS)), parse_term(source.format(n=HUGE))
        ref = timed(lambda: evaluate(small))[0]
        big = timed(lambda: evaluate(huge))[0]
        print(f"{name:<10} {ref:>10.3f} {big:>15.3f} {big / ref:>7.2f}")

    session = Session()
    session.run(PRELUDE)

    def shown(source: str):
        return lambda: [r._repr_mimebundle_() for r in session.run(source)]

    ref = timed(shown("parity 3"))[0]
    print(f"\nSession.run + display   {'parity 3':<16} {ref:8.2f} ms (reference)")
    for source in (f"parity {HUGE}", f"add 2 {HUGE}"):
        t = timed(shown(source))[0]
        print(f"Session.run + display   {source[:14] + '…':<16} {t:8.2f} ms  ratio {t / ref:5.2f}")


if __name__ == "__main__":
    main()
