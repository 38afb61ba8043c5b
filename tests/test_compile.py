"""The compiler (LANGUAGE.md section 5): worked examples pinned exactly, the correctness
theorem and multilinearity as properties, the size guard, numerals, encodings."""

from __future__ import annotations

import signal

import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import closed_terms, evaluate_below, numerals, typed_terms, values

import cajal
import cajal.budget
from cajal import CajalError, parse_term, parse_type, pretty
from cajal.compiler import compile
from cajal.compiler import encode_value as encode
from cajal.encoding import basis_names, decode, dim
from cajal.substitute import substitute
from cajal.syntax import Arrow
from cajal.values import Closure, Opaque, value_term

torch.set_num_threads(1)

NOT = "λx:𝟚. if x then ff else tt"
AND = "λx:𝟚. λy:𝟚. if x then y else (if y then ff else ff)"
ALT = "λn:ℕ. iter{tt | y ↪ if y then ff else tt}(n)"

TT, FF = [1.0, 0.0], [0.0, 1.0]


def T(x):
    return torch.tensor(x, dtype=torch.float32)


def matrix(src, n=10, **kw):
    return compile(parse_term(src), nat_dim=n, **kw).matrix


# ---------------------------------------------------------------- worked examples (section 5)


@pytest.mark.parametrize("n", [10, 5])
def test_worked_examples_on_booleans(n):
    assert torch.equal(matrix(NOT, n), T([[0, 1], [1, 0]]))
    assert torch.equal(matrix("λx:𝟚. x", n), torch.eye(2))
    assert torch.equal(matrix("λx:𝟚. if x then tt else tt", n), T([[1, 1], [0, 0]]))


@pytest.mark.parametrize("n", [10, 5])
def test_worked_example_and(n):
    c = compile(parse_term(AND), nat_dim=n)
    assert torch.equal(c.matrix, T([[1, 0], [0, 0], [0, 1], [1, 1]]))  # columns: and tt = id, and ff = const ff
    assert torch.equal(c.tensor, c.matrix.reshape(-1))
    # as a 2-linear tensor: T[:, tt, tt] = tt, every other pair gives ff
    body = compile(parse_term("if x then y else (if y then ff else ff)"), {"x": "𝟚", "y": "𝟚"}, nat_dim=n)
    expect = torch.zeros(2, 2, 2)
    expect[:, 0, 0] = T(TT)
    expect[:, 0, 1] = expect[:, 1, 0] = expect[:, 1, 1] = T(FF)
    assert torch.equal(body.tensor, expect)
    assert torch.equal(c.uncurried(), expect)


@pytest.mark.parametrize("n", [10, 5])
def test_worked_example_alternating_iter(n):
    m = matrix(ALT, n)
    expect = torch.stack([T(TT) if i % 2 == 0 else T(FF) for i in range(n)], dim=1)
    assert m.shape == (2, n) and torch.equal(m, expect)


@pytest.mark.parametrize("n", [10, 5])
def test_worked_example_succ_is_the_shift(n):
    s = torch.zeros(n, n)
    for i in range(n - 1):
        s[i + 1, i] = 1
    assert torch.equal(matrix("λn:ℕ. succ n", n), s)
    assert matrix("λn:ℕ. succ n", n)[:, n - 1].abs().sum() == 0  # succ (N-1) vanishes


def test_higher_order_matrix_columns_are_outputs_on_unit_matrices():
    m = matrix("λf:𝟚 ⊸ 𝟚. f tt")
    # basis of 𝟚⊸𝟚: tt↦tt, ff↦tt, tt↦ff, ff↦ff; f tt picks the image of tt
    assert torch.equal(m, T([[1, 0, 0, 0], [0, 0, 1, 0]]))
    assert torch.equal(matrix("λf:(ℕ ⊸ ℕ) ⊸ ℕ. λx:ℕ ⊸ ℕ. f x"), torch.eye(1000))


