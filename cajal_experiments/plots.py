"""Pictures of the faithful results: learning curves with 95% bands, the learned step's kernel,
and the forest plot of every claim. They draw what `claims` and the job results hold."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch

from . import faithful as FT
from . import stats
from .claims import Claim, Results

COLORS = {"linked": "C0", "plain": "C3", "direct_simple": "C1", "type-preserving": "C2", "church": "C4"}


def curves(ax, res: Results, family: str, key: str, ylabel: str, title: str = "") -> None:
    """Mean over seeds of the test `key` against the training step, with its pointwise 95% band.
    The vertical axis fits the curves after the first 5% of the run: a linked model fed random
    raw counts starts hundreds of dB below the rest (its L1 loss in the millions), which would
    flatten every curve; what lies beyond the axis is said in the corner."""
    after, early = [], []
    for v in FT.SPECS[family].variants:
        runs = list(res.main_runs(family, v.name).values())
        if not runs:
            continue
        steps = runs[0]["curve"]["step"]
        n = min(len(r["curve"][key]) for r in runs)
        m, lo, hi = stats.band(torch.tensor([r["curve"][key][:n] for r in runs]))
        ax.plot(steps[:n], m, label=f"{v.name} ({len(runs)} seeds)", color=COLORS.get(v.name))
        ax.fill_between(steps[:n], lo, hi, alpha=0.2, color=COLORS.get(v.name))
        since = steps[n - 1] / 20
        after += [float(u) for s, u in zip(steps[:n], m) if s >= since and torch.isfinite(u)]
        early += [float(u) for s, u in zip(steps[:n], m) if s < since and torch.isfinite(u)]
    if after:
        low, high = min(after), max(after)
        pad = 0.15 * (high - low) or 0.1 * abs(high) or 1.0
        ax.set_ylim(low - pad, high + pad)
        if any(u < low - pad or u > high + pad for u in early):
            ax.text(0.01, 0.01, "the axis fits the curves after the first 5% of steps;\nearlier points run off it",
                    transform=ax.transAxes, fontsize=7, color="0.35", va="bottom")
    ax.set_xlabel("training step")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)


def family_figure(res: Results, family: str):
    """The test metric and the trained loss during training."""
    kind = FT.SPECS[family].kind
    metric, loss = ("psnr", "l1") if kind == "image" else ("accuracy", "ce")
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    curves(axes[0], res, family, metric, "test PSNR (dB)" if kind == "image" else "test accuracy",
           f"{family}: test {metric} (mean, 95% band)")
    curves(axes[1], res, family, loss, f"test {loss} (the trained loss)", f"{family}: test {loss} (mean, 95% band)")
    fig.tight_layout()
    return fig


def kernels(res: Results, family: str):
    """The learned step's 13×13 kernel (for the first test image, seed 0) of every variant that has one."""
    found = [(v.name, res.main_runs(family, v.name).get(0, {}).get("kernel")) for v in FT.SPECS[family].variants]
    found = [(n, k) for n, k in found if k]
    if not found:
        return None
    fig, axes = plt.subplots(1, len(found), figsize=(3.2 * len(found), 3), squeeze=False)
    for ax, (name, k) in zip(axes[0], found):
        t = torch.tensor(k)
        lim = float(t.abs().max()) or 1.0
        im = ax.imshow(t, cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_title(f"{name}: learned step kernel", fontsize=9)
        ax.axis("off")
        fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    return fig


def forest(claims: list[Claim], title: str = ""):
    """Every claim's paired difference with its 95% interval; right of zero favours the claim."""
    fig, axes = plt.subplots(1, 2, figsize=(13, 0.35 * len(claims) + 1.5), squeeze=False,
                             gridspec_kw={"width_ratios": [1, 1]})
    for ax, unit in zip(axes[0], ("dB", "")):
        cs = [c for c in claims if (c.unit == "dB") == (unit == "dB")]
        for i, c in enumerate(cs):
            d = c.diff
            color = {"reproduced": "C2", "not reproduced": "C3"}.get(c.verdict, "0.4")
            lo, hi = max(d.low, -1e3), min(d.high, 1e3)
            ax.errorbar([d.mean], [i], xerr=[[d.mean - lo], [hi - d.mean]], fmt="o", color=color, capsize=3)
        ax.set_yticks(range(len(cs)), [f"{c.family}: {c.claim}" + (" (loss)" if "loss" in c.claim else "")
                                       for c in cs], fontsize=8)
        ax.axvline(0, color="k", lw=0.8)
        ax.invert_yaxis()
        ax.set_xlabel("linked − plain (dB PSNR)" if unit == "dB" else "linked − plain (accuracy, or loss reduction)")
        ax.grid(alpha=0.3, axis="x")
    fig.suptitle(title or "every claim: paired difference, 95% interval (green: reproduced, red: not, grey: inconclusive)")
    fig.tight_layout()
    return fig


def learned_tables(res: Results, family: str, variant: str = "type-preserving") -> str:
    """The learned 𝟚 ⊸ 𝟚 ⊸ 𝟚 table of every seed of `variant` (its columns' softmax), rounded to
    the nearest Cajal program by `cajal.decompile`, with how far the table was from it."""
    import cajal

    lines = []
    for seed, run in sorted(res.main_runs(family, variant).items()):
        table = run.get("table")
        if table is None:
            continue
        # the layer outputs logits: each column's softmax is the table's soft answer to (x, y)
        found = cajal.decompile(torch.tensor(table).softmax(0), "𝟚 ⊸ 𝟚 ⊸ 𝟚")
        lines.append(f"seed {seed}: {cajal.pretty(found.term)}\n        distance: max {found.max_distance:.3f}, "
                     f"mean {found.mean_distance:.3f}")
    return "\n".join(lines) or f"no learned tables in the results of {variant}"
