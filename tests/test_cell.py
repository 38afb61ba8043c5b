"""The recurrent cell's fast paths (cajal/compiler/cell.py) at a larger nat_dim: states
gathered through functional step matrices, and counts that are one-hot (a basis, a literal,
a linked int) reading their state out by index, agree with the evaluator, and the worked
examples give exact, pinned matrices."""

from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import closed_terms, evaluate_below, typed_terms

from cajal.compiler import compile
from cajal.compiler import encode_value as encode
from cajal.compiler.cell import functional_map, onehot_count, read_out
from cajal.compiler.runtime import Runtime
from cajal.syntax import BOOL, NAT, App, Arrow, Iter, Lam, Nat, Var

N = 24  # larger than the other tests' 10, so iters run many steps


@st.composite
def iter_programs(draw):
    """(program, kind): `λn:ℕ. iter{b | y ↪ s}(n)` with b closed ("closed"), or for τ = ℕ
    the base a parameter: `λm:ℕ. λn:ℕ. iter{m | y ↪ s}(n)` ("curried")."""
    ty = draw(st.sampled_from([BOOL, NAT, Arrow(BOOL, BOOL)]))
    step, _, _ = draw(typed_terms(ty, {"y": ty}, max_depth=3))
    kind = draw(st.sampled_from(["closed", "curried"])) if ty == NAT else "closed"
    if kind == "closed":
        base, _ = draw(closed_terms(ty, max_depth=2))
        return Lam("n", NAT, Iter(base, "y", step, Var("n"))), kind
    return Lam("m", NAT, Lam("n", NAT, Iter(Var("m"), "y", step, Var("n")))), kind


@settings(deadline=None, max_examples=60, suppress_health_check=list(HealthCheck))
@given(iter_programs())
def test_iter_matrices_agree_with_the_evaluator(case):
    program, kind = case
    c = compile(program, nat_dim=N)
    table = c.uncurried()  # (dim τ, N) or (N, N, N) for the curried form
    args = [(m, j) for m in range(N) for j in range(0, N, 5)] if kind == "curried" else [(None, j) for j in range(N)]
    checked = 0
    for m, j in args:
        term = App(program, Nat(j)) if m is None else App(App(program, Nat(m)), Nat(j))
        v, fits = evaluate_below(term, N)
        if not fits:
            continue
        ty = c.type.cod.cod if kind == "curried" else c.type.cod
        column = table[:, j] if m is None else table[:, m, j]
        assert torch.equal(column, encode(v, ty, N)), (program, m, j)
        called = c(j) if m is None else c(m, j)  # the call: a literal count
        assert torch.equal(called.tensor if isinstance(ty, Arrow) else called, column)
        checked += 1
    assume(checked)


def test_pinned_matrices():
    add = compile("λm:ℕ. λn:ℕ. iter{m | y ↪ succ y}(n)", nat_dim=4).uncurried()
    expected = torch.zeros(4, 4, 4)
    for m in range(4):
        for n in range(4 - m):
            expected[m + n, m, n] = 1
    assert torch.equal(add, expected)
    assert compile("λm:ℕ. λn:ℕ. iter{m | y ↪ succ y}(n)", nat_dim=4).matrix.is_contiguous()
    count = compile("λn:ℕ. iter{0 | y ↪ succ y}(n)", nat_dim=5).matrix
    assert torch.equal(count, torch.eye(5))
    parity = compile("λn:ℕ. iter{tt | y ↪ if y then ff else tt}(n)", nat_dim=5).matrix
    assert torch.equal(parity, torch.tensor([[1., 0, 1, 0, 1], [0, 1, 0, 1, 0]]))
    flip = compile("λn:ℕ. iter{λx:𝟚. x | f ↪ λx:𝟚. f (if x then ff else tt)}(n)", nat_dim=4).matrix
    identity, negation = [1., 0, 0, 1], [0., 1, 1, 0]  # row-major 2×2 matrices
    assert torch.equal(flip, torch.tensor([identity, negation, identity, negation]).T)
    const = compile("λn:ℕ. iter{ff | y ↪ if y then tt else tt}(n)", nat_dim=4).matrix  # two columns meet
    assert torch.equal(const, torch.tensor([[0., 1, 1, 1], [1, 0, 0, 0]]))


def test_soft_and_trainable_counts_take_the_dense_path():
    c = compile("λn:ℕ. iter{0 | y ↪ succ y}(n)", nat_dim=6)
    soft = torch.tensor([0.5, 0.25, 0.25, 0, 0, 0])
    assert torch.allclose(c(soft), soft)  # Σ nᵢ eᵢ
    logits = torch.zeros(6, requires_grad=True)
    out = c(torch.softmax(logits, 0))
    out[2].backward()
    assert logits.grad is not None and logits.grad.abs().sum() > 0
    m = c.module(trainable=True)
    assert torch.equal(m(3), torch.eye(6)[3])


def test_functional_map():
    assert functional_map(torch.tensor([0., 1, 1, 0]), 2).tolist() == [1, 0, 2]
    assert functional_map(torch.tensor([1., 1, 0, 0]), 2).tolist() == [0, 0, 2]
    assert functional_map(torch.tensor([0., 0, 1, 0]), 2).tolist() == [1, 2, 2]  # column 1 is zero
    assert functional_map(torch.tensor([1., 0, 1, 0]), 2) is None  # column 0 has two ones
    assert functional_map(torch.tensor([0.5, 0, 0.5, 1]), 2) is None
    assert functional_map(torch.eye(2).reshape(1, 4), 2) is None  # batched


@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 9])
def test_every_count_of_steps(n):
    # doubling makes 1, 2, 4, … states at a time: every total must come out whole
    c = compile("λn:ℕ. iter{0 | y ↪ succ y}(n)", nat_dim=n)
    assert torch.equal(c.matrix, torch.eye(n))


def test_basis_read_out_is_the_weighted_sum():
    # states (k + 1, …batch, d) that vary along the count's own basis axis (their diagonal),
    # or not (a view moved into place), against Σᵢ nᵢ hᵢ
    rt = Runtime([], dtype=torch.float32, device=torch.device("cpu"), nat_dim=3, limit=1 << 20)
    n = rt.basis(3, axis=0, rank=2)  # (3, 1, 3)
    gen = torch.Generator().manual_seed(0)
    for states in (torch.rand(3, 3, 4, 2, generator=gen), torch.rand(3, 1, 4, 2, generator=gen),
                   torch.rand(3, 4, 2, generator=gen)):
        dense = sum(n[..., i, None] * states[i] for i in range(3))
        assert torch.equal(read_out(states, onehot_count(n, rt), n), dense)
    literal = rt.lit(1)
    states = torch.rand(3, 5, 3, generator=gen)
    assert torch.equal(read_out(states, onehot_count(literal, rt), literal), states[1])
    zero = torch.zeros(3)  # a count that is no natural (succ of the last one): 0
    assert torch.equal(read_out(states, onehot_count(zero, rt), zero), torch.zeros(5, 3))
