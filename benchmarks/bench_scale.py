"""How compile cost grows with nat_dim, against a dense reference in the same run.

    python benchmarks/bench_scale.py                 # nat_dim 50, 100, 200, 300 (about a minute)
    python benchmarks/bench_scale.py --dims 50 100   # fewer sizes
    python benchmarks/bench_scale.py --threads 4

For each program and nat_dim N: ours = `cajal.compile(term, nat_dim=N).matrix` (the term parsed
beforehand); the reference = the same matrix by hand-written torch: the step's matrix W, then
H ← W·H over the batch of basis states, N times, each H written into the output. Both are
checked equal. Printed: the times (minimum over repeats, ms), the ratio ours / reference, and
per program the fitted growth exponent e of our time against the output size (time ∝ size^e:
1 means the cost grows like the output). Target: ours within 2× of the reference at
N = 100…300, checked on the worst row.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import timed  # noqa: E402

import cajal  # noqa: E402
from cajal import parse_term  # noqa: E402


def shift(n: int) -> torch.Tensor:
    """succ's matrix: eᵢ ↦ eᵢ₊₁, the last natural to 0."""
    return torch.diag(torch.ones(n - 1), -1)


def ref_add(n: int) -> torch.Tensor:
    """λm:ℕ. λn:ℕ. iter{m | y ↪ succ y}(n): (N·N, N), row (r, k), column m: [r = m + k]."""
    w, h = shift(n), torch.eye(n)  # the basis states m, one per column
    out = torch.empty(n, n, n)  # (r, k, m)
    for k in range(n):
        out[:, k, :] = h
        h = w @ h
    return out.reshape(n * n, n)


def ref_count(n: int) -> torch.Tensor:
    """λn:ℕ. iter{0 | y ↪ succ y}(n): (N, N), column k = e_k."""
    w, h = shift(n), torch.eye(n)[:, 0]
    out = torch.empty(n, n)
    for k in range(n):
        out[:, k] = h
        h = w @ h
    return out


def _states(w: torch.Tensor, h: torch.Tensor, n: int) -> torch.Tensor:
    out = torch.empty(h.shape[0], n)
    for k in range(n):
        out[:, k] = h
        h = w @ h
    return out


def ref_parity(n: int) -> torch.Tensor:
    """λn:ℕ. iter{tt | y ↪ not y}(n): (2, N)."""
    return _states(torch.tensor([[0.0, 1.0], [1.0, 0.0]]), torch.tensor([1.0, 0.0]), n)


def ref_higher(n: int) -> torch.Tensor:
    """λn:ℕ. iter{λx:𝟚. x | f ↪ λx:𝟚. f (not x)}(n): (4, N); a state is a 2×2 matrix M
    (row-major), the step M ↦ M·P with P = not's matrix, so W = I ⊗ Pᵀ on the flattening."""
    p = torch.tensor([[0.0, 1.0], [1.0, 0.0]])
    return _states(torch.kron(torch.eye(2), p.T.contiguous()), torch.eye(2).reshape(-1), n)


PROGRAMS = [
    ("add  λm λn. iter{m | y ↪ succ y}(n)", "λm:ℕ. λn:ℕ. iter{m | y ↪ succ y}(n)", ref_add),
    ("count  λn. iter{0 | y ↪ succ y}(n)", "λn:ℕ. iter{0 | y ↪ succ y}(n)", ref_count),
    ("parity  λn. iter{tt | y ↪ not y}(n)", "λn:ℕ. iter{tt | y ↪ if y then ff else tt}(n)", ref_parity),
    ("higher-order state", "λn:ℕ. iter{λx:𝟚. x | f ↪ λx:𝟚. f (if x then ff else tt)}(n)", ref_higher),
]


def exponent(sizes: list[int], times: list[float]) -> float:
    """The least-squares slope of log time against log size."""
    xs, ys = [math.log(s) for s in sizes], [math.log(t) for t in times]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dims", type=int, nargs="+", default=[50, 100, 200, 300])
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); times in ms (minimum of {args.repeat})")
    print(f"{'program':<40} {'N':>4} {'output':>14} {'ours':>9} {'reference':>10} {'ratio':>7}")
    worst = (0.0, "")
    for label, src, ref in PROGRAMS:
        term = parse_term(src)
        sizes, ours_t = [], []
        for n in args.dims:
            ours_m, ref_m = cajal.compile(term, nat_dim=n).matrix, ref(n)
            assert torch.equal(ours_m, ref_m), f"{label}: compiler and reference disagree at N = {n}"
            repeat = args.repeat if n <= 200 else max(2, args.repeat // 2)
            ours, _ = timed(lambda: cajal.compile(term, nat_dim=n).matrix, repeat=repeat)
            base, _ = timed(lambda: ref(n), repeat=repeat)
            shape = "×".join(str(s) for s in ours_m.shape)
            print(f"{label:<40} {n:>4} {shape:>14} {ours:>9.2f} {base:>10.2f} {ours / base:>6.2f}×")
            sizes.append(ours_m.numel())
            ours_t.append(ours)
            if 100 <= n <= 300 and ours / base > worst[0]:
                worst = (ours / base, f"{label}, N = {n}")
        print(f"{'':<40} growth exponent of our time vs output size: {exponent(sizes, ours_t):.2f}")
    if worst[1]:
        ok = worst[0] <= 2
        print(f"\nTarget: within 2× of the reference at N = 100…300; worst row {worst[1]}: "
              f"{worst[0]:.2f}× {'ok' if ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
