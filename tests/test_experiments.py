"""The experiments' importable pieces (notebooks/experiments): data, targets, models, loops,
and — where the compiler is present — that the compiled programs link as LANGUAGE.md says."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")
import torch.nn.functional as F  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))

from experiments import data, models, programs, train  # noqa: E402

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


def test_conditional_and_parity_targets(digits):
    one = data.prototype_one(digits)
    assert one.shape == (1, 16, 16)
    x, y = digits.test_x[:40], digits.test_y[:40]
    t = data.conditional_targets(x, y, one)
    assert torch.equal(t[y == 1], x[y == 1])
    assert all(torch.equal(img, one) for img in t[y != 1])
    a, b, target, pa, pb = data.parity_pairs(digits.train_x, digits.train_y, 500, seed=3)
    assert a.shape == b.shape == (500, 1, 16, 16) and target.dtype == torch.bool
    assert torch.equal(target, pa & pb)
    assert 0.15 < float(target.float().mean()) < 0.35  # about a quarter of pairs are odd ∧ odd
    assert torch.equal(data.odd(torch.arange(10)), torch.tensor([False, True] * 5))
    assert torch.equal(data.subset(100, 10, seed=1), data.subset(100, 10, seed=1))
    assert len(data.subset(100, None, 0)) == 100 and len(set(data.subset(100, 30, 2).tolist())) == 30


# ------------------------------------------------------------------ models


def test_dilation_models_forward_shapes_and_budgets():
    x = torch.rand(5, 1, 16, 16)
    direct = models.DirectDilate(models.reference_iter)
    tp, cnn = models.TypePreservingDilate(), models.DilationCNN()
    for m in (direct, tp, cnn):
        assert m(x).shape == x.shape
    assert direct.counts(x).shape == (5, 10) and torch.allclose(direct.counts(x).sum(-1), torch.ones(5))
    budgets = {"direct": models.n_params(direct), "tp": models.n_params(tp), "cnn": models.n_params(cnn)}
    assert budgets == {"direct": 3907, "tp": 4477, "cnn": 4153}
    assert max(budgets.values()) / min(budgets.values()) < 1.2  # "a similar parameter budget"


def test_learned_steps_start_as_the_identity():
    x = torch.rand(4, 1, 16, 16)
    assert torch.equal(models.ConvStep()(x), x)
    assert torch.equal(models.DilationCNN()(x), x)


def test_reference_iter_with_one_hot_counts_applies_the_step_n_times():
    step = models.ConvStep()
    torch.nn.init.normal_(step.outer.weight, std=0.3)
    x = torch.rand(10, 1, 16, 16)
    out = models.reference_iter(step, x, F.one_hot(torch.arange(10), 10).float())
    for n in range(10):
        h = x[n:n + 1]
        for _ in range(n):
            h = step(h)
        assert torch.allclose(out[n:n + 1], h, atol=1e-6)


def test_notebook05_models_forward_shapes_and_budgets():
    x = torch.rand(6, 1, 16, 16)
    cond = models.DirectConditional(models.reference_cond)
    mlp = models.MLPImage()
    assert cond(x).shape == x.shape and mlp(x).shape == x.shape
    assert cond.check_bool(x).shape == (6, 2)
    assert models.n_params(cond) == 10226 and models.n_params(mlp) == 10516
    res = models.ResidualMLPImage()
    assert torch.equal(res(x), x) and models.n_params(res) == 10516
    both = models.DirectAnd(models.reference_and)
    pair = models.PairCNN()
    for m in (both, pair):
        out = m(x, x.flip(0))
        assert out.shape == (6, 2) and torch.allclose(out.sum(-1), torch.ones(6), atol=1e-6)
    assert models.n_params(both) == 1762 and models.n_params(pair) == 2274


def test_reference_and_and_cond_are_the_papers_denotations():
    tt, ff = torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 1.0]])
    for a, b in ((tt, tt), (tt, ff), (ff, tt), (ff, ff)):
        expect = tt if (a is tt and b is tt) else ff
        assert torch.equal(models.reference_and(a, b), expect)
    x = torch.rand(2, 1, 4, 4)
    gen = lambda img: 1 - img  # noqa: E731
    c = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    out = models.reference_cond(lambda img: c, gen, x, x)
    assert torch.equal(out[0], x[0]) and torch.equal(out[1], 1 - x[1])


# ------------------------------------------------------------------ training


def _one_step_decreases(model, loss_fn, batch):
    torch.manual_seed(0)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    with torch.no_grad():
        before = float(loss_fn(model, *batch))
    opt.zero_grad()
    loss_fn(model, *batch).backward()
    opt.step()
    with torch.no_grad():
        after = float(loss_fn(model, *batch))
    assert after < before, (type(model).__name__, before, after)


def test_one_training_step_decreases_the_loss(digits):
    torch.manual_seed(0)
    x, y = digits.train_x[:32], digits.train_y[:32]
    mse = lambda m, a, b: F.mse_loss(m(a), b)  # noqa: E731
    tgt = data.dilation_targets(x, y)
    for m in (models.DirectDilate(models.reference_iter), models.TypePreservingDilate(), models.DilationCNN()):
        _one_step_decreases(m, mse, (x, tgt))
    ctgt = data.conditional_targets(x, y, data.prototype_one(digits))
    for m in (models.DirectConditional(models.reference_cond), models.MLPImage(), models.ResidualMLPImage()):
        _one_step_decreases(m, mse, (x, ctgt))
    a, b, t, _, _ = data.parity_pairs(digits.train_x, digits.train_y, 64)
    nll = lambda m, a, b, t: train.bool_nll(m(a, b), t)  # noqa: E731
    for m in (models.DirectAnd(models.reference_and), models.PairCNN()):
        _one_step_decreases(m, nll, (a, b, t))


def test_train_loop_records_history_and_learns(digits):
    x, y = digits.train_x[:200], digits.train_y[:200]
    tgt = data.dilation_targets(x, y)
    torch.manual_seed(0)
    m = models.DilationCNN()
    h = train.train(m, lambda m, a, b: F.mse_loss(m(a), b), (x, tgt), steps=30, batch=16, eval_every=10,
                    evaluate=lambda m: {"psnr": train.mean_psnr(m(x), tgt)})
    assert h.steps == [0, 10, 20, 30] and len(h.metrics["psnr"]) == 4
    assert h.final("psnr") > h.metrics["psnr"][0]
    assert train.steps_to_reach(h, "psnr", h.metrics["psnr"][0]) == 0
    assert train.steps_to_reach(h, "psnr", 1e9) is None


def test_metrics_and_table():
    t = torch.rand(3, 1, 4, 4)
    assert train.mean_psnr(t, t) == pytest.approx(100.0)
    noisy = (t + 0.1).clamp(0, 1)
    mse = float(((noisy - t) ** 2).mean())
    assert train.mean_psnr(noisy, t) == pytest.approx(10 * np.log10(1 / mse), rel=1e-5)
    prob = torch.tensor([[0.9, 0.1], [0.2, 0.8]])
    assert train.bool_accuracy(prob, torch.tensor([True, False])) == 1.0
    assert train.bool_nll(prob, torch.tensor([True, True])) == pytest.approx(-(np.log(0.9) + np.log(0.2)) / 2, rel=1e-5)
    assert train.fmt([1.0, 3.0]) == "2.00 ± 1.41"
    out = train.table(["model", "PSNR"], [["direct", "30.1"], ["cnn", "25.0"]])
    assert out.splitlines()[0].split() == ["model", "PSNR"] and "direct  30.1" in out


def test_quick_mode_reads_the_environment(monkeypatch):
    monkeypatch.setenv("CAJAL_QUICK", "1")
    assert train.quick_mode()
    monkeypatch.setenv("CAJAL_QUICK", "0")
    assert not train.quick_mode()
    monkeypatch.delenv("CAJAL_QUICK")
    assert not train.quick_mode()


# ------------------------------------------------------------------ the Cajal programs, compiled

def test_programs_typecheck():
    import cajal

    s = cajal.Session()
    s.run(programs.DILATE)
    s.run(programs.COND)
    s.run(programs.AND)
    assert set(s.definitions) == {"dilate", "cond", "and"}
    assert cajal.pretty(s.definitions["dilate"].type) == "(Image ⊸ Image) ⊸ Image ⊸ ℕ ⊸ Image"
    # the literal conditional is not linear: `x` is used more than once, `gen` in one branch only
    with pytest.raises(cajal.CajalTypeError, match="`x`|`gen`"):
        cajal.Session().run(programs.COND_LITERAL)


def test_compiled_dilate_with_one_hot_counts_applies_the_step_n_times_exactly():
    dilate = programs.definitions(programs.DILATE)["dilate"]
    step = models.ConvStep()
    torch.nn.init.normal_(step.outer.weight, std=0.3)
    x = torch.rand(10, 1, 16, 16)
    with torch.no_grad():
        out = dilate(step=step, img=x, n=F.one_hot(torch.arange(10), 10).float())
        for n in range(10):
            h = x[n:n + 1]
            for _ in range(n):
                h = step(h)
            torch.testing.assert_close(out[n:n + 1], h, rtol=0, atol=0)
        # the true task step, linked as a plain function, reproduces the targets exactly
        y = torch.arange(10)
        torch.testing.assert_close(dilate(step=data.dilation_step, img=x, n=F.one_hot(y, 10).float()),
                                   data.dilation_targets(x, y), rtol=0, atol=0)


def test_compiled_dilate_links_soft_counts_and_is_differentiable():
    dilate = programs.definitions(programs.DILATE)["dilate"]
    model = models.DirectDilate(dilate)
    x = torch.rand(4, 1, 16, 16)
    out = model(x)
    torch.testing.assert_close(out, models.reference_iter(model.step, x, model.counts(x)), rtol=1e-5, atol=1e-6)
    out.sum().backward()
    grads = [p.grad for p in model.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert any(float(p.grad.abs().sum()) > 0 for p in model.count.parameters())  # the count learns


def test_compiled_cond_and_and_match_their_denotations():
    defs = {**programs.definitions(programs.COND), **programs.definitions(programs.AND)}
    and_ = defs["and_"]
    p, q = torch.rand(7, 2).softmax(-1), torch.rand(7, 2).softmax(-1)
    torch.testing.assert_close(and_(x=p, y=q), models.reference_and(p, q))
    tt, ff = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    torch.testing.assert_close(and_(tt, tt), tt)
    torch.testing.assert_close(and_(tt, ff), ff)
    model = models.DirectConditional(defs["cond"])
    x = torch.rand(5, 1, 16, 16)
    expect = models.reference_cond(lambda img: model.check(img).softmax(-1), model.gen, x, x)
    torch.testing.assert_close(model(x), expect, rtol=1e-5, atol=1e-6)