def test_nat_dim_is_per_compile():
    assert compile(parse_term("λn:ℕ. n"), nat_dim=3).matrix.shape == (3, 3)
    assert compile(parse_term("λn:ℕ. n"), nat_dim=7).matrix.shape == (7, 7)
    assert compile(parse_term("3"), nat_dim=4).tensor.tolist() == [0, 0, 0, 1]


def test_closed_values_are_their_encodings():
    assert torch.equal(compile("tt").tensor, T(TT))
    assert torch.equal(compile("succ (succ 1)", nat_dim=5).tensor, T([0, 0, 0, 1, 0]))
    assert compile("(λn:ℕ. succ n) 4", nat_dim=5).tensor.abs().sum() == 0  # overflow vanishes
    assert torch.equal(compile("iter{0 | y ↪ succ y}(3)", nat_dim=5).tensor, T([0, 0, 0, 1, 0]))


# ---------------------------------------------------------------- numerals and nat_dim


def test_a_numeral_that_does_not_fit_is_refused_with_its_span_and_a_hint():
    src = "λx:ℕ. iter{x | y ↪ succ y}(12)"
    with pytest.raises(CajalError) as err:
        compile(parse_term(src))
    e = err.value
    assert "12" in e.message and "nat_dim" in e.message
    col = src.index("12") + 1
    assert e.span is not None and (e.span.col, e.span.end_col) == (col, col + 2)
    assert "^^" in str(e)
    assert "nat_dim 13" in e.hint
    assert compile(parse_term("λx:ℕ. iter{x | y ↪ succ y}(12)"), nat_dim=13).matrix.shape == (13, 13)


def test_type_errors_come_from_the_checker():
    with pytest.raises(cajal.CajalTypeError):
        compile(parse_term("λx:𝟚. tt"))
    with pytest.raises(cajal.CajalTypeError):
        compile(parse_term("x"), {"x": "𝟚", "y": "𝟚"})


# ---------------------------------------------------------------- the size guard


def test_size_guard_refuses_before_allocating_naming_type_and_size():
    """(How fast it refuses: benchmarks/bench_guards.py.)"""
    with pytest.raises(CajalError) as err:
        compile(parse_term("λf:(((ℕ ⊸ ℕ) ⊸ ℕ) ⊸ ℕ) ⊸ ℕ. f"))  # a 10⁵ × 10⁵ matrix
    msg = str(err.value)
    assert "10,000,000,000 entries" in msg and "GiB" in msg and "⊸" in msg and "size_limit" in msg


def test_size_limit_argument_and_module_default(monkeypatch):
    src = parse_term("λf:((ℕ ⊸ ℕ) ⊸ ℕ) ⊸ ℕ. f")  # 10⁸ entries, 381 MiB
    with pytest.raises(CajalError, match="100,000,000 entries"):
        compile(src, size_limit=100 * 2**20)
    monkeypatch.setattr(cajal.budget, "SIZE_LIMIT_BYTES", 2**20)
    with pytest.raises(CajalError, match="above the size limit of 1.0 MiB"):
        compile(parse_term("λf:ℕ ⊸ ℕ ⊸ ℕ. f"), nat_dim=40)  # 1600² entries
    assert compile(parse_term("λf:ℕ ⊸ ℕ. f")).matrix.shape == (100, 100)


def test_size_refusal_says_at_which_nat_dim_it_fits():
    src = parse_term("λf:ℕ ⊸ ℕ. f")  # N⁴ entries: 22⁴ = 234,256 fit in 1 MiB of floats, 23⁴ do not
    with pytest.raises(CajalError, match=r"810,000 entries .* \(it would fit with nat_dim ≤ 22\)"):
        compile(src, nat_dim=30, size_limit=2**20)
    assert compile(src, nat_dim=22, size_limit=2**20).matrix.shape == (22 * 22, 22 * 22)
    with pytest.raises(CajalError, match="nat_dim ≤ 22"):
        compile(src, nat_dim=23, size_limit=2**20)
    with pytest.raises(CajalError) as err:  # no ℕ in the type: no nat_dim helps
        compile(parse_term("λf:((𝟚 ⊸ 𝟚) ⊸ 𝟚) ⊸ 𝟚. f"), size_limit=100)
    assert "nat_dim ≤" not in err.value.message


