"""What a sweep means: steps to a target score and scores against training-set size, compared
pairwise across seeds against the plain network, plotted with 95% intervals, and the summary
row for the families' table (notebooks, README).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from . import stats
from .family import Family
from .runs import Study
from .train import table

TARGET_FRACTION = 0.8


@dataclass(frozen=True)
class Claim:
    measure: str
    diff: stats.Interval
    verdict: str


@dataclass(frozen=True)
class Row:
    """One family's line of the summary table."""

    family: str
    comparison: str
    unit: str
    faster: Claim
    data_efficient: Claim
    settings: str
    seconds: float
    source: str
    device: str
    quick: bool

    def to_json(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_json(d: dict) -> Row:
        def claim(c: dict) -> Claim:
            return Claim(c["measure"], stats.Interval(**c["diff"]), c["verdict"])
        return Row(**{**d, "faster": claim(d["faster"]), "data_efficient": claim(d["data_efficient"])})


def steps_to_target(study: Study, key: str, target: float) -> dict:
    """{variant: [first step reaching `target` per seed, None if never]}."""
    return {name: [stats.first_reach(h.steps, h.metrics[key], target) for h in hs]
            for name, hs in study.curves.items()}


def censored(steps: list, budget: int) -> list[int]:
    """Never reached counts as one evaluation past the budget: a lower bound on the truth."""
    return [budget if s is None else s for s in steps]


@dataclass
class Summary:
    family: Family
    study: Study
    source: str
    quick: bool

    @property
    def key(self) -> str:
        return self.family.metric

    @property
    def target(self) -> float:
        """80% of the way from where the compared models start (mean score at step 0) to the
        better of their mean final scores: a score both can plausibly reach, chosen without
        favouring either. (The plain network's own final score fails when it learns nothing.)"""
        s, pair = self.study, (self.family.baseline, self.family.claim_variant)
        start = stats.interval([float(c) for n in pair for c in s.curve(n, self.key)[:, 0]]).mean
        best = max(stats.interval(s.final(n, self.key)).mean for n in pair)
        return start + TARGET_FRACTION * (best - start)

    def reach(self) -> dict:
        return steps_to_target(self.study, self.key, self.target)

    def _budget(self) -> int:
        return self.study.settings.steps + self.study.settings.eval_every

    def faster(self, name: str) -> stats.Interval:
        """Paired steps saved: baseline's steps to target − `name`'s (positive: `name` is faster)."""
        r, b = self.reach(), self._budget()
        return stats.paired(censored(r[self.family.baseline], b), censored(r[name], b))

    def gain_at(self, name: str, size: int) -> stats.Interval:
        """Paired score gain over the baseline at a training-set size."""
        s = self.study
        return stats.paired(s.at_size(name, size, self.key), s.at_size(self.family.baseline, size, self.key))

    def row(self) -> Row:
        f, s = self.family, self.study
        smallest = s.sizes()[0]
        faster = self.faster(f.claim_variant)
        gain = self.gain_at(f.claim_variant, smallest)
        return Row(
            family=f.name, comparison=f"{f.claim_variant} vs {f.baseline}", unit=f.unit,
            faster=Claim(f"steps saved in reaching {self.key} {self.target:.3g}{' ' + f.unit if f.unit else ''}",
                         faster, stats.verdict(faster)),
            data_efficient=Claim(f"{self.key} gain{' (' + f.unit + ')' if f.unit else ''} with {smallest} training examples",
                                 gain, stats.verdict(gain)),
            settings=s.settings.describe(), seconds=round(s.seconds), source=self.source, device=s.device,
            quick=self.quick)

    def text(self) -> str:
        f, s, key = self.family, self.study, self.key
        mode = "QUICK" if self.quick else "full"
        lines = [(f"EXPERIMENT {f.name.upper()} SUMMARY ({mode} mode, {self.source}, {s.settings.seeds} seeds, "
                  f"{s.device}, sweep {s.seconds:.0f} s)"), ""]
        digits = 3 if f.unit == "" else 2

        def fmt(iv: stats.Interval) -> str:
            return iv.format(digits)
        rows = [[name, fmt(stats.interval(s.final(name, key)))]
                + [fmt(stats.interval(s.at_size(name, n, key))) for n in s.sizes()] for name in s.names()]
        lines += [f"final {key} (mean [95% CI])", table(
            ["variant", f"full data, {s.settings.steps} steps",
             *[f"{n} examples, {s.settings.sweep_steps} steps" for n in s.sizes()]], rows), ""]
        reach, budget = self.reach(), self._budget()
        rows = []
        for name in s.names():
            got = reach[name]
            hit = [x for x in got if x is not None]
            steps = stats.interval(censored(got, budget)).format(0)
            row = [name, f"{len(hit)}/{len(got)}", steps]
            if name != f.baseline:
                d = self.faster(name)
                row += [d.format(0, sign=True), stats.direction(d)]
            else:
                row += ["", ""]
            rows.append(row)
        lines += [(f"steps to the target {key} = {self.target:.3f} (80% of the way from the start to the better final "
                   f"score of {f.baseline} and {f.claim_variant}; never reached counts as {budget}); saved = paired "
                   f"difference vs {f.baseline}"),
                  table(["variant", "reached", "steps (mean [95% CI])", f"steps saved vs {f.baseline}", "vs " + f.baseline], rows), ""]
        rows = [[name, *[fmt(self.gain_at(name, n)) for n in s.sizes()], stats.direction(self.gain_at(name, s.sizes()[0]))]
                for name in s.names() if name != f.baseline]
        lines += [f"data efficiency: paired {key} gain over {f.baseline} (mean [95% CI])",
                  table(["variant", *[f"{n} examples" for n in s.sizes()], f"at {s.sizes()[0]} examples"], rows), ""]
        r = self.row()
        lines += ["claim (the paper: the linked program learns faster and more data-efficiently)",
                  table(["claim", "measure", "effect [95% CI]", "verdict"], [
                      [f"faster ({r.comparison})", r.faster.measure, r.faster.diff.format(0, sign=True), r.faster.verdict],
                      [f"more data-efficient ({r.comparison})", r.data_efficient.measure,
                       r.data_efficient.diff.format(3 if f.unit == "" else 2, sign=True), r.data_efficient.verdict]])]
        return "\n".join(lines)

    def save(self, folder: Path) -> Path:
        """The summary row and every run's scores (the curves and the sweep), as JSON."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.family.name}.json"
        s = self.study
        runs = {"steps": s.steps,
                "curves": {n: [h.metrics[self.key] for h in hs] for n, hs in s.curves.items()},
                "sweep": {n: {str(k): [r[self.key] for r in v] for k, v in by.items()} for n, by in s.sweep.items()}}
        path.write_text(json.dumps({"row": self.row().to_json(), "runs": runs}, ensure_ascii=False) + "\n")
        return path


# ------------------------------------------------------------------ the families' table

ORDER = ("dilate", "dilate_cond", "blur", "and", "eq")


def load_rows(folder: Path) -> list[Row]:
    rows = {p.stem: Row.from_json(json.loads(p.read_text())["row"]) for p in folder.glob("*.json")}
    return [rows[n] for n in ORDER if n in rows]


def markdown(rows: list[Row]) -> str:
    """The summary table as Markdown (the README holds exactly this)."""
    out = ["| family | comparison | faster: steps saved [95% CI] | verdict | more data-efficient: score gain [95% CI] | verdict |",
           "|---|---|---|---|---|---|"]
    for r in rows:
        digits, unit = (3, " balanced accuracy") if r.unit == "" else (2, f" {r.unit} PSNR")
        size = r.data_efficient.measure.rsplit(" with ", 1)[-1]
        out.append(f"| `{r.family}` | {r.comparison} | {r.faster.diff.format(0, sign=True)} | {r.faster.verdict} | "
                   f"{r.data_efficient.diff.format(digits, sign=True)}{unit}, {size} | {r.data_efficient.verdict} |")
    return "\n".join(out)


def settings_text(rows: list[Row]) -> str:
    total = sum(r.seconds for r in rows)
    lines = [f"- `{r.family}`: {r.settings}; {r.source}; {r.device}; {r.seconds / 60:.1f} min" for r in rows]
    return "\n".join(lines + [f"- total sweep time: {total / 60:.1f} min"])


def plot_curves(ax, study: Study, key: str, ylabel: str, title: str = "", target: float | None = None):
    for v in study.variants:
        m, lo, hi = stats.band(study.curve(v.name, key))
        ax.plot(study.steps, m, label=v.name, color=v.color)
        ax.fill_between(study.steps, lo, hi, alpha=0.2, color=v.color)
    if target is not None:
        ax.axhline(target, color="k", lw=0.8, ls="--", label="target")
    ax.set_xlabel("training step")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)


def plot_sweep(ax, study: Study, key: str, ylabel: str, title: str = ""):
    sizes = study.sizes()
    for v in study.variants:
        ivs = [stats.interval(study.at_size(v.name, n, key)) for n in sizes]
        ax.errorbar(sizes, [i.mean for i in ivs], yerr=[[i.mean - i.low for i in ivs], [i.high - i.mean for i in ivs]],
                    label=v.name, color=v.color, marker="o", capsize=3)
    ax.set_xscale("log")
    ax.set_xlabel("training-set size")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
