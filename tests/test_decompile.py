"""Decompiling weights (`cajal.decompile`, `Definition.decompile`, `:decompile`): the program
read back from a compiled tensor is equivalent to the original, a soft tensor within ½ of a
program's rounds to it, and a trained module reads back as the program it learned."""

from __future__ import annotations

import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import closed_terms, numerals

import cajal
from cajal.compiler import compile
from cajal.errors import CajalError
from cajal.session import Session
from cajal.syntax import BOOL, NAT, Arrow

N = 4
TYPES = [BOOL, NAT, Arrow(BOOL, BOOL), Arrow(NAT, BOOL), Arrow(BOOL, NAT), Arrow(NAT, NAT),
         Arrow(BOOL, Arrow(BOOL, BOOL)), Arrow(NAT, Arrow(BOOL, BOOL)), Arrow(BOOL, Arrow(NAT, NAT)),
         Arrow(NAT, Arrow(NAT, BOOL))]
programs = st.sampled_from(TYPES).flatmap(lambda t: closed_terms(t, max_depth=3))


@given(programs)
def test_decompiling_a_compiled_program_gives_an_equivalent_program(case):
    term, t = case
    assume(max(numerals(term), default=0) < N)
    tensor = compile(term, nat_dim=N).tensor
    found = cajal.decompile(tensor, t, N)
    assert found.max_distance == 0 and found.mean_distance == 0
    assert cajal.typecheck(found.term) == t
    assert cajal.equivalent(found.term, term, nat_dim=N)
    assert cajal.parse_term(found.program) == found.term  # the printed program reads back


@given(programs, st.integers(0, 2 ** 32 - 1))
def test_a_soft_tensor_within_a_half_rounds_to_the_program(case, seed):
    term, t = case
    assume(max(numerals(term), default=0) < N)
    tensor = compile(term, nat_dim=N).tensor.double()
    g = torch.Generator().manual_seed(seed)
    # |noise| < 0.49 per entry; where a natural ran past ℕ's end (a zero block), so small that
    # a block's entries still sum below ½
    scale = 0.98 if cajal.decompile(tensor, t, N).zeros == 0 else 0.98 / N
    noise = (torch.rand(tensor.shape, generator=g, dtype=torch.float64) - 0.5) * scale
    found = cajal.decompile(tensor + noise, t, N)
    assert torch.equal(found.rounded, tensor)
    assert found.max_distance < 0.5 and found.max_distance == pytest.approx(float(noise.abs().max()))
    assert cajal.equivalent(found.term, term, nat_dim=N)


# ---------------------------------------------------------------- pinned examples


def test_tables_of_ifs_and_iters_of_one_step():
    assert cajal.pretty(cajal.decompile(torch.tensor([[0., 1.], [1., 0.]]), "𝟚 ⊸ 𝟚").term) == \
        "λx:𝟚. if x then ff else tt"
    parity = compile("λn:ℕ. iter{tt | y ↪ if y then ff else tt}(n)").tensor
    assert cajal.decompile(parity, "ℕ ⊸ 𝟚").program == "λn:ℕ. iter{tt | y ↪ if y then ff else tt}(n)"
    shift = compile("λn:ℕ. succ n").matrix
    found = cajal.decompile(shift, "ℕ ⊸ ℕ")
    assert found.program == "λn:ℕ. iter{1 | y ↪ succ y}(n)" and found.lookups == 0
    assert cajal.pretty(cajal.decompile(compile("λx:𝟚. λy:𝟚. if x then y else (if y then ff else ff)").tensor,
                                        "𝟚 ⊸ 𝟚 ⊸ 𝟚").term) == \
        "λx:𝟚. if x then λy:𝟚. if y then tt else ff else λy:𝟚. if y then ff else ff"


def test_columns_that_follow_no_step_become_a_lookup():
    term = "λn:ℕ. if iter{tt | y ↪ if y then ff else tt}(n) then 3 else 1"  # 3, 1, 3, 1, …: no step on ℕ
    found = cajal.decompile(compile(term, nat_dim=6).tensor, "ℕ ⊸ ℕ", 6)
    assert found.lookups == 1 and "iter{" in found.program
    assert cajal.equivalent(found.term, term, nat_dim=6)
    assert "lookup" in found.text


def test_a_soft_count_rounds_by_argmax_and_a_missing_one_to_the_zero_vector():
    soft = torch.tensor([0.3, 0.25, 0.2, 0.15, 0.1])  # a distribution: argmax, though every entry < ½
    assert cajal.pretty(cajal.decompile(soft, "ℕ").term) == "0"
    found = cajal.decompile(torch.tensor([0.1, 0.05, 0.0, 0.2, 0.1]), "ℕ")  # no mass: past ℕ's end
    assert found.zeros == 1 and cajal.pretty(found.term) == "(λz:ℕ. succ z) 4"
    assert found.max_distance == pytest.approx(0.2)


def test_the_distance_is_max_and_mean_absolute_difference():
    weights = torch.tensor([[0.9, 0.3], [0.2, 0.6]])
    found = cajal.decompile(weights, "𝟚 ⊸ 𝟚")
    assert cajal.pretty(found.term) == "λx:𝟚. if x then tt else ff"
    assert found.max_distance == pytest.approx(0.4) and found.mean_distance == pytest.approx((0.1 + 0.3 + 0.2 + 0.4) / 4)


def test_a_trained_module_decompiles_to_what_it_learned():
    s = Session()
    s.run("def not (x : 𝟚) : 𝟚 = if x then ff else tt")
    not_ = s.definitions["not"]
    module = not_.module(trainable=True)
    optimiser = torch.optim.SGD(module.parameters(), lr=0.05)
    inputs = torch.eye(2)
    for _ in range(20):  # towards the identity (W − I shrinks by 0.9 a step)
        optimiser.zero_grad()
        loss = ((module(inputs) - inputs) ** 2).sum()
        loss.backward()
        optimiser.step()
    found = not_.decompile(module)
    assert cajal.pretty(found.term) == "λx:𝟚. if x then tt else ff"
    assert 0 < found.max_distance < 0.5
    assert found.text.startswith("-- the program nearest to the weights of `not` : 𝟚 ⊸ 𝟚\nλx:𝟚. if x then tt else ff\n")
    assert cajal.pretty(cajal.decompile(module).term) == "λx:𝟚. if x then tt else ff"
    assert cajal.pretty(not_.decompile().term) == "λx:𝟚. if x then ff else tt"


def test_the_directive_shows_the_program_beside_the_difference_heatmap():
    [r] = Session().run(":decompile λn:ℕ. succ n")
    assert r.text.startswith("-- the program nearest to the weights : ℕ ⊸ ℕ\nλn:ℕ. iter{1 | y ↪ succ y}(n)\n-- distance of the weights from this program: max 0")
    bundle = r._repr_mimebundle_()
    assert "weights − program" in bundle["text/html"] and "<table" in bundle["text/html"]
    assert "weights − program" in bundle["text/plain"]


def test_what_cannot_be_decompiled_is_a_clear_error():
    with pytest.raises(CajalError, match="function of a function"):
        cajal.decompile(torch.zeros(8), "(𝟚 ⊸ 𝟚) ⊸ 𝟚")
    with pytest.raises(CajalError, match="has 2 entries, not 3"):
        cajal.decompile(torch.zeros(3), "𝟚", 10)
    with pytest.raises(CajalError, match="NaN"):
        cajal.decompile(torch.tensor([float("nan"), 0.0]), "𝟚")
    with pytest.raises(CajalError, match="needs the type"):
        cajal.decompile(torch.zeros(2))