def test_size_guard_counts_only_the_axes_a_value_depends_on():
    # nested iters whose steps are closed: each level samples a 10×10 matrix, not 10^depth
    src = _nested(12)
    c = compile(parse_term(src), size_limit=10_000)
    assert torch.equal(c.matrix.argmax(0), torch.arange(10))


def test_open_tensor_is_guarded_too():
    c = compile(parse_term("f x"), {"f": "(ℕ ⊸ ℕ) ⊸ ℕ ⊸ ℕ", "x": "ℕ ⊸ ℕ"}, size_limit=2**20)
    with pytest.raises(CajalError, match="entries"):
        c.tensor


# ---------------------------------------------------------------- nesting is polynomial


def _nested(depth: int) -> str:
    inner = f"succ y{depth}"
    for k in range(depth, 1, -1):
        inner = f"iter{{y{k - 1} | y{k} ↪ {inner}}}(1)"
    return f"λn:ℕ. iter{{zero | y1 ↪ {inner}}}(n)"


def test_deeply_nested_iters_compile_exactly():
    """(In time polynomial in the depth: benchmarks/bench_guards.py.)"""
    m = compile(parse_term(_nested(16))).matrix  # 9^16 step runs if each iter ran inside its parent
    assert torch.equal(m, torch.eye(10))  # each outer step adds exactly 1: n ↦ n


def test_function_states_that_call_the_previous_state_twice_do_not_nest():
    """Each state calls the one before it twice: as nested closures the last of 10 costs 2^9
    runs of an inner iter, each again nested (this ran for minutes). A first-order function
    state is its matrix instead, exact on one-hot inputs."""
    src = ("λn:ℕ. iter{λb:𝟚. b | f ↪ λc:𝟚. iter{tt | d ↪ if d then (if c then f ff else f tt) "
           "else (if c then f tt else f ff)}(2)}(n)")
    m = compile(parse_term(src)).matrix.reshape(2, 2, 10)  # (result, argument, count); timed: benchmarks/bench_guards.py
    for k in range(10):
        for j, arg in enumerate(["tt", "ff"]):
            expected = cajal.evaluate(parse_term(f"({src}) {k} {arg}"))
            assert torch.equal(m[:, j, k], encode(expected, "𝟚")), (k, arg)


# ---------------------------------------------------------------- correctness theorem


FAST = settings(deadline=None, suppress_health_check=list(HealthCheck))


@settings(FAST, max_examples=500)
@given(closed_terms(), st.sampled_from([10, 6]))
def test_correctness_closed_terms(case, n):
    term, ty = case
    v, fits = evaluate_below(term, n)
    assume(fits)
    got = compile(term, nat_dim=n).tensor
    assert torch.equal(got, encode(v, ty, n)), pretty(term)


@st.composite
def _open_cases(draw):
    term, ty, ctx = draw(typed_terms())
    vals = {x: draw(values(t)) for x, t in ctx.items()}
    return term, ty, ctx, vals, draw(st.sampled_from(["values", "tensors", "compiled"]))


class _TooSlow(Exception):
    pass


def _within(seconds: int, check, *args):
    """Run one example with a time budget, so that a regression to exponential cost (function
    values nesting inside iters, fixed by compiling first-order functions to their matrices)
    fails the test instead of hanging CI. Typical examples take milliseconds."""
    def stop(signum, frame):
        raise _TooSlow(f"one example took over {seconds} s")
    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        check(*args)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.slow
@settings(FAST, max_examples=500)
@given(_open_cases())
def test_correctness_open_terms_linked_with_values(case):
    _within(60, _check_open_case, case)


