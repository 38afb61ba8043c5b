"""A cell's time grows linearly with its number of definitions: run cells of 1,250, 2,500 and
5,000 `def`s through a Session and report the time per definition, as a ratio to the smallest
cell's (target: every ratio under 1.5; a quadratic cell doubles it at each step). Before the
fix, 5,000 defs took 23 s on a quiet machine (2,500: 5.7 s), ratio ≈ 2 per doubling.

    python benchmarks/bench_cells.py
"""

from timing import best_of

from cajal import Session

SIZES = (1250, 2500, 5000)


def cell(n: int) -> str:
    return "\n".join(f"def f{i} (x : 𝟚) : 𝟚 = if x then (f{i - 1} ff) else tt" if i else
                     "def f0 (x : 𝟚) : 𝟚 = if x then ff else tt" for i in range(n))


def main() -> None:
    per_def = {}
    for n in SIZES:
        src = cell(n)
        seconds = best_of(lambda: Session().run(src), repeat=3)
        per_def[n] = seconds / n
        print(f"{n:>5} defs: {seconds:6.2f} s  ({per_def[n] * 1e3:.2f} ms per def, "
              f"ratio {per_def[n] / per_def[SIZES[0]]:.2f} to {SIZES[0]} defs)")


if __name__ == "__main__":
    main()
