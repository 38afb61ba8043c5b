"""Export: compiled programs as fixed-signature modules and as files that run without Cajal —
ONNX in onnxruntime, `torch.export` programs, TorchScript — and `torch.compile` without graph
breaks. Each export is checked against the eager compiled module on random soft inputs."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import closed_terms

import cajal
from cajal import CajalError
from cajal.compiler.export import Tabular, example_inputs
from cajal.encoding import dim
from cajal.session import Session
from cajal.syntax import BOOL, NAT, Arrow

LIBRARY = """\
def not (x : 𝟚) : 𝟚 = if x then ff else tt
def and (x : 𝟚) (y : 𝟚) : 𝟚 = if x then y else (if y then ff else ff)
def parity (n : ℕ) : 𝟚 = iter{tt | y ↪ not y}(n)
def rep (x : 𝟚) (n : ℕ) : 𝟚 = iter{tt | y ↪ and y x}(n)
"""


@pytest.fixture(scope="module")
def session():
    s = Session()
    s.run(LIBRARY)
    return s


def soft_inputs(module, batch: int = 16, seed: int = 0) -> tuple[torch.Tensor, ...]:
    """Random points of the probability simplex, one batch per input of the module."""
    g = torch.Generator().manual_seed(seed)
    return tuple(torch.softmax(3 * torch.randn(batch, x.shape[-1], generator=g), -1)
                 for x in example_inputs(module, True))


def trained_and(session) -> torch.nn.Module:
    """`and` as a trainable module after a few optimiser steps towards `or`."""
    m = session.definitions["and"].module(trainable=True)
    opt = torch.optim.SGD(m.parameters(), lr=0.3)
    g = torch.Generator().manual_seed(1)
    for _ in range(5):
        x, y = (torch.softmax(torch.randn(32, 2, generator=g), -1) for _ in range(2))
        target = 1 - (1 - x[:, 0]) * (1 - y[:, 0])
        loss = ((m(x, y)[:, 0] - target) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert not torch.equal(m.w0.detach(), session.definitions["and"].module().w0)  # it learnt something
    return m


def modules(session) -> dict[str, torch.nn.Module]:
    return {"parity": session.definitions["parity"].module(), "and": session.definitions["and"].module(),
            "trained and": trained_and(session)}


# ---------------------------------------------------------------------------- the fixed signature


@pytest.mark.unit
def test_the_exported_module_takes_named_typed_arguments(session):
    m = session.definitions["and"].module().exportable()
    assert isinstance(m, Tabular)
    sig = inspect.signature(m.forward)
    assert [(p.name, p.annotation) for p in sig.parameters.values()] == [("x", torch.Tensor), ("y", torch.Tensor)]
    assert sig.return_annotation is torch.Tensor
    assert str(m) == "Program(x : 𝟚, y : 𝟚 → 𝟚)"
    assert tuple(m.weight.shape) == (2, 2, 2)
    # the names a Python signature cannot spell are made Python names
    s = Session()
    s.run("def f (class : 𝟚) (x' : 𝟚) (self : ℕ) (y : 𝟚 ⊸ 𝟚) : 𝟚 = y (if class then "
          "(if x' then iter{tt | b ↪ b}(self) else iter{ff | b ↪ b}(self)) else "
          "(if x' then iter{ff | b ↪ b}(self) else iter{tt | b ↪ b}(self)))")
    names = list(inspect.signature(s.definitions["f"].module().exportable().forward).parameters)
    assert names == ["class_", "x_", "x2", "y"]


@pytest.mark.unit
def test_the_module_equals_the_program_on_soft_inputs(session):
    for name, m in modules(session).items():
        inputs = soft_inputs(m)
        delta = (m.exportable()(*inputs) - m(*inputs)).abs().max().item()
        assert delta < 1e-6, name


@pytest.mark.unit
def test_open_terms_take_their_free_variables_first():
    c = cajal.compile("λy:𝟚. λn:ℕ. if x then iter{y | z ↪ if z then ff else tt}(n) else iter{y | z ↪ z}(n)",
                      {"x": "𝟚"}, nat_dim=5)
    e = c.exportable()
    assert list(inspect.signature(e.forward).parameters) == ["x", "y", "n"]
    x, y, n = soft_inputs(c)
    assert (e(x, y, n) - c(x, y, n)).abs().max().item() < 1e-6


@st.composite
def first_order_types(draw):
    args = draw(st.lists(st.sampled_from([BOOL, NAT, Arrow(BOOL, BOOL)]), min_size=1, max_size=3))
    t = draw(st.sampled_from([BOOL, NAT]))
    for a in reversed(args):
        t = Arrow(a, t)
    return t


@pytest.mark.slow
@settings(max_examples=40)
@given(st.data(), first_order_types())
def test_every_linear_program_exports_as_its_tensor(data, ty):
    """For any linear closed program, the exported module agrees with the compiled one on soft
    inputs (a linear program is its multilinear map)."""
    term, _ = data.draw(closed_terms(ty, max_depth=3))
    try:
        c = cajal.compile(term, nat_dim=6)
    except CajalError:
        assume(False)  # a numeral beyond nat_dim
    assume(c.linear)
    inputs = soft_inputs(c, batch=4, seed=data.draw(st.integers(0, 1000)))
    assert (c.exportable()(*inputs) - c(*inputs)).abs().max().item() < 1e-5


@pytest.mark.unit
def test_a_program_that_is_not_one_tensor_is_refused_with_the_reason(session, tmp_path):
    rep = session.definitions["rep"]
    with pytest.raises(CajalError, match=r"not linear in `x` \(an iter step captures it\)"):
        rep.module().exportable()
    with pytest.raises(CajalError, match="cannot be written as one tensor"):
        rep.export(tmp_path / "rep.onnx")
    with pytest.raises(CajalError, match="unknown export format `keras`"):
        session.definitions["and"].export(tmp_path / "and.h5", format="keras")
    c = cajal.compile("λx:𝟚. f x", {"f": "𝟚 ⊸ 𝟚"}).module(f=lambda v: v)
    with pytest.raises(CajalError, match="bound by links"):
        c.exportable()


# ---------------------------------------------------------------------------- files


@pytest.mark.slow
def test_onnx_runs_in_onnxruntime_as_the_eager_module(session, tmp_path):
    import onnxruntime
    for name, m in modules(session).items():
        path = m.export(tmp_path / f"{name.replace(' ', '_')}.onnx", format="onnx")
        run = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        inputs = soft_inputs(m, batch=37, seed=3)  # a batch size the export never saw
        assert [i.name for i in run.get_inputs()] == [py for py in inspect.signature(m.exportable().forward).parameters]
        [out] = run.run(None, {i.name: x.numpy() for i, x in zip(run.get_inputs(), inputs)})
        eager = m(*inputs).detach().numpy()
        assert out.shape == eager.shape == (37, 2) and out.dtype == np.float32
        assert np.abs(out - eager).max() < 1e-6, name


@pytest.mark.slow
def test_torch_export_saves_and_loads(session, tmp_path):
    for name, m in modules(session).items():
        path = m.export(tmp_path / "program.pt2", format="torch")
        loaded = torch.export.load(str(path)).module()
        inputs = soft_inputs(m, batch=5, seed=4)
        assert (loaded(*inputs) - m(*inputs)).abs().max().item() < 1e-6, name
    unbatched = session.definitions["parity"].export(tmp_path / "single.pt2", format="torch", batch=False)
    one = torch.softmax(torch.randn(10), -1)
    assert torch.export.load(str(unbatched)).module()(one).shape == (2,)


@pytest.mark.unit
def test_torch_jit_script_compiles_the_module(session, tmp_path):
    for name, m in modules(session).items():
        scripted = torch.jit.script(m)  # the compiled module itself: it offers its fixed-signature form
        inputs = soft_inputs(m, seed=5)
        assert (scripted(*inputs) - m(*inputs)).abs().max().item() < 1e-6, name
        scripted.save(str(tmp_path / "s.pt"))
        assert (torch.jit.load(str(tmp_path / "s.pt"))(*inputs) - m(*inputs)).abs().max().item() < 1e-6
    with pytest.raises(CajalError, match="not linear"):
        torch.jit.script(session.definitions["rep"].module())


@pytest.mark.slow
def test_torch_compile_has_no_graph_breaks_and_no_warnings(session, capfd):
    # torch's own modules warn about its deprecated APIs once, when torch.compile first loads them
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch._dynamo.explain(lambda t: t + 1)(torch.ones(1))
        torch.compile(lambda t: t * 2)(torch.ones(1))
    capfd.readouterr()
    for name, m in modules(session).items():
        torch._dynamo.reset()
        inputs = soft_inputs(m, seed=6)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            explained = torch._dynamo.explain(m)(*inputs)
            compiled = torch.compile(m)
            delta = (compiled(*inputs) - m(*inputs)).abs().max().item()
        assert explained.graph_break_count == 0 and explained.graph_count == 1, (name, explained.break_reasons)
        assert [str(w.message) for w in caught] == [], name
        assert delta < 1e-6
    assert capfd.readouterr().err == ""  # nothing logged either (dynamo logs what it cannot trace)


@pytest.mark.slow
def test_the_files_run_without_cajal(session, tmp_path):
    """A fresh Python in which `import cajal` fails loads and runs each file."""
    and_ = session.definitions["and"]
    for fmt, suffix in (("onnx", "onnx"), ("torch", "pt2"), ("torchscript", "pt")):
        and_.export(tmp_path / f"and.{suffix}", format=fmt)
    script = """
import sys
sys.modules["cajal"] = None  # `import cajal` raises ImportError
import numpy as np, onnxruntime, torch
x = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
y = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
a = torch.export.load("and.pt2").module()(x, y)
b = torch.jit.load("and.pt")(x, y)
[c] = onnxruntime.InferenceSession("and.onnx").run(None, {"x": x.numpy(), "y": y.numpy()})
print(a.tolist(), b.tolist(), c.tolist())
"""
    ran = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert ran.returncode == 0, ran.stderr
    table = [[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]  # tt∧tt, tt∧ff, ff∧tt
    assert ran.stdout.strip() == f"{table} {table} {table}"


def test_dims_are_the_encodings(session):
    """The layout the docs promise: one float32 vector of dim τ per input, batch first."""
    m = session.definitions["parity"].module().exportable()
    assert m.weight.dtype == torch.float32 and tuple(m.weight.shape) == (dim(BOOL, 10), dim(NAT, 10))
