"""The experiments' importable pieces of the tuned setting (cajal_experiments): data and targets, models, the
statistics, the sweep and its report, device selection, and every family: its programs
type-check (or are rejected, where the original is not linear), compile, compute the task
exactly when linked with the true inputs, and train with finite gradients."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import numpy as np
import pytest
import sklearn  # noqa: F401  (a test dependency the notebooks need)
import torch
import torch.nn.functional as F  # noqa: E402

import cajal  # noqa: E402
from cajal_experiments import (  # noqa: E402
    data,
    device,
    families,
    models,
    programs,
    report,
    runs,
    stats,
    train,
)
from cajal_experiments.families.common import true_bools  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def digits():
    return data.load_digits("sklearn")


# ------------------------------------------------------------------ data


def test_sklearn_digits_shapes_and_ranges(digits):
    assert len(digits.train_x) + len(digits.test_x) == 1797
    for x, y in ((digits.train_x, digits.train_y), (digits.test_x, digits.test_y)):
        assert x.dtype == torch.float32 and x.shape[1:] == (1, 16, 16)
        assert y.dtype == torch.long and y.shape == (len(x),)
        assert float(x.min()) >= 0.0 and float(x.max()) <= 1.0
        assert set(y.tolist()) == set(range(10))  # stratified: every class on both sides
    assert float(digits.train_x.max()) == pytest.approx(1.0, abs=0.05)
    assert "sklearn" in digits.source and digits.size == 16


def test_split_is_deterministic_and_disjoint(digits):
    again = data.load_digits("sklearn")
    assert torch.equal(again.train_x, digits.train_x) and torch.equal(again.test_y, digits.test_y)
    tr = {tuple(v) for v in digits.train_x.flatten(1).numpy().round(4).tolist()}
    te = [tuple(v) for v in digits.test_x.flatten(1).numpy().round(4).tolist()]
    # scikit-learn's digits hold a handful of exact duplicates; the split itself is disjoint
    assert sum(v in tr for v in te) < 10


def test_auto_falls_back_to_sklearn_without_mnist(monkeypatch, tmp_path):
    monkeypatch.setenv("CAJAL_DATA", str(tmp_path))
    assert "sklearn" in data.load_digits().source
    with pytest.raises(FileNotFoundError):
        data.load_digits("mnist")
    with pytest.raises(ValueError):
        data.load_digits("cifar")


def test_local_mnist_npz_is_used_and_resized(monkeypatch, tmp_path):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "mnist.npz",
             x_train=rng.integers(0, 256, (20, 28, 28), dtype=np.uint8), y_train=np.arange(20) % 10,
             x_test=rng.integers(0, 256, (10, 28, 28), dtype=np.uint8), y_test=np.arange(10))
    monkeypatch.setenv("CAJAL_DATA", str(tmp_path))
    d = data.load_digits()
    assert d.source.startswith("MNIST")
    assert d.train_x.shape == (20, 1, 16, 16) and d.test_x.shape == (10, 1, 16, 16)
    assert 0.0 <= float(d.train_x.min()) and float(d.train_x.max()) <= 1.0
    assert d.test_y.tolist() == list(range(10))


# ------------------------------------------------------------------ the dilation target


def test_dilate_once_is_a_vertical_three_pixel_max():
    x = torch.rand(3, 1, 7, 5)
    up = torch.cat([x[:, :, 1:], torch.full_like(x[:, :, :1], -1.0)], 2)
    down = torch.cat([torch.full_like(x[:, :, :1], -1.0), x[:, :, :-1]], 2)
    assert torch.equal(data.dilate_once(x), torch.maximum(x, torch.maximum(up, down)))


def test_dilation_step_on_a_single_pixel():
    x = torch.zeros(1, 1, 5, 5)
    x[0, 0, 2, 2] = 1.0
    once = data.dilation_step(x)
    expect = torch.zeros_like(x)
    expect[0, 0, 1:4, 2] = 0.7
    expect[0, 0, 2, 2] = 1.0
    assert torch.allclose(once, expect)
    assert float(once[0, 0, :, [0, 1, 3, 4]].abs().sum()) == 0.0  # vertical only


def test_dilation_targets_apply_the_step_n_times(digits):
    x, n = digits.train_x[:12], torch.arange(12) % 10
    t = data.dilation_targets(x, n)
    for i in range(12):
        h = x[i:i + 1]
        for _ in range(int(n[i])):
            h = data.dilation_step(h)
        assert torch.equal(t[i:i + 1], h)
    assert torch.equal(t[n == 0], x[n == 0])
    assert bool((t >= x - 1e-7).all()) and float(t.max()) <= 1.0  # dilation only adds ink


def test_dilate_cond_targets_keep_even_digits_and_dilate_odd_ones(digits):
    x, y = digits.train_x[:40], digits.train_y[:40]
    t = data.dilate_cond_targets(x, y)
    assert torch.equal(t[y % 2 == 0], x[y % 2 == 0])
    odd = (y % 2 == 1).nonzero().flatten()
    assert len(odd) > 5
    for i in odd.tolist():
        assert torch.equal(t[i], data.dilation_targets(x[i:i + 1], y[i:i + 1])[0])
    assert torch.equal(data.even(torch.arange(4)), torch.tensor([True, False, True, False]))


def test_gaussian_kernel_is_torchvisions():
    k = data.gaussian_kernel()
    assert k.shape == (13, 13) and float(k.sum()) == pytest.approx(1.0, abs=1e-6)
    assert torch.equal(k, k.T) and torch.equal(k, k.flip(0))
    one = torch.exp(-0.5 * torch.arange(-6.0, 7.0) ** 2)
    torch.testing.assert_close(k, torch.outer(one, one) / one.sum() ** 2)


def test_blur_matches_an_independent_gaussian_filter():
    from scipy import ndimage  # scikit-learn brings scipy
    x = torch.rand(3, 1, 16, 16, generator=torch.Generator().manual_seed(0))
    # torch's "reflect" padding (d c b | a b c d) is scipy's "mirror"; radius 6 = truncate 6 σ
    expect = np.stack([ndimage.gaussian_filter(img[0].numpy().astype(np.float64), sigma=1.0, mode="mirror", truncate=6.0)
                       for img in x])[:, None]
    torch.testing.assert_close(data.blur_once(x), torch.from_numpy(expect).float(), rtol=0, atol=1e-6)
    torch.testing.assert_close(data._blur_torch(x, 13, 1.0), data.blur_once(x))
    flat = torch.full((1, 1, 16, 16), 0.25)
    torch.testing.assert_close(data.blur_once(flat), flat)  # reflect padding keeps a constant image
    t = data.blur_targets(x, torch.tensor([0, 1, 3]))
    assert torch.equal(t[0], x[0])
    torch.testing.assert_close(t[2:], data.blur_once(data.blur_once(data.blur_once(x[2:]))))


def test_digit_pairs_and_subsets(digits):
    a, b, pa, pb = data.digit_pairs(digits.train_x, digits.train_y, 500, seed=3)
    assert a.shape == b.shape == (500, 1, 16, 16) and pa.dtype == pb.dtype == torch.bool
    again = data.digit_pairs(digits.train_x, digits.train_y, 500, seed=3)
    assert torch.equal(again[0], a) and torch.equal(again[3], pb)
    assert 0.15 < float((pa & pb).float().mean()) < 0.35 and 0.4 < float((pa == pb).float().mean()) < 0.6
    assert torch.equal(data.odd(torch.arange(10)), torch.tensor([False, True] * 5))
    assert torch.equal(data.subset(100, 10, seed=1), data.subset(100, 10, seed=1))
    assert len(data.subset(100, None, 0)) == 100 and len(set(data.subset(100, 30, 2).tolist())) == 30


# ------------------------------------------------------------------ models


def test_models_shapes_budgets_and_identity_starts():
    x = torch.rand(5, 1, 16, 16)
    image = {"cnn": models.ImageCNN(), "mlp": models.ImageMLP(),
             "iter": models.LinkedIter(models.reference_iter, models.ConvStep()),
             "learned_iter": models.LearnedIter(models.ConvStep()),
             "cond": models.LinkedCondIter(models.reference_dilate_cond, models.ConvStep()),
             "learned_cond": models.LearnedCondIter(models.ConvStep()),
             "blur": models.LinkedIter(models.reference_iter, models.LinearStep())}
    for m in image.values():
        assert m(x).shape == x.shape
    assert {k: models.n_params(m) for k, m in image.items()} == {
        "cnn": 4153, "mlp": 8464, "iter": 3907, "learned_iter": 4477, "cond": 5669, "learned_cond": 6809, "blur": 3867}
    pairs = {"pair": models.PairCNN(), "bool2": models.LinkedBool2(models.reference_and), "learned": models.LearnedBool2()}
    for m in pairs.values():
        out = m(x, x.flip(0))
        assert out.shape == (5, 2) and torch.allclose(out.sum(-1), torch.ones(5), atol=1e-6)
    assert {k: models.n_params(m) for k, m in pairs.items()} == {"pair": 2274, "bool2": 1762, "learned": 1770}
    for m in (models.ConvStep(), models.LinearStep(), models.LinearStep(13), models.ImageCNN(), models.ImageMLP()):
        assert torch.equal(m(x), x)


def test_references_are_the_papers_denotations():
    tt, ff = torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 1.0]])
    for p, q in ((tt, tt), (tt, ff), (ff, tt), (ff, ff)):
        assert torch.equal(models.reference_and(p, q), tt if (p is tt and q is tt) else ff)
        assert torch.equal(models.reference_eq(p, q), tt if (p is q) else ff)
    step = models.ConvStep()
    torch.nn.init.normal_(step.outer.weight, std=0.3)
    x = torch.rand(10, 1, 16, 16)
    out = models.reference_iter(step, x, F.one_hot(torch.arange(10), 10).float())
    for n in range(10):
        h = x[n:n + 1]
        for _ in range(n):
            h = step(h)
        torch.testing.assert_close(out[n:n + 1], h)
    e = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    n = F.one_hot(torch.tensor([3, 3]), 10).float()
    both = models.reference_dilate_cond(e, step, x[:2], n)
    torch.testing.assert_close(both[0], x[0])
    torch.testing.assert_close(both[1:], models.reference_iter(step, x[1:2], n[1:]))


# ------------------------------------------------------------------ statistics


def test_intervals_paired_differences_and_verdicts():
    iv = stats.interval([1.0, 2.0, 3.0, 4.0, 5.0])
    assert iv.mean == 3.0 and iv.n == 5
    half = 2.776 * np.sqrt(2.5) / np.sqrt(5)
    assert iv.low == pytest.approx(3 - half) and iv.high == pytest.approx(3 + half)
    assert str(iv) == "3.00 [1.04, 4.96]" and iv.format(1, sign=True) == "+3.0 [1.0, 5.0]"
    assert stats.t975(1) == 12.706 and stats.t975(100) == 1.96
    d = stats.paired([2.0, 3.0, 4.0], [1.0, 2.0, 3.1])
    assert d.mean == pytest.approx(0.9667, abs=1e-4) and d.low > 0
    assert stats.verdict(d) == stats.REPRODUCED and stats.direction(d) == "better"
    assert stats.verdict(stats.paired([1.0, 2.0], [2.0, 3.1])) == stats.NOT_REPRODUCED
    assert stats.verdict(stats.interval([-1.0, 1.0, 0.5])) == stats.INCONCLUSIVE
    single = stats.interval([2.0])
    assert single.low == -np.inf and stats.verdict(single) == stats.INCONCLUSIVE
    with pytest.raises(ValueError):
        stats.paired([1.0], [1.0, 2.0])
    m, _, hi = stats.band(torch.tensor([[0.0, 1.0], [2.0, 3.0]]))
    assert m.tolist() == [1.0, 2.0] and (hi - m).tolist() == pytest.approx([12.706, 12.706], abs=1e-3)
    assert stats.first_reach([0, 10, 20], [0.1, 0.5, 0.9], 0.5) == 10
    assert stats.first_reach([0, 10], [0.1, 0.2], 0.5) is None


def test_metrics_and_table():
    t = torch.rand(3, 1, 4, 4)
    assert train.mean_psnr(t, t) == pytest.approx(100.0)
    noisy = (t + 0.1).clamp(0, 1)
    mse = float(((noisy - t) ** 2).mean())
    assert train.mean_psnr(noisy, t) == pytest.approx(10 * np.log10(1 / mse), rel=1e-5)
    prob = torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6]])
    target = torch.tensor([True, False, True])
    assert train.bool_accuracy(prob, target) == pytest.approx(2 / 3)
    assert train.bool_balanced_accuracy(prob, target) == pytest.approx(0.75)
    assert train.bool_nll(prob[:2], torch.tensor([True, True])) == pytest.approx(-(np.log(0.9) + np.log(0.2)) / 2, rel=1e-5)
    out = train.table(["model", "PSNR"], [["direct", "30.1"], ["cnn", "25.0"]])
    assert out.splitlines()[0].split() == ["model", "PSNR"] and "direct  30.1" in out


def test_quick_mode_reads_the_environment(monkeypatch):
    monkeypatch.setenv("CAJAL_QUICK", "1")
    assert train.quick_mode()
    monkeypatch.setenv("CAJAL_QUICK", "0")
    assert not train.quick_mode()
    monkeypatch.delenv("CAJAL_QUICK")
    assert not train.quick_mode()


# ------------------------------------------------------------------ device


def test_device_is_picked_once_with_an_override(monkeypatch):
    monkeypatch.delenv("CAJAL_DEVICE", raising=False)
    assert device.pick() == (torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu"))
    monkeypatch.setenv("CAJAL_DEVICE", "cpu")
    assert device.pick() == torch.device("cpu") and device.describe(device.pick()) == "cpu"
    monkeypatch.setenv("CAJAL_DEVICE", "tpu-please")
    with pytest.raises(ValueError, match="not a device"):
        device.pick()
    if not torch.cuda.is_available():
        monkeypatch.setenv("CAJAL_DEVICE", "cuda")
        with pytest.raises(ValueError, match="no such device"):
            device.pick()
    assert device.pick("cpu") == torch.device("cpu")


# ------------------------------------------------------------------ the sweep and its report


def _tiny_study(digits, **kw):
    fam = families.ALL["eq"]
    settings = runs.Settings(seeds=3, steps=6, eval_every=3, sizes=(20,), sweep_steps=3, batch=8, test=40, **kw)
    task = fam.make_task(digits, settings, device.pick("cpu"))
    eq = programs.definitions(programs.EQ)["eq"]
    twins = [runs.Variant("direct", models.PairCNN, fam.make_variants(eq)[0].loss),
             runs.Variant("indirect", lambda: models.LinkedBool2(eq), fam.make_variants(eq)[0].loss),
             runs.Variant("twin", models.PairCNN, fam.make_variants(eq)[0].loss)]
    return fam, runs.run(twins, task.train, task.evaluate, settings, progress=False)


def test_sweep_is_paired_and_reported(digits, tmp_path):
    fam, study = _tiny_study(digits)
    assert study.names() == ["direct", "indirect", "twin"] and study.steps == [0, 3, 6]
    assert study.sizes() == [20, 2000]  # the full training set comes from the learning curves
    assert study.curve("direct", "bacc").shape == (3, 3)
    # same seeds, data and minibatch order: a variant and its twin train identically
    assert study.curve("direct", "bacc").tolist() == study.curve("twin", "bacc").tolist()
    assert study.at_size("direct", 20, "bacc") == study.at_size("twin", 20, "bacc")
    assert study.curves["direct"][0].model is not None and study.curves["direct"][1].model is None
    summary = report.Summary(fam, study, "sklearn", quick=True)
    twin = summary.faster("twin")
    assert (twin.mean, twin.low, twin.high) == (0.0, 0.0, 0.0)
    text = summary.text()
    assert text.startswith("EXPERIMENT EQ SUMMARY (QUICK mode") and "indirect vs direct" in text
    row = summary.row()
    assert row.family == "eq" and row.faster.verdict in (stats.REPRODUCED, stats.NOT_REPRODUCED, stats.INCONCLUSIVE)
    path = summary.save(tmp_path)
    saved = json.loads(path.read_text())
    assert report.load_rows(tmp_path) == [report.Row.from_json(saved["row"])] == [row]
    assert saved["runs"]["curves"]["twin"] == saved["runs"]["curves"]["direct"] and saved["runs"]["steps"] == [0, 3, 6]
    md = report.markdown([row])
    assert md.splitlines()[2].startswith("| `eq` | indirect vs direct | ")
    with pytest.raises(ValueError):
        runs.Settings(seeds=1, steps=10, eval_every=3, sizes=(5,), sweep_steps=4)


def test_experiments_doc_holds_the_tuned_settings_last_full_run():
    rows = report.load_rows(ROOT / "results" / "tuned")
    assert [r.family for r in rows] == list(report.ORDER)
    assert not any(r.quick for r in rows)
    assert report.markdown(rows) in (ROOT / "docs" / "EXPERIMENTS.md").read_text()


# ------------------------------------------------------------------ the families


@pytest.fixture(scope="module")
def linked_defs():
    out = {}
    for fam in families.ALL.values():
        for src in fam.programs:
            out.update(programs.definitions(src))
    return out


def test_every_family_has_its_variants():
    names = {n: [v.name for v in f.make_variants(**{p: None for p in inspect.signature(f.make_variants).parameters})]
             for n, f in families.ALL.items()}
    assert names == {
        "dilate": ["direct", "direct_simple", "indirect", "type-preserving"],
        "dilate_cond": ["direct", "indirect", "type-preserving"],
        "blur": ["direct", "indirect"],
        "and": ["direct", "indirect", "type-preserving", "Church-encoded"],
        "eq": ["direct", "indirect", "type-preserving"],
    }
    for f in families.ALL.values():
        assert f.full.seeds >= 5 and f.quick.seeds >= 2


@pytest.mark.parametrize("name", list(families.ALL))
def test_family_programs_typecheck_and_literals_are_rejected(name):
    fam = families.ALL[name]
    types = {}
    for src in fam.programs:
        s = cajal.Session()
        s.run(src)
        types.update({n: cajal.pretty(d.type) for n, d in s.definitions.items()})
    expect = {
        "dilate": {"dilate": "(Image ⊸ Image) ⊸ Image ⊸ ℕ ⊸ Image"},
        "dilate_cond": {"spend": "ℕ ⊸ ℕ", "dilate_cond": "𝟚 ⊸ (Image ⊸ Image) ⊸ Image ⊸ ℕ ⊸ Image",
                        "dilate_cond1": "𝟚 ⊸ (Image ⊸ Image) ⊸ Image ⊸ ℕ ⊸ Image"},
        "blur": {"blur": "(Image ⊸ Image) ⊸ Image ⊸ ℕ ⊸ Image"},
        "and": {"and": "𝟚 ⊸ 𝟚 ⊸ 𝟚", "church": "𝟚 ⊸ 𝟚 ⊸ 𝟚 ⊸ 𝟚", "cand": "(𝟚 ⊸ 𝟚 ⊸ 𝟚) ⊸ (𝟚 ⊸ 𝟚 ⊸ 𝟚) ⊸ 𝟚",
                "and_church": "𝟚 ⊸ 𝟚 ⊸ 𝟚"},
        "eq": {"not": "𝟚 ⊸ 𝟚", "eq": "𝟚 ⊸ 𝟚 ⊸ 𝟚"},
    }[name]
    assert types == expect
    for src in fam.literals:
        with pytest.raises(cajal.CajalTypeError, match="never used|only in the"):
            cajal.Session().run(src)


def test_linked_image_programs_compute_the_tasks_exactly(digits, linked_defs):
    x, y = digits.test_x[:30], digits.test_y[:30]
    n = F.one_hot(y, 10).float()
    with torch.no_grad():
        assert torch.equal(linked_defs["dilate"](step=data.dilation_step, img=x, n=n), data.dilation_targets(x, y))
        e = F.one_hot((y % 2 == 1).long(), 2).float()
        for prog in ("dilate_cond", "dilate_cond1"):
            out = linked_defs[prog](even=e, step=data.dilation_step, img=x, n=n)
            assert torch.equal(out, data.dilate_cond_targets(x, y)), prog
        torch.testing.assert_close(linked_defs["blur"](step=data.blur_once, img=x, n=n), data.blur_targets(x, y),
                                   rtol=0, atol=1e-6)
        # a pinned value: one pixel of ink, blurred three times (σ² adds up: σ = √3)
        dot = torch.zeros(1, 1, 16, 16)
        dot[0, 0, 8, 8] = 1.0
        out = linked_defs["blur"](step=data.blur_once, img=dot, n=F.one_hot(torch.tensor([3]), 10).float())
        assert float(out[0, 0, 8, 8]) == pytest.approx(1 / (2 * np.pi * 3), rel=1e-3)
        # the conditional forms are one multilinear map, also on soft inputs and a random step
        step = models.ConvStep()
        torch.nn.init.normal_(step.outer.weight, std=0.3)
        es, ns = torch.rand(30, 2).softmax(-1), torch.rand(30, 10).softmax(-1)
        torch.testing.assert_close(linked_defs["dilate_cond"](even=es, step=step, img=x, n=ns),
                                   linked_defs["dilate_cond1"](even=es, step=step, img=x, n=ns))
        torch.testing.assert_close(linked_defs["dilate_cond1"](even=es, step=step, img=x, n=ns),
                                   models.reference_dilate_cond(es, step, x, ns))


def test_linked_boolean_programs_and_the_church_encoding(linked_defs):
    tt, ff = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    table = {(p, q): (linked_defs["and_"](tt if p else ff, tt if q else ff).tolist(),
                      linked_defs["eq"](tt if p else ff, tt if q else ff).tolist())
             for p in (True, False) for q in (True, False)}
    assert table == {(True, True): ([1.0, 0.0], [1.0, 0.0]), (True, False): ([0.0, 1.0], [0.0, 1.0]),
                     (False, True): ([0.0, 1.0], [0.0, 1.0]), (False, False): ([0.0, 1.0], [1.0, 0.0])}
    assert [linked_defs["and_church"].eval(p, q) for p in (True, False) for q in (True, False)] == [True, False, False, False]
    p, q = torch.rand(50, 2).softmax(-1), torch.rand(50, 2).softmax(-1)
    torch.testing.assert_close(linked_defs["and_"](x=p, y=q), models.reference_and(p, q))
    torch.testing.assert_close(linked_defs["eq"](x=p, y=q), models.reference_eq(p, q))
    torch.testing.assert_close(linked_defs["and_church"].matrix, linked_defs["and_"].matrix)
    assert linked_defs["and_"].matrix.tolist() == [[1.0, 0.0], [0.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    assert torch.equal(true_bools(torch.tensor([True, False])), torch.stack([tt, ff]))


@pytest.mark.parametrize("name", list(families.ALL))
def test_every_variant_trains_with_finite_gradients(name, digits, linked_defs):
    fam = families.ALL[name]
    settings = runs.Settings(seeds=1, steps=2, eval_every=1, sizes=(), sweep_steps=1, test=16)
    task = fam.make_task(digits, settings, device.pick("cpu"))
    variants = fam.make_variants(**{p: linked_defs[p] for p in inspect.signature(fam.make_variants).parameters})
    batch = [t[:8] for t in task.train]
    for v in variants:
        torch.manual_seed(0)
        model = v.make()
        loss = v.loss(model, *batch)
        assert torch.isfinite(loss)
        loss.backward()
        grads = [p.grad for p in model.parameters()]
        assert all(g is not None and torch.isfinite(g).all() for g in grads), v.name
        if hasattr(model, "count"):  # the count network learns through the compiled iteration
            assert any(float(p.grad.abs().sum()) > 0 for p in model.count.parameters()), v.name
        with torch.no_grad():
            score = task.evaluate(model.eval())
        assert set(score) == {fam.metric} and np.isfinite(score[fam.metric])


def test_linked_models_move_with_their_compiled_program(linked_defs):
    m = models.LinkedIter(linked_defs["dilate"], models.ConvStep())
    assert isinstance(m.program, torch.nn.Module)  # a submodule: .to(device) moves it with the network
    assert any(mod is m.program for mod in m.modules())
    m = m.to(torch.float64)
    x = torch.rand(2, 1, 16, 16, dtype=torch.float64)
    assert m(x).dtype == torch.float64
