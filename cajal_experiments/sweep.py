"""The faithful sweep: lists of independent jobs, run with joblib, resumable.

    python -m cajal_experiments.sweep --full            # the pre-registered run (docs/EXPERIMENTS.md)
    python -m cajal_experiments.sweep --quick           # the notebooks' quick mode, a minute a family
    python -m cajal_experiments.sweep --pilot           # times a few steps of every variant
    python -m cajal_experiments.sweep --full --list     # the jobs, and how many are done
    nohup python -m cajal_experiments.sweep --full > sweep.log 2>&1 &   # in the background

Every job writes `results/<mode>/<family>/<job>.json`; a job whose file exists is skipped, so
the same command resumes a sweep, and several processes (or machines sharing the folder) can run
one sweep. `--n-jobs` defaults to every core (one thread per job); on a GPU (`CAJAL_DEVICE`, or
CUDA when present) jobs run one at a time in this process.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import torch

from . import device as dev
from . import faithful as FT
from .cost import estimate, step_times
from .jobs import Job, digits, run
from .train import quick_mode

ROOT = Path(__file__).resolve().parent.parent
SEEDS = 8
EFFICIENCY_SIZES = {"image": (100, 1000), "pair": (100, 500)}
EFFICIENCY_STEPS = {"image": 500, "pair": 160}
QUICK = {"seeds": 2, "steps": {"image": 30, "pair": 40}, "test": 200, "size": 100, "size_steps": 20}


def results_dir(mode: str) -> Path:
    """`$CAJAL_RESULTS` when set (the tests use a temporary folder), else results/<mode>/ in the repository."""
    root = os.environ.get("CAJAL_RESULTS")
    return Path(root) if root else ROOT / "results" / mode


def full_jobs(families: Iterable[str] = FT.ORDER, seeds: int = SEEDS, source: str = "auto") -> list[Job]:
    """The pre-registered run: every variant at the main grid point (learning curves), the
    main pair on small training sets (data efficiency), and blur's two models at the
    original's own (different) settings."""
    out = []
    for f in families:
        s = FT.SPECS[f]
        for seed in range(seeds):
            out += [Job(f, v.name, seed, s.lr, s.batch, source=source) for v in s.variants]
            out += [Job(f, v, seed, s.lr, s.batch, steps=EFFICIENCY_STEPS[s.kind], size=n, source=source)
                    for v in (FT.LINKED, FT.PLAIN) for n in EFFICIENCY_SIZES[s.kind]]
            if f == "blur":
                out += [Job(f, FT.LINKED, seed, 1e-4, 64, epochs=20, source=source),
                        Job(f, FT.PLAIN, seed, 1e-3, 32, epochs=5, source=source)]
    return out


def grid_jobs(families: Iterable[str] = FT.ORDER, seeds: int = SEEDS, source: str = "auto") -> list[Job]:
    """The original's whole optimiser grid (lr × batch) for every variant."""
    return [Job(f, v.name, seed, lr, b, source=source)
            for f in families for v in FT.SPECS[f].variants for seed in range(seeds)
            for lr in FT.SPECS[f].lrs for b in FT.SPECS[f].batches]


def quick_jobs(families: Iterable[str] = FT.ORDER, source: str = "mnist-5k") -> list[Job]:
    """Quick mode: 2 seeds, a few dozen steps, 200 test examples; every variant, and the main
    pair on 100 training examples."""
    out = []
    for f in families:
        s = FT.SPECS[f]
        for seed in range(QUICK["seeds"]):
            out += [Job(f, v.name, seed, s.lr, s.batch, steps=QUICK["steps"][s.kind], test=QUICK["test"],
                        source=source, mode="quick") for v in s.variants]
            out += [Job(f, v, seed, s.lr, s.batch, steps=QUICK["size_steps"], size=QUICK["size"], test=QUICK["test"],
                        source=source, mode="quick") for v in (FT.LINKED, FT.PLAIN)]
    return out


def pilot_jobs(steps: int = 20, source: str = "mnist-5k") -> list[Job]:
    """One short job per variant at the main grid point, to time a training step."""
    return [Job(f, v.name, 0, s.lr, s.batch, steps=steps, test=200, source=source, mode="pilot")
            for f, s in FT.SPECS.items() for v in s.variants]


def pending(jobs: list[Job], results: Path) -> list[Job]:
    return [j for j in jobs if not j.path(results).is_file()]


def finished(results: Path, mode: str = "full", families: Iterable[str] = FT.ORDER) -> list[str]:
    """The families all of whose jobs of `mode` ("full" or "quick") have their results in `results`."""
    make, results = {"full": full_jobs, "quick": quick_jobs}[mode], Path(results)
    if not results.is_dir():
        return []
    return [f for f in families if not pending(make([f]), results)]


def full_run_done(families: Iterable[str] = FT.ORDER) -> bool:
    """Whether every job of these families' full run has its result in results/full/."""
    families = list(families)
    return finished(results_dir("full"), "full", families) == families


def mode(families: Iterable[str] = FT.ORDER) -> str:
    """What the notebooks show: "full" once the families' full run is done, unless quick mode
    is asked for (CAJAL_QUICK=1, as the tests do); else "quick"."""
    return "full" if not quick_mode() and full_run_done(families) else "quick"


def _one(job: Job, results: str, device: str, threads: int) -> str:
    torch.set_num_threads(threads)
    run(job, Path(results), device)
    return job.name()


