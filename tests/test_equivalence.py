"""Program equivalence (`cajal.equivalent`, `:equiv`) against the evaluator: two programs are
equal exactly when they agree on every input, and a difference names the smallest input where
they do not, with the evaluator's outputs."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st
from strategies import closed_terms, evaluate_below, numerals

import cajal
from cajal.errors import CajalError, CajalSyntaxError, CajalTypeError
from cajal.pretty import pretty
from cajal.session import Session
from cajal.syntax import BOOL, NAT, App, Arrow, BoolLit, Lam, Nat, Var

N = 4  # small ℕ: every input is tried by the evaluator
FIRST_ORDER = [BOOL, NAT, Arrow(BOOL, BOOL), Arrow(NAT, BOOL), Arrow(BOOL, NAT), Arrow(NAT, NAT),
               Arrow(BOOL, Arrow(BOOL, BOOL)), Arrow(NAT, Arrow(BOOL, BOOL)), Arrow(BOOL, Arrow(NAT, BOOL))]


def _inputs(t):
    """Every input (argument tuple up to a 𝟚/ℕ result) with its basis positions."""
    doms = []
    while isinstance(t, Arrow):
        doms.append(t.dom)
        t = t.cod
    ranges = [range(2) if d == BOOL else range(N) for d in doms]
    for index in itertools.product(*ranges):
        args = [BoolLit(i == 0) if d == BOOL else Nat(i) for d, i in zip(doms, index)]
        yield index, args


def _apply(term, args):
    for a in args:
        term = App(term, a)
    return term


@st.composite
def pairs(draw):
    t = draw(st.sampled_from(FIRST_ORDER))
    a, _ = draw(closed_terms(t, max_depth=3))
    b, _ = draw(closed_terms(t, max_depth=3))
    return t, a, b


@given(pairs())
def test_equivalent_agrees_with_the_evaluator_and_its_counterexample_is_the_smallest(pair):
    t, a, b = pair
    table = []
    for index, args in _inputs(t):
        va, fits_a = evaluate_below(_apply(a, args), N)
        vb, fits_b = evaluate_below(_apply(b, args), N)
        assume(fits_a and fits_b)  # no natural past ℕ's end: compiled = evaluated (the theorem)
        table.append((index, args, va, vb))
    verdict = cajal.equivalent(a, b, nat_dim=N)
    differing = [row for row in table if row[2] != row[3]]
    event("equal" if not differing else "different")
    assert bool(verdict) == (not differing)
    assert verdict.equal == bool(verdict)
    if differing:
        index, args, va, vb = min(differing, key=lambda row: (sum(row[0]), row[0]))
        d = verdict.difference
        assert d.args == tuple(pretty(x) for x in args)  # no smaller input differs
        assert d.outputs == (pretty(va), pretty(vb))  # the evaluator's outputs
        assert not d.basis


@given(st.sampled_from(FIRST_ORDER + [Arrow(Arrow(BOOL, BOOL), BOOL)]).flatmap(lambda t: closed_terms(t, 3)))
def test_a_program_is_equivalent_to_itself_under_the_identity(case):
    term, t = case
    assume(max(numerals(term), default=0) < N)
    assert cajal.equivalent(term, App(Lam("z", t, Var("z")), term), nat_dim=N)


@given(closed_terms(Arrow(Arrow(BOOL, BOOL), BOOL), max_depth=3), closed_terms(Arrow(Arrow(BOOL, BOOL), BOOL), max_depth=3))
def test_a_higher_order_difference_is_a_table_the_evaluator_separates(a, b):
    assume(max([*numerals(a[0]), *numerals(b[0])], default=0) < N)
    verdict = cajal.equivalent(a[0], b[0], nat_dim=N)
    if verdict or verdict.difference.basis:
        return
    [arg] = verdict.difference.args
    f = cajal.parse_term(arg)
    runs = [evaluate_below(App(side[0], f), N) for side in (a, b)]
    assume(all(fits for _, fits in runs))  # past ℕ's end the compiled output is 0, not the value
    outputs = tuple(pretty(value) for value, _ in runs)
    assert outputs == verdict.difference.outputs and outputs[0] != outputs[1]


# ---------------------------------------------------------------- pinned examples

OR = "def or (x:𝟚) (y:𝟚) : 𝟚 = if x then (if y then tt else tt) else y"
AND = "def and (x:𝟚) (y:𝟚) : 𝟚 = if x then y else (if y then ff else ff)"
NOT = "def not (x:𝟚) : 𝟚 = if x then ff else tt"


def test_or_and_and_differ_at_tt_ff():
    s = Session()
    s.run(f"{OR}\n{AND}")
    [r] = s.run(":equiv or ≡ and")
    assert r.text == ("or ≢ and : 𝟚 ⊸ 𝟚 ⊸ 𝟚  (nat_dim 10)\n"
                      "the smallest input where they differ: tt ff\n"
                      "  or tt ff = tt\n"
                      "  and tt ff = ff")
    assert not r.value and r.value.difference.args == ("tt", "ff")
    html = r._repr_mimebundle_()["text/html"]
    assert "or tt ff" in html and "≢" in html


def test_not_not_is_the_identity():
    s = Session()
    s.run(NOT)
    [r] = s.run(":equiv λx:𝟚. not (not x) == λx:𝟚. x")
    assert r.value and r.text == "λx:𝟚. not (not x) ≡ λx:𝟚. x : 𝟚 ⊸ 𝟚  (equal tensors at nat_dim 10)"
    assert cajal.equivalent("λx:𝟚. not (not x)", "λx:𝟚. x", session=s)
    assert "≡" in r._repr_mimebundle_()["text/html"]


def test_assert_equivalent_fails_with_the_graders_sentence():
    s = Session()
    s.run(f"{OR}\n{AND}")
    with pytest.raises(AssertionError, match=r"^your `or` differs at `or tt ff`: yours gives `ff`, expected `tt`$"):
        cajal.assert_equivalent(s.definitions["and"], s.definitions["or"], name="or")
    assert cajal.assert_equivalent(s.definitions["or"], "λa:𝟚. λb:𝟚. if a then (if b then tt else tt) else b")


def test_the_same_programs_at_a_smaller_nat_dim_can_be_equal():
    # every output overflows at nat_dim 2: both are the zero vector there
    a, b = "λn:ℕ. succ (succ n)", "λn:ℕ. succ (succ (succ n))"
    assert cajal.equivalent(a, b, nat_dim=2)
    verdict = cajal.equivalent(a, b, nat_dim=10)
    assert not verdict and verdict.difference.args == ("0",) and verdict.difference.outputs == ("2", "3")


def test_where_the_compiled_output_is_not_the_value_both_are_shown():
    # the count 4 is past ℕ's end at nat_dim 4: the evaluator iterates 4 times, the neuron gives 0
    verdict = cajal.equivalent("λx:𝟚. iter{x | y ↪ y}((λz:ℕ. succ z) 3)", "λx:𝟚. x", nat_dim=4)
    d = verdict.difference
    assert d.args == ("tt",) and d.outputs == ("tt", "tt") and d.compiled == ("the zero vector", "tt")
    assert "compiled at nat_dim 4: the zero vector and tt" in verdict.text
    assert verdict.message("f") == "your `f` differs at `f tt`: yours gives `the zero vector`, expected `tt`"


def test_tensors_that_differ_only_on_non_values_say_so():
    verdict = cajal.equivalent("λf:𝟚 ⊸ 𝟚. if f tt then tt else tt", "λf:𝟚 ⊸ 𝟚. if f ff then tt else tt")
    assert not verdict and verdict.difference.basis
    assert "not a Cajal value" in verdict.text


def test_type_mismatch_and_a_missing_separator_are_clear_errors():
    with pytest.raises(CajalTypeError, match="only programs of one type can be equal"):
        cajal.equivalent("tt", "λx:𝟚. x")
    s = Session()
    with pytest.raises(CajalTypeError) as err:
        s.run(":equiv tt ≡ λx:𝟚. x")
    assert err.value.span.col == 13  # the second term
    with pytest.raises(CajalSyntaxError, match="compares two terms"):
        s.run(":equiv tt ff")
    with pytest.raises(CajalError, match="no finite dimension"):
        cajal.equivalent(cajal.parse_term("λx:A. x"), cajal.parse_term("λy:A. y"), session=_with_type("A"))


def _with_type(name):
    s = Session()
    s.run(f"type {name}")
    return s


def test_the_live_check_type_checks_both_terms_of_equiv():
    from cajal import diagnostics
    report = diagnostics.check_cell(Session(), ":equiv λx:𝟚. x ≡ λy:𝟚. f y")
    [d] = report.diagnostics
    assert d.message == "unbound variable `f`" and (d.span.line, d.span.col) == (1, 24)
    assert not diagnostics.check_cell(Session(), ":equiv λx:𝟚. x == λy:𝟚. y").diagnostics