def _check_open_case(case):
    term, ty, ctx, vals, how = case
    v, fits = evaluate_below(substitute(term, {x: value_term(val) for x, val in vals.items()}), OPEN_N)
    assume(fits)
    _compare_open_case(case, v)


OPEN_N = 10  # the nat_dim the open terms are evaluated below and compiled with


def _compare_open_case(case, v, n=OPEN_N):
    """The compiled open term, given its inputs as `how` says, agrees with the evaluator's v."""
    term, ty, ctx, vals, how = case
    c = compile(term, ctx, nat_dim=n)
    if how == "tensors":
        inputs = {x: encode(val, ctx[x], n) for x, val in vals.items()}
    elif how == "compiled":
        inputs = {x: compile(val.let_term(), nat_dim=n) if isinstance(val, Closure) else val
                  for x, val in vals.items()}
    else:
        inputs = vals
    out = c(**inputs)
    if isinstance(ty, Arrow):
        out = out.tensor
    assert torch.equal(out, encode(v, ty, n)), pretty(term)
    # the k-linear tensor agrees with the run on one-hot inputs (functions: where they are linear)
    if all(not isinstance(t, Arrow) for t in ctx.values()) and ctx:
        tensor = c.tensor
        index = tuple(encode(val, ctx[x], n).argmax().item() for x, val in vals.items())
        assert torch.equal(tensor[(slice(None),) + index], encode(v, ty, n))


def _soft(ty, n, gen):
    """A random soft value: a distribution (𝟚, ℕ) or a column-stochastic matrix (functions)."""
    if isinstance(ty, Arrow):
        d1, d2 = dim(ty.dom, n), dim(ty.cod, n)
        return torch.rand(d2, d1, generator=gen).softmax(0).reshape(-1)
    return torch.rand(dim(ty, n), generator=gen).softmax(0)


@pytest.mark.slow
@settings(FAST, max_examples=200)
@given(typed_terms(), st.integers(0, 2**31 - 1))
def test_multilinear_in_every_input_not_captured_by_an_iter_step(case, seed):
    term, ty, ctx = case
    n = 8
    assume(max(numerals(term), default=0) < n)
    c = compile(term, ctx, nat_dim=n)
    gen = torch.Generator().manual_seed(seed)
    base = {x: _soft(t, n, gen) for x, t in ctx.items()}

    def run(**change):
        out = c(**{**base, **change})
        return out.tensor if isinstance(ty, Arrow) else out

    for x, t in ctx.items():
        if x in c.nonlinear_in:
            continue
        u, w = _soft(t, n, gen), _soft(t, n, gen)
        a, b = 0.7, -1.3
        lhs = run(**{x: a * u + b * w})
        rhs = a * run(**{x: u}) + b * run(**{x: w})
        torch.testing.assert_close(lhs, rhs, rtol=1e-4, atol=1e-4, msg=lambda m: f"{pretty(term)} in {x}: {m}")


# ---------------------------------------------------------------- non-linear maps


def test_a_captured_function_makes_the_map_nonlinear_but_evaluation_exact():
    twice = compile(parse_term("λf:𝟚 ⊸ 𝟚. λx:𝟚. iter{x | y ↪ f y}(2)"))
    assert twice.linear is False and twice.nonlinear_in == ("f",) and twice.nonlinear == {"f"}
    not_ = compile(parse_term(NOT))
    # the basis sample: column j = the program on the unit matrix j (not on a real function)
    assert twice.matrix.shape == (4, 4)
    for x in (True, False):
        assert torch.equal(twice(not_, x), encode(x, "𝟚"))  # not (not x) = x
        assert torch.equal(twice(not_.matrix, x), encode(x, "𝟚"))
    # applied inside the language, too: the theorem holds for this closed term
    src = f"(λf:𝟚 ⊸ 𝟚. iter{{tt | y ↪ f y}}(2)) ({NOT})"
    assert torch.equal(compile(parse_term(src)).tensor, T(TT))
    assert compile(parse_term(AND)).linear is True and compile(parse_term(ALT)).linear is True


