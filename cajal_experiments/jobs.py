"""One training run = one `Job` = one JSON file. A sweep is a list of jobs; a job whose file
exists is done, so a sweep resumes after a crash, across sessions and across processes.

A job trains one variant of one family with one seed, learning rate, batch size and training-set
size, at the faithful setting (`faithful.SPECS`): Adam, L1 or cross-entropy, clipping where the
original clips, minibatches drawn per epoch from a permutation (a DataLoader with shuffle), the
whole test set scored at the original's evaluation points. A run whose loss becomes non-finite
stops there (the original asserts it never does), records `diverged_at`, and keeps its last
finite scores at the remaining evaluation points (docs/EXPERIMENTS.md). Every variant with the same seed
sees the same training subset and the same minibatch order (paired comparisons).
"""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import torch

from . import faithful as FT
from . import mnist
from .original import n_params

FORMAT = 1


@dataclass(frozen=True)
class Job:
    family: str
    variant: str
    seed: int
    lr: float
    batch: int
    epochs: int | None = None   # None: the family's; ignored when `steps` is given
    steps: int | None = None    # a fixed number of steps (quick mode, data efficiency)
    size: int | None = None     # training examples (pairs for and/eq); None: all
    test: int | None = None     # test examples scored; None: all
    source: str = "auto"        # mnist.load's source
    mode: str = "full"          # "full", "quick" or "pilot": where the result goes

    @property
    def spec(self) -> FT.Spec:
        return FT.SPECS[self.family]

    def name(self) -> str:
        parts = [self.variant, f"s{self.seed}", f"lr{self.lr:g}", f"b{self.batch}"]
        parts += [f"n{self.size}"] if self.size else []
        parts += [f"e{self.epochs}"] if self.epochs else []
        parts += [f"t{self.steps}"] if self.steps else []
        return "-".join(parts)

    def path(self, results: Path) -> Path:
        return Path(results) / self.family / f"{self.name()}.json"

    def total_steps(self, n_train: int) -> int:
        if self.steps is not None:
            return self.steps
        return (self.epochs or self.spec.epochs) * FT.steps_per_epoch(min(n_train, self.size or n_train), self.batch)


@cache
def digits(source: str) -> mnist.Digits:
    return mnist.load(source)


def subset(n: int, size: int | None, seed: int) -> torch.Tensor:
    """The training examples of a data-efficiency run: the first `size` of a permutation fixed by
    the seed (the same for every variant)."""
    if size is None or size >= n:
        return torch.arange(n)
    return torch.randperm(n, generator=torch.Generator().manual_seed(10_000 + seed))[:size]


def batches(n: int, batch: int, steps: int, seed: int):
    """Minibatch indices, epoch by epoch, each epoch a fresh permutation (the last batch may be short)."""
    g = torch.Generator().manual_seed(seed)
    done = 0
    while True:
        order = torch.randperm(n, generator=g)
        for i in range(0, n, batch):
            if done == steps:
                return
            yield order[i:i + batch]
            done += 1


def evaluate(job: Job, model, task: FT.Task, device) -> dict:
    """The test metrics: psnr and l1 (image) or accuracy and ce (pair), and the diagnostics."""
    model.eval()
    out: dict = {}
    with torch.no_grad():
        if job.spec.kind == "image":
            x, target = task.test
            preds = torch.cat([model(x[i:i + 250]) for i in range(0, len(x), 250)])
            out["psnr"] = float(FT.psnr(preds, target).mean())
            out["l1"] = float(FT.loss("image", preds, target))
            acc = FT.count_accuracy(model, x, task.labels[0])
            if acc is not None:
                out["count_accuracy"] = acc
        else:
            a, b, label = task.test
            logits = model(a, b)
            out["accuracy"] = float((logits.argmax(1) == label).float().mean())
            out["ce"] = float(FT.loss("pair", logits, label))
    model.train()
    return out


def kernel_picture(model, task: FT.Task) -> list | None:
    """The learned step's 13×13 kernel for the first test image (a diagnostic picture)."""
    step = getattr(model, "step", None)
    if step is None or not hasattr(step, "kernels"):
        return None
    with torch.no_grad():
        return step.kernels(task.test[0][:1])[0].cpu().tolist()


def learned_table(model) -> list | None:
    """The type-preserving pair model's Linear(4 → 2) on kron(x, y): a learned 𝟚 ⊸ 𝟚 ⊸ 𝟚 table
    (rows: the output basis; columns: (x, y) in kron order), which `cajal.decompile` reads back."""
    body = getattr(model, "body", None)
    if not isinstance(body, torch.nn.Linear) or tuple(body.weight.shape) != (2, 4):
        return None
    return body.weight.detach().cpu().tolist()


def run(job: Job, results: Path, device: str | torch.device = "cpu", bar=None) -> dict:
    """Train the job's model and write its JSON (atomically: a file that exists is complete).
    `bar`: an optional tqdm bar updated once per step."""
    device = torch.device(device)
    spec, data = job.spec, digits(job.source)
    task = spec.task(data)
    idx = subset(len(task.train[0]), job.size, job.seed)
    train = [t[idx].to(device) for t in task.train]
    keep = slice(None) if job.test is None else slice(0, job.test)
    task = FT.Task(train=tuple(train), test=tuple(t[keep].to(device) for t in task.test),
                   labels=tuple(t[keep].to(device) for t in task.labels))
    steps = job.total_steps(len(train[0]))
    points = set(spec.evaluations(steps))
    torch.manual_seed(job.seed)
    model = spec.variant(job.variant).make(FT.definitions()).to(device)
    clip = spec.variant(job.variant).clip
    opt = torch.optim.Adam(model.parameters(), lr=job.lr)
    start = time.perf_counter()
    curve = {"step": [0], **{k: [v] for k, v in evaluate(job, model, task, device).items()}}
    eval_seconds = time.perf_counter() - start
    train_loss, diverged_at = [], None
    for step, b in enumerate(batches(len(train[0]), job.batch, steps, job.seed), start=1):
        out = model(*(t[b] for t in train[:-1]))
        loss = FT.loss(spec.kind, out, train[-1][b])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        train_loss.append(loss.item())
        if not torch.isfinite(loss):  # the original asserts finiteness; we record it and stop
            diverged_at = step
            break
        if step in points:
            tick = time.perf_counter()
            curve["step"].append(step)
            for k, v in evaluate(job, model, task, device).items():
                curve.setdefault(k, []).append(v)
            eval_seconds += time.perf_counter() - tick
        if bar is not None:
            bar.update(1)
    seconds = time.perf_counter() - start
    for step in sorted(p for p in points if p > curve["step"][-1]):  # a diverged run keeps its last scores
        curve["step"].append(step)
        for k in curve:
            if k != "step":
                curve[k].append(curve[k][-1])
    result = {
        "format": FORMAT, "job": asdict(job), "source": data.source, "device": str(device),
        "machine": platform.node() and platform.machine(), "threads": torch.get_num_threads(),
        "steps": steps, "n_train": len(train[0]), "n_test": len(task.test[0]),
        "n_params": n_params(model), "seconds": round(seconds, 3),
        "step_seconds": round((seconds - eval_seconds) / max(steps, 1), 5),  # one training step
        "eval_seconds": round(eval_seconds / len(curve["step"]), 5),  # one evaluation of the test set
        "curve": curve, "train_loss": train_loss, "diverged_at": diverged_at, "kernel": kernel_picture(model, task),
        "table": learned_table(model),
    }
    write(job.path(results), result)
    return result


def write(path: Path, result: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(result), encoding="utf-8")
    tmp.replace(path)


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))
