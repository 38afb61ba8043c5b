"""Evaluation (LANGUAGE.md section 4): the big-step evaluator and the small-step reducer."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import closed_terms, typed_terms, value_has_type, values

from cajal import CajalError, evaluate, parse_term, pretty, steps, typecheck
from cajal.evaluation import apply
from cajal.substitute import substitute
from cajal.syntax import BOOL, NAT, App, Lam, Var, children
from cajal.values import Closure, Opaque, is_value, value_term

RULES = {"β", "if-tt", "if-ff", "iter-zero", "iter-succ", "succ", "δ"}


def at_path(term, path):
    for i in path:
        term = children(term)[i]
    return term


# ---------------------------------------------------------------- properties


@given(closed_terms())
def test_evaluation_terminates_with_a_value_of_the_type(example):
    term, ty = example
    assert value_has_type(evaluate(term), ty)


@given(typed_terms().flatmap(lambda ex: st.tuples(
    st.just(ex), st.fixed_dictionaries({x: values(t) for x, t in ex[2].items()}))))
def test_open_terms_evaluate_like_their_substitution(example_env):
    """evaluate(e, env) == evaluate(e[x ↦ v]): environments and substitution agree."""
    (term, ty, ctx), env = example_env
    v = evaluate(term, env)
    assert value_has_type(v, ty)
    closed = substitute(term, {x: value_term(val) for x, val in env.items()})
    assert typecheck(closed) == ty
    assert evaluate(closed) == v


@given(closed_terms())
def test_small_steps_end_at_the_value(example):
    term, ty = example
    trace = steps(term)
    final = trace[-1].term if trace else term
    assert is_value(final)
    assert final == value_term(evaluate(term))
    assert all(rule in RULES and rule != "δ" for rule, _ in trace)


@given(closed_terms())
def test_every_step_preserves_the_type_and_names_its_redex(example):
    """Subject reduction, and each Step's redex is the sub-term at its path in the term before."""
    term, ty = example
    trace = steps(term)
    sample = range(len(trace)) if len(trace) <= 60 else range(0, len(trace), len(trace) // 30)
    for i in sample:
        before = trace[i - 1].term if i else term
        step = trace[i]
        assert typecheck(step.term) == ty, (i, step.rule)
        assert at_path(before, step.path) == step.redex
        assert step.rule == step[0] and step.term == step[1]


@given(closed_terms(), st.integers(0, 5))
def test_steps_limit(example, limit):
    term, _ = example
    full = steps(term)
    assert steps(term, limit=limit) == full[:limit]


@given(closed_terms())
def test_evaluation_is_pure(example):
    """Evaluating twice gives equal values; applying a closure twice gives equal results."""
    term, ty = example
    v = evaluate(term)
    assert evaluate(term) == v
    if isinstance(v, Closure) and ty.dom in (BOOL, NAT):
        arg = True if ty.dom == BOOL else 2
        assert apply(v, arg) == apply(v, arg)
        assert value_has_type(apply(v, arg), ty.cod)
        assert v == evaluate(term)


# ---------------------------------------------------------------- examples


def ev(src, **env):
    return evaluate(parse_term(src), env)


@pytest.mark.parametrize("src, value", [
    ("tt", True), ("false", False), ("zero", 0), ("succ succ 3", 5),
    ("(λx:𝟚. if x then ff else tt) tt", False),
    ("(λx:𝟚. λy:𝟚. if x then y else (if y then ff else ff)) tt ff", False),
    ("(λx:𝟚. λy:𝟚. if x then y else (if y then ff else ff)) tt tt", True),
    ("let x = 4 in succ x", 5),
    ("iter{tt | y ↪ if y then ff else tt}(0)", True),
    ("iter{tt | y ↪ if y then ff else tt}(3)", False),
    ("iter{tt | y ↪ if y then ff else tt}(4)", True),
    ("iter{2 | y ↪ succ y}(3)", 5),
    ("iter{0 | y ↪ iter{y | z ↪ succ z}(2)}(3)", 6),
    ("(λf:ℕ ⊸ ℕ. iter{1 | y ↪ f y}(3)) (λx:ℕ. succ (succ x))", 7),  # Δ₃: f runs 3 times
    ("iter{λx:ℕ. x | g ↪ λx:ℕ. succ (g x)}(4) 10", 14),             # iter on functions
    ("(if ff then λx:ℕ. x else λx:ℕ. succ x) 1", 2),                  # if on functions
])
def test_values(src, value):
    result = evaluate(parse_term(src))
    assert result == value and type(result) is type(value)


def test_environment_gives_free_variables():
    assert ev("if c then succ n else n", c=True, n=3) == 4
    assert ev("f x", f=evaluate(parse_term("λb:𝟚. if b then ff else tt")), x=False) is True


def test_definitions_are_values():
    defs = {"not": evaluate(parse_term("λb:𝟚. if b then ff else tt"))}
    assert evaluate(parse_term("not (not (not tt))"), defs=defs) is False


def test_linked_python_functions_are_opaque_values():
    assert ev("f 3", f=lambda n: n * 10) == 30
    v = ev("x", x=[1, 2])
    assert isinstance(v, Opaque) and v.obj == [1, 2]
    assert evaluate(parse_term("if c then x else y"), {"c": False, "x": "a", "y": "b"}).obj == "b"


def test_closures_are_compared_as_terms():
    f = ev("(λx:ℕ. λy:𝟚. if y then x else 0) 2")
    g = ev("λy:𝟚. if y then 2 else 0")
    assert f == g and hash(f) == hash(g)
    assert value_term(f) == parse_term("λy:𝟚. if y then 2 else 0")


def test_apply():
    f = ev("λx:ℕ. succ x")
    assert apply(f, 4) == 5
    assert apply(Opaque(lambda v: not v), True) is False
    with pytest.raises(CajalError, match="not a function"):
        apply(True, 1)


def test_evaluating_unchecked_nonsense_raises_cajal_errors():
    with pytest.raises(CajalError, match="unbound variable `x`"):
        ev("x")
    with pytest.raises(CajalError, match="not a function"):
        ev("tt ff")
    with pytest.raises(CajalError, match="not a boolean"):
        ev("if 3 then tt else ff")
    with pytest.raises(CajalError, match="natural"):
        ev("succ tt")
    with pytest.raises(CajalError, match="natural"):
        ev("iter{tt | y ↪ y}(ff)")


def _rules(src, **kw):
    return [rule for rule, _ in steps(parse_term(src), **kw)]


def test_step_rules():
    assert _rules("(λx:𝟚. x) tt") == ["β"]
    assert _rules("if tt then 1 else 2") == ["if-tt"]
    assert _rules("if ff then 1 else 2") == ["if-ff"]
    assert _rules("iter{tt | y ↪ y}(0)") == ["iter-zero"]
    assert _rules("iter{0 | y ↪ succ y}(2)") == ["iter-succ", "succ", "iter-succ", "succ", "iter-zero"]
    assert _rules("(λx:ℕ. succ x) 1") == ["β", "succ"]
    assert _rules("let x = tt in x") == ["β"]
    assert _rules("not tt", defs={"not": parse_term("λb:𝟚. if b then ff else tt")}) == ["δ", "β", "if-tt"]
    assert steps(parse_term("λx:𝟚. (λy:𝟚. y) x")) == []  # no reduction under λ


def test_step_terms_are_readable():
    trace = steps(parse_term("(λx:𝟚. if x then ff else tt) tt"))
    assert [(r, pretty(t)) for r, t in trace] == [
        ("β", "if tt then ff else tt"), ("if-tt", "ff")]
    assert trace[0].path == () and trace[0].redex == parse_term("(λx:𝟚. if x then ff else tt) tt")
    trace = steps(parse_term("succ ((λx:ℕ. x) 2)"))
    assert trace[0].path == (0,) and trace[0].redex == App(Lam("x", NAT, Var("x")), parse_term("2"))


def test_call_by_value_order():
    """The function is evaluated before the argument, the count of iter before its base."""
    trace = steps(parse_term("(if tt then λx:𝟚. x else λx:𝟚. x) (if ff then tt else ff)"))
    assert [r for r, _ in trace] == ["if-tt", "if-ff", "β"]
    trace = steps(parse_term("iter{if tt then ff else tt | y ↪ y}(if tt then 1 else 0)"))
    assert [r for r, _ in trace] == ["if-tt", "if-tt", "iter-succ", "iter-zero"]


@pytest.mark.parametrize("src, value", [
    ("(λx:ℕ. let x = succ x in succ x) 1", 3),
    ("(λx:ℕ. (λx:ℕ. succ x) x) 4", 5),
    ("(λy:ℕ. iter{y | y ↪ succ y}(2)) 0", 2),
    ("let f = (λx:ℕ. λy:ℕ. iter{x | x ↪ succ x}(y)) 3 in f 2", 5),
])
def test_shadowing(src, value):
    """A binder shadows an outer variable of the same name, in evaluation and in substitution."""
    term = parse_term(src)
    assert typecheck(term) == NAT
    assert evaluate(term) == value
    assert steps(term)[-1].term == value_term(value)


# ---------------------------------------------------------------- large counts (jumped over)

from cajal.evaluation import PLAIN_STEPS, STEP_BUDGET  # noqa: E402
from cajal.syntax import Iter, Nat  # noqa: E402

HUGE = int("3" * 150)


def iterate_plainly(base_value, step, n):
    """The state after n steps, one evaluation of the step per step (no jump)."""
    v = base_value
    for _ in range(n):
        v = evaluate(step, {"y": v})
        assume(v.bit_length() < 4096 if isinstance(v, int) else True)
    return v


@given(st.sampled_from([BOOL, NAT]).flatmap(lambda ty: st.tuples(
    closed_terms(ty, max_depth=3), typed_terms(ty, {"y": ty}, max_depth=4))),
    st.integers(PLAIN_STEPS + 1, 4 * PLAIN_STEPS))
def test_a_jumped_iteration_equals_stepping_through_it(example, n):
    """Cycle detection on 𝟚/ℕ states, and the jump of a ℕ step that only adds, agree with
    applying the step n times."""
    (base, _), (step, _, _) = example
    expected = iterate_plainly(evaluate(base), step, n)
    assert evaluate(Iter(base, "y", step, Nat(n))) == expected


@given(st.integers(0, 9), st.integers(0, 9), st.integers(0, 9), st.integers(PLAIN_STEPS + 1, 5_000))
def test_a_natural_state_that_falls_into_a_cycle_is_jumped_exactly(start, a, b, n):
    """A ℕ step that inspects its state (it counts with it), so only the cycle gives the jump:
    y ↦ a if y is even, else b."""
    assume(a != b)  # otherwise the step is a constant, which the jump over a constant step covers
    step = parse_term(f"if iter{{tt | e ↪ if e then ff else tt}}(y) then {a} else {b}")
    assert evaluate(Iter(Nat(start), "y", step, Nat(n))) == iterate_plainly(start, step, n)


@pytest.mark.parametrize("source, value", [
    (f"iter{{tt | y ↪ if y then ff else tt}}({HUGE})", False),  # 𝟚: a cycle of length 2
    (f"iter{{2 | y ↪ succ y}}({HUGE})", HUGE + 2),  # ℕ: the step only adds 1
    (f"iter{{0 | y ↪ succ (succ y)}}({HUGE})", 2 * HUGE),
    (f"iter{{7 | y ↪ iter{{0 | z ↪ succ z}}(y)}}({HUGE})", 7),  # an identity through a nested iter
    (f"iter{{5 | y ↪ iter{{3 | z ↪ z}}(y)}}({HUGE})", 3),  # a constant step
    (f"(λn:ℕ. iter{{tt | y ↪ if y then ff else tt}}(n)) {HUGE}", False),
])
def test_a_150_digit_count_is_jumped_over(source, value):
    assert evaluate(parse_term(source)) == value


def test_parity_and_add_of_a_150_digit_numeral_through_a_session():
    """Typing, evaluating and showing (its compiled vector is refused: the numeral does not fit
    in ℕ) all answer at once; the message names the numeral in short."""
    from cajal.session import Session
    s = Session()
    s.run("def not (x : 𝟚) : 𝟚 = if x then ff else tt\n"
          "def parity (n : ℕ) : 𝟚 = iter{tt | y ↪ not y}(n)\n"
          "def add (m : ℕ) (n : ℕ) : ℕ = iter{m | acc ↪ succ acc}(n)")
    [parity] = s.run(f"parity {HUGE}")
    assert parity.value is False
    assert parity.plain() == ("ff : 𝟚\n(not compiled: the numeral 3333…3 (a 150-digit number) does not fit in ℕ "
                              "with nat_dim = 10 (naturals 0…9))")
    [added] = s.run(f"add 2 {HUGE}")
    assert added.value == HUGE + 2
    assert added.notes == ["note: 3333…5 (a 150-digit number) is beyond ℕ's size (nat_dim 10 holds 0…9), so its "
                           "compiled vector is all zeros; `:set nat_dim 3333…6 (a 150-digit number)` holds it"]
    assert "text/html" in added._repr_mimebundle_()
    [traced] = s.run(f":trace parity {HUGE}")  # the small-step trace is bounded: it stops, and says so
    assert traced.view is not None


def test_a_count_too_large_for_a_function_state_is_refused_with_what_to_do():
    with pytest.raises(CajalError) as err:
        evaluate(parse_term(f"iter{{(λx:ℕ. x) | f ↪ f}}({HUGE})"))
    message = str(err.value)
    assert "3333…3 (a 150-digit number) steps" in message and f"{STEP_BUDGET:,}" in message
    assert "hint: use a smaller count" in message
    assert message.count("\n") == 3  # the message, the source line, the caret line, the hint


def test_a_count_within_the_budget_still_steps_a_function_state():
    assert evaluate(parse_term("iter{(λx:ℕ. x) | f ↪ λx:ℕ. succ (f x)}(300)")).env is not None
    assert evaluate(parse_term("(iter{(λx:ℕ. x) | f ↪ λx:ℕ. succ (f x)}(300)) 1")) == 301
