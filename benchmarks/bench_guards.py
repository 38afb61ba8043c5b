"""The timings the tests used to assert, measured here as ratios against a reference in the
same run (tests check what happens; this says how fast).

    python benchmarks/bench_guards.py             # about half a minute
    python benchmarks/bench_guards.py --no-kernel # without starting a Cajal kernel

1. The size guard refuses a 10⁵ × 10⁵ matrix before allocating it: its time against compiling
   `λx:𝟚. x` (target: a small multiple; it was asserted < 0.5 s).
2. A 16-deep nested iteration compiles in time polynomial in the depth: against depth 4
   (it was asserted < 5 s), and a function state that calls the previous one twice (< 5 s).
3. A 1000 × 1000 heatmap is summarised: against a 10 × 10 one (it was asserted < 2 s).
4. Interrupting a cell that displays 300 matrices ends it promptly: the time from the interrupt
   to the reply, against the round trip of `not tt` (it was asserted < 5 s).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import best_of  # noqa: E402

import cajal  # noqa: E402
from cajal import CajalError, parse_term  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def row(what: str, t: float, ref: float) -> None:
    print(f"   {what:<52} {t * 1000:9.2f} ms  {t / ref:8.1f}× the reference")


def nested(depth: int) -> str:
    inner = f"succ y{depth}"
    for k in range(depth, 1, -1):
        inner = f"iter{{y{k - 1} | y{k} ↪ {inner}}}(1)"
    return f"λn:ℕ. iter{{zero | y1 ↪ {inner}}}(n)"


def bench_compiler() -> None:
    small = parse_term("λx:𝟚. x")
    ref = best_of(lambda: cajal.compile(small).matrix, repeat=20)
    print(f"1–2. compiler (reference: compiling `λx:𝟚. x`, {ref * 1000:.2f} ms)")
    huge = parse_term("λf:(((ℕ ⊸ ℕ) ⊸ ℕ) ⊸ ℕ) ⊸ ℕ. f")

    def refused():
        try:
            cajal.compile(huge)
        except CajalError:
            return
        raise AssertionError("the size guard did not refuse")

    row("size guard refuses a 10⁵ × 10⁵ matrix", best_of(refused, repeat=10), ref)
    ref4 = best_of(lambda: cajal.compile(parse_term(nested(4))).matrix, repeat=5)
    t16 = best_of(lambda: cajal.compile(parse_term(nested(16))).matrix, repeat=3)
    row("nested iteration, depth 4", ref4, ref)
    row("nested iteration, depth 16", t16, ref)
    print(f"   depth 16 / depth 4: {t16 / ref4:.1f}× (polynomial: 9^12 ≈ 3·10¹¹ if each iter ran in its parent)")
    twice = parse_term("λn:ℕ. iter{λb:𝟚. b | f ↪ λc:𝟚. iter{tt | d ↪ if d then (if c then f ff else f tt) "
                       "else (if c then f tt else f ff)}(2)}(n)")
    row("function state calling the previous one twice", best_of(lambda: cajal.compile(twice).matrix, repeat=3), ref)


def bench_heatmap() -> None:
    import torch

    from cajal import render
    small, big = torch.randn(10, 10), torch.randn(1000, 1000)
    ref = best_of(lambda: render.heatmap(small, "ℕ ⊸ ℕ", ["ℕ ⊸ ℕ"]).html, repeat=10)
    print(f"3. heatmap (reference: a 10 × 10 one, {ref * 1000:.2f} ms)")
    row("a 1000 × 1000 one, summarised", best_of(lambda: render.heatmap(big, "ℕ ⊸ ℕ ⊸ ℕ", ["ℕ ⊸ ℕ ⊸ ℕ"]).html,
                                                 repeat=3), ref)


def bench_interrupt() -> None:
    from jupyter_client.manager import start_new_kernel
    prefix = tempfile.mkdtemp(prefix="cajal-bench-")
    subprocess.run([sys.executable, "-m", "cajal_kernel", "install", "--prefix", prefix], check=True,
                   capture_output=True, cwd=ROOT)
    os.environ["JUPYTER_PATH"] = str(Path(prefix) / "share" / "jupyter")
    km, kc = start_new_kernel(kernel_name="cajal", startup_timeout=60)
    try:
        def run(code: str) -> None:
            kc.execute_interactive(code, timeout=60, output_hook=lambda msg: None)

        run("not tt")
        ref = best_of(lambda: run("not tt"), repeat=5)
        print(f"4. kernel (reference: the round trip of `not tt`, {ref * 1000:.1f} ms)")
        run(":set nat_dim 200")
        msg_id = kc.execute("λx:ℕ. succ x\n" * 300)
        while True:  # until the cell displays its results
            msg = kc.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "display_data":
                break
        km.interrupt_kernel()
        interrupted = time.perf_counter()
        while True:
            reply = kc.get_shell_msg(timeout=60)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        row("interrupt of a cell displaying 300 matrices → reply", time.perf_counter() - interrupted, ref)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-kernel", action="store_true", help="skip 4 (it starts a Cajal kernel)")
    args = parser.parse_args(argv)
    bench_compiler()
    bench_heatmap()
    if not args.no_kernel:
        bench_interrupt()


if __name__ == "__main__":
    main()
