"""Training throughput of the experiments' linked models against the same models written by hand.

    python benchmarks/bench_train.py                 # about a minute on an idle core
    python benchmarks/bench_train.py --batch 64 --repeat 30

For each family's *indirect* model (networks linked to a compiled Cajal program), one training
step (forward, backward, Adam) is timed with the compiled program and with the same denotation
written directly in PyTorch (`models.reference_*`): same networks, same weights, same batch,
interleaved in the same run. The target is a ratio ≤ 1.1 (linked / by hand) per step. Steps are
timed in process CPU time (one thread), which other processes on a busy, shared machine disturb
far less than wall time; both the minimum and the median over repeats are reported (ms), and
the target is checked on the ratio of medians.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from timing import timed

from cajal_experiments import models as M
from cajal_experiments import original as O
from cajal_experiments import programs as P
from cajal_experiments.families.common import mse, nll

TARGET = 1.1


def cases(batch: int):
    """(name, make(program) → model, program, reference, loss, batch tensors)."""
    defs = {}
    for src in (P.DILATE, P.DILATE_COND, P.BLUR, P.AND, P.CHURCH, P.EQ):
        defs.update(P.definitions(src))
    g = torch.Generator().manual_seed(0)
    x, t = torch.rand(batch, 1, 16, 16, generator=g), torch.rand(batch, 1, 16, 16, generator=g)
    a, b = torch.rand(batch, 1, 16, 16, generator=g), torch.rand(batch, 1, 16, 16, generator=g)
    bits = torch.rand(batch, generator=g) > 0.5
    yield "dilate", lambda p: M.LinkedIter(p, M.ConvStep()), defs["dilate"], M.reference_iter, mse, (x, t)
    yield ("dilate_cond", lambda p: M.LinkedCondIter(p, M.ConvStep()), defs["dilate_cond1"],
           M.reference_dilate_cond, mse, (x, t))
    yield "blur", lambda p: M.LinkedIter(p, M.LinearStep()), defs["blur"], M.reference_iter, mse, (x, t)
    yield "and", lambda p: M.LinkedBool2(p), defs["and_"], M.reference_and, nll, (a, b, bits)
    yield "and (Church)", lambda p: M.LinkedBool2(p), defs["and_church"], M.reference_and, nll, (a, b, bits)
    yield "eq", lambda p: M.LinkedBool2(p), defs["eq"], M.reference_eq, nll, (a, b, bits)
    # the faithful setting (original.py): 28×28 digits, raw counts, the hypernetwork step, L1
    x28, t28 = torch.rand(batch, 1, 28, 28, generator=g) * 2 - 1, torch.rand(batch, 1, 28, 28, generator=g) * 2 - 1
    yield ("dilate (faithful)", lambda p: O.LinkedIter(p, O.HyperStep()), defs["dilate"], O.reference_iter,
           lambda model, x, t: torch.nn.functional.l1_loss(model(x), t), (x28, t28))


def step_fn(model, loss, batch):
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)

    def step():
        opt.zero_grad(set_to_none=True)
        loss(model, *batch).backward()
        opt.step()
    return step


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=12, help="interleaved rounds of (linked, by hand)")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    print(f"one training step (forward + backward + Adam), batch {args.batch}, {args.threads} thread(s); "
          f"CPU ms, median (min) of {args.rounds} interleaved rounds × {args.repeat} steps")
    print(f"{'family':14s} {'linked':>16s} {'by hand':>16s} {'ratio of medians':>17s} {'of minima':>10s}")
    worst = 0.0
    for name, make, program, reference, loss, batch in cases(args.batch):
        torch.manual_seed(0)
        linked = make(program)
        by_hand = make(reference)
        by_hand.load_state_dict(linked.state_dict(), strict=False)
        with torch.no_grad():  # the same function, before timing it
            a, b = linked(*batch[:-1]), by_hand(*batch[:-1])
            assert torch.allclose(a, b, atol=1e-5), name
        steps = {"linked": step_fn(linked, loss, batch), "by hand": step_fn(by_hand, loss, batch)}
        times = {k: [] for k in steps}
        for _ in range(args.rounds):
            for k, f in steps.items():
                times[k].append(timed(f, repeat=args.repeat, warmup=1, clock=time.process_time))
        best = {k: min(t[0] for t in v) for k, v in times.items()}
        med = {k: statistics.median(t[1] for t in v) for k, v in times.items()}
        ratio = med["linked"] / med["by hand"]
        worst = max(worst, ratio)
        print(f"{name:14s} {med['linked']:7.2f} ({best['linked']:6.2f}) {med['by hand']:7.2f} ({best['by hand']:6.2f}) "
              f"{ratio:17.2f} {best['linked'] / best['by hand']:10.2f}")
    print(f"worst ratio {worst:.2f} (target ≤ {TARGET})")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