def run_jobs(jobs: list[Job], results: Path | None = None, n_jobs: int | None = None, device: str | None = None,
             progress: bool = True) -> list[Job]:
    """Run the jobs not done yet; returns them. With one worker they run in this process under one
    tqdm bar over all their training steps (its text names the job); with several, joblib's
    processes run them under a tqdm bar over jobs."""
    from joblib import Parallel, delayed
    from tqdm.std import tqdm  # text: its last state stays readable in a saved notebook

    results = Path(results) if results is not None else results_dir(jobs[0].mode if jobs else "full")
    todo = pending(jobs, results)
    device = str(dev.pick(device))
    if n_jobs is None:
        n_jobs = 1 if device != "cpu" else (os.cpu_count() or 1)
    n_jobs = max(1, min(n_jobs, len(todo) or 1))
    done_before = f"{len(jobs) - len(todo)} of {len(jobs)} jobs done before"
    if n_jobs == 1:
        sizes = {}
        for j in todo:  # the training-set size of each job, for the bar's total
            if j.family not in sizes:
                sizes[j.family] = len(j.spec.task(digits(j.source)).train[0])
        total = sum(j.total_steps(sizes[j.family]) for j in todo)
        with tqdm(total=total, desc=f"{len(todo)} jobs ({done_before})", unit="step", mininterval=2.0,
                  disable=not progress, file=sys.stderr) as bar:
            for j in todo:
                bar.set_postfix_str(f"{j.family}/{j.name()}", refresh=False)
                torch.set_num_threads(1)
                run(j, results, device, bar=bar)
        return todo
    calls = (delayed(_one)(j, str(results), device, 1) for j in todo)
    with tqdm(total=len(todo), desc=f"jobs ({done_before})", unit="job", disable=not progress, file=sys.stderr) as bar:
        for _ in Parallel(n_jobs=n_jobs, return_as="generator_unordered")(calls):
            bar.update(1)
    return todo


GPU_SPEEDUP = 10.0  # an assumption, not a measurement: see docs/EXPERIMENTS.md


def estimate_text(measured: Path, workers: int = 2) -> str:
    """The measured step times and what they predict for the full run (5k digits, `workers`
    CPU cores) and for the original's grid at full-MNIST size on one GPU."""
    times = step_times(measured)
    lines = ["measured (one thread): seconds per training step at the main batch, ms per test example evaluated"]
    lines += [f"  {f:<12} {v:<16} {t:.3f} s   {e * 1e3:.3f} ms" for (f, v), (t, e) in sorted(times.items())]
    full = estimate(full_jobs(), times, n_train=4000, n_test=1000)
    grid = estimate(grid_jobs(), times, n_train=60_000, n_test=10_000, speedup=GPU_SPEEDUP)
    lines.append(f"full run (5k digits, {len(full_jobs())} jobs): {full / 3600:.1f} h of one core, "
                 f"{full / 3600 / workers:.1f} h of wall time on {workers} cores")
    lines.append(f"original grid at 60k / 18,750 steps ({len(grid_jobs())} jobs, 8 seeds): {grid / 3600:.0f} h on one GPU "
                 f"if a GPU step is {GPU_SPEEDUP:g}× faster than one CPU thread")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m cajal_experiments.sweep", description=__doc__.split("\n")[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--full", action="store_true", help="the pre-registered faithful run")
    mode.add_argument("--grid", action="store_true", help="the original's whole lr × batch grid")
    mode.add_argument("--quick", action="store_true", help="the notebooks' quick mode")
    mode.add_argument("--pilot", action="store_true", help="time a few steps of every variant")
    ap.add_argument("--families", nargs="*", default=list(FT.ORDER), choices=FT.ORDER)
    ap.add_argument("--seeds", type=int, default=SEEDS)
    ap.add_argument("--source", default=None, help="digits: auto, mnist-60k, mnist-5k, sklearn-digits")
    ap.add_argument("--n-jobs", type=int, default=None, help="processes (default: every core on a CPU)")
    ap.add_argument("--results", type=Path, default=None)
    ap.add_argument("--list", action="store_true", help="list the jobs and what is done, run nothing")
    ap.add_argument("--estimate", type=Path, default=None, metavar="RESULTS",
                    help="print the cost of the full run and of the grid from the step times measured in RESULTS")
    args = ap.parse_args(argv)
    if args.estimate:
        print(estimate_text(args.estimate))
        return 0
    if not (args.full or args.grid or args.quick or args.pilot):
        ap.error("choose one of --full, --grid, --quick, --pilot (or --estimate RESULTS)")
    if args.quick:
        jobs, name = quick_jobs(args.families, source=args.source or "mnist-5k"), "quick"
    elif args.pilot:
        jobs, name = [j for j in pilot_jobs(source=args.source or "mnist-5k") if j.family in args.families], "pilot"
    elif args.grid:
        jobs, name = grid_jobs(args.families, args.seeds, source=args.source or "auto"), "grid"
    else:
        jobs, name = full_jobs(args.families, args.seeds, source=args.source or "auto"), "full"
    results = args.results or results_dir(name)
    if args.list:
        todo = set(pending(jobs, results))
        for j in jobs:
            print(("  " if j in todo else "✓ ") + f"{j.family}/{j.name()}")
        print(f"{len(jobs) - len(todo)} of {len(jobs)} jobs done in {results}")
        return 0
    run_jobs(jobs, results, n_jobs=args.n_jobs)
    print(f"{len(jobs)} jobs done in {results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
