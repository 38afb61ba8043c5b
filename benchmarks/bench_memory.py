"""Peak memory of compiling large programs, against the size of what they produce.

    python benchmarks/bench_memory.py            # about half a minute
    python benchmarks/bench_memory.py --render   # also the session's `:matrix` view of each

Each case runs in a fresh process (so peaks don't mix): `cajal.compile(term, nat_dim=N)` and
its `.matrix`. Printed: the output's size, the peak resident memory above what the process
held after importing (ru_maxrss), their ratio, and the time. The budget's promise: a compile
peaks at most at 2× the size limit (1 GiB by default); here, at about the output's size.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CASES = [
    ("λf:ℕ ⊸ ℕ. f", 100),
    ("λf:ℕ ⊸ ℕ. f", 125),
    ("λf:ℕ ⊸ ℕ. λx:ℕ. f x", 100),
    ("λm:ℕ. λn:ℕ. iter{m | y ↪ succ y}(n)", 300),
]

CHILD = r"""
import json, resource, sys, time
import torch
torch.set_num_threads(1)
import cajal
from cajal import render
src, n, view = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
base = peak()
t0 = time.perf_counter()
m = cajal.compile(src, nat_dim=n).matrix
out = {"bytes": m.numel() * m.element_size(), "peak": peak() - base, "s": time.perf_counter() - t0}
if view:
    t0 = time.perf_counter()
    render.compiled_view(cajal.compile(src, nat_dim=n), title=src)
    out["view_peak"], out["view_s"] = peak() - base, time.perf_counter() - t0
print(json.dumps(out))
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--render", action="store_true", help="also render the heatmap view")
    args = parser.parse_args(argv)
    print(f"{'program':<40} {'N':>4} {'output':>10} {'peak above imports':>19} {'ratio':>6} {'time':>7}")
    for src, n in CASES:
        done = subprocess.run([sys.executable, "-c", CHILD, src, str(n), "1" if args.render else "0"],
                              capture_output=True, text=True, cwd=ROOT, timeout=900)
        if done.returncode:
            print(f"{src:<40} {n:>4}  failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        mb = 2 ** 20
        print(f"{src:<40} {n:>4} {r['bytes'] / mb:>7.0f} MB {r['peak'] / mb:>16.0f} MB "
              f"{r['peak'] / r['bytes']:>5.2f}× {r['s']:>6.2f}s")
        if args.render:
            print(f"{'   …and its :matrix view':<45} {'':>10} {r['view_peak'] / mb:>16.0f} MB "
                  f"{r['view_peak'] / r['bytes']:>5.2f}× {r['view_s']:>6.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
