"""Start-up time of the Cajal kernel against the plain `python3` ipykernel.

Measures, for each kernel, the wall time from starting the kernel process to its reply to
`kernel_info` (what a notebook waits for before it shows "Idle"), over several alternating
rounds, and prints the medians and their ratio (target: Cajal ≤ 1.3 × python3). It also times
the Cajal kernel's first bare-term cell, which is where torch gets imported.

    python benchmarks/bench_kernel_startup.py [--rounds 7] [--json]

The Cajal kernelspec is installed into a temporary prefix (`python -m cajal_kernel install
--prefix`) and found through JUPYTER_PATH, so an editable install is measured as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def start_and_wait(kernel_name: str, first_cell: str | None = None) -> tuple[float, float | None]:
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name=kernel_name)
    t0 = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        ready = time.perf_counter() - t0
        cell = None
        if first_cell is not None:
            t1 = time.perf_counter()
            reply = kc.execute_interactive(first_cell, timeout=300, output_hook=lambda msg: None)
            cell = time.perf_counter() - t1
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"the first cell failed: {reply['content']}")
        return ready, cell
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as prefix:
        subprocess.run([sys.executable, "-m", "cajal_kernel", "install", "--prefix", prefix],
                       check=True, capture_output=True)
        os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
        start_and_wait("python3")  # warm the disk caches for both
        start_and_wait("cajal")
        python3, cajal, first = [], [], []
        for _ in range(args.rounds):
            python3.append(start_and_wait("python3")[0])
            ready, cell = start_and_wait("cajal", first_cell="λx:𝟚. x")
            cajal.append(ready)
            first.append(cell)

    result = {
        "rounds": args.rounds,
        "python3_median_s": statistics.median(python3),
        "cajal_median_s": statistics.median(cajal),
        "ratio": statistics.median(cajal) / statistics.median(python3),
        "cajal_first_compiled_cell_median_s": statistics.median(first),
        "python3_s": python3,
        "cajal_s": cajal,
    }
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print(f"python3 kernel: start → kernel_info reply  median {result['python3_median_s']:.3f} s")
        print(f"cajal kernel:   start → kernel_info reply  median {result['cajal_median_s']:.3f} s")
        print(f"ratio cajal / python3: {result['ratio']:.2f}  (target ≤ 1.3)")
        print(f"cajal first cell that compiles (imports torch): median "
              f"{result['cajal_first_compiled_cell_median_s']:.3f} s")
    return result


if __name__ == "__main__":
    main()