def test_nonlinear_in_names_free_variables_captured_by_a_step():
    c = compile(parse_term("iter{b | y ↪ if x then y else (if y then ff else tt)}(n)"),
                {"b": "𝟚", "x": "𝟚", "n": "ℕ"})
    assert c.nonlinear_in == ("x",) and not c.linear


# ---------------------------------------------------------------- definitions


def test_definitions_are_constants():
    defs = {"not": compile(parse_term(NOT))}
    c = compile(parse_term("λx:𝟚. not (not x)"), defs=defs)
    assert torch.equal(c.matrix, torch.eye(2))
    twice = compile(parse_term("λf:𝟚 ⊸ 𝟚. λx:𝟚. iter{x | y ↪ f y}(2)"))
    c2 = compile(parse_term("twice not"), defs={"twice": twice, **defs})
    assert torch.equal(c2.matrix, torch.eye(2))
    with pytest.raises(CajalError, match="nat_dim"):
        compile(parse_term("λx:𝟚. not x"), nat_dim=5, defs=defs)


# ---------------------------------------------------------------- tensors and matrices


def test_tensor_and_matrix_errors_are_clear():
    c = compile(parse_term("λi:Image. i"), types=["Image"])
    with pytest.raises(CajalError, match="no finite dimension"):
        c.tensor
    with pytest.raises(CajalError, match="no finite dimension"):
        c.matrix
    with pytest.raises(CajalError, match="free variables"):
        compile(parse_term("λy:𝟚. if x then y else y"), {"x": "𝟚"}).matrix
    with pytest.raises(CajalError, match="not a matrix"):
        compile(parse_term("tt")).matrix


def test_open_tensor_axes_follow_the_context_order():
    c = compile(parse_term("f n"), {"f": "ℕ ⊸ 𝟚", "n": "ℕ"}, nat_dim=3)
    t = c.tensor
    assert t.shape == (2, 6, 3)
    # T[:, unit(r, c), j] = δ(c, j) e_r
    for k in range(6):
        r, col = divmod(k, 3)
        for j in range(3):
            expect = torch.zeros(2)
            if col == j:
                expect[r] = 1
            assert torch.equal(t[:, k, j], expect)


# ---------------------------------------------------------------- iterates


def test_iterates_records_the_hidden_states():
    c = compile(parse_term(ALT))
    [(node, h)] = c.iterates(3)
    assert pretty(node) == "iter{tt | y ↪ if y then ff else tt}(n)"
    assert h.shape == (10, 2)
    assert torch.equal(h, torch.stack([T(TT) if i % 2 == 0 else T(FF) for i in range(10)]))
    c2 = compile(parse_term("iter{x | y ↪ succ y}(n)"), {"x": "ℕ", "n": "ℕ"}, nat_dim=5)
    [(_, h2)] = c2.iterates(x=torch.eye(5)[:2], n=1)
    assert h2.shape == (5, 2, 5) and torch.equal(h2[2, 1], torch.eye(5)[3])


# ---------------------------------------------------------------- encodings


def test_encode_decode_and_basis_names():
    assert torch.equal(encode(True, "𝟚"), T(TT)) and torch.equal(encode(3, "ℕ", 5), T([0, 0, 0, 1, 0]))
    with pytest.raises(CajalError, match="nat_dim"):
        encode(7, "ℕ", 5)
    with pytest.raises(CajalError):
        encode(True, "ℕ")
    not_value = cajal.evaluate(parse_term(NOT))
    assert torch.equal(encode(not_value, "𝟚 ⊸ 𝟚"), T([0, 1, 1, 0]))
    assert decode(T([0.2, 0.7]), "𝟚") is False and decode(T([0, 0, 0.9, 0.1]), "ℕ") == 2
    assert decode(torch.eye(4)[:2], "ℕ") == [0, 1]
    f = decode(T([[0, 1], [1, 0]]), "𝟚 ⊸ 𝟚")
    assert isinstance(f, Closure) and cajal.evaluate(parse_term("f tt"), {"f": f}) is False
    g = decode(compile(parse_term(ALT)).matrix, "ℕ ⊸ 𝟚")  # N inferred from the size
    assert isinstance(g, Closure) and torch.equal(encode(g, "ℕ ⊸ 𝟚"), compile(parse_term(ALT)).tensor)
    s = decode(matrix("λn:ℕ. succ n", 6), "ℕ ⊸ ℕ")
    assert cajal.evaluate(parse_term("s 2"), {"s": s}) == 3
    table = decode(torch.eye(3)[[2, 0, 1]], "ℕ ⊸ ℕ")  # n ↦ n+1 mod 3: no small term, a table
    assert isinstance(table, Opaque) and cajal.evaluate(parse_term("t 2"), {"t": table}) == 0
    assert basis_names(parse_type("𝟚 ⊸ 𝟚")) == ["tt↦tt", "ff↦tt", "tt↦ff", "ff↦ff"]
    assert basis_names("ℕ", 3) == ["0", "1", "2"]
    assert basis_names("(𝟚 ⊸ 𝟚) ⊸ 𝟚")[1] == "(ff↦tt)↦tt"
    assert basis_names("𝟚 ⊸ 𝟚 ⊸ 𝟚")[0] == "tt↦(tt↦tt)"
    assert dim("(ℕ ⊸ ℕ) ⊸ ℕ", 10) == 1000 and dim("Image", 10) is None
    with pytest.raises(CajalError, match="no finite dimension"):
        basis_names("Image ⊸ 𝟚")


@pytest.mark.slow
@settings(FAST, max_examples=150)
@given(typed_terms(), st.integers(0, 2**31 - 1))
def test_gradients_exist_and_are_finite_for_every_linked_input(case, seed):
    term, ty, ctx = case
    n = 8
    assume(ctx and max(numerals(term), default=0) < n)
    c = compile(term, ctx, nat_dim=n, dtype=torch.float64)
    gen = torch.Generator().manual_seed(seed)
    inputs = {x: _soft(t, n, gen).double().requires_grad_() for x, t in ctx.items()}
    out = c(**inputs)
    out = out.tensor if isinstance(ty, Arrow) else out
    # a variable captured by nested iter steps makes a polynomial of enormous degree
    # (5 steps inside 3 inside 7: degree 5^21): soft inputs whose sums are 1 ± ε overflow
    assume(torch.isfinite(out).all())
    (out * torch.rand(out.shape, generator=gen, dtype=torch.float64)).sum().backward()
    for x, t in inputs.items():
        assert t.grad is not None and torch.isfinite(t.grad).all(), f"{pretty(term)}: no gradient for {x}"


@pytest.mark.parametrize("how", ["values", "tensors", "compiled"])
def test_iter_whose_states_stay_closures_is_read_out_by_mixing(how):
    """Regression: a readout of more than FEW_STEPS states stacked them as tensors even when
    only the base was one; here the step makes a higher-order λ that is not linear (an inner
    iter captures its parameter), so it stays a closure, and the stack raised a TypeError."""
    from cajal.evaluation import evaluate

    term = parse_term("iter{ f | g ↪ λh:𝟚 ⊸ 𝟚. g (λz:𝟚. iter{z | y ↪ h y}(2)) }(5)")
    ty = parse_type("(𝟚 ⊸ 𝟚) ⊸ 𝟚")
    f = evaluate(parse_term("λk:𝟚 ⊸ 𝟚. k tt"))
    v, fits = evaluate_below(substitute(term, {"f": value_term(f)}), OPEN_N)
    assert fits
    _compare_open_case((term, ty, {"f": ty}, {"f": f}, how), v)
