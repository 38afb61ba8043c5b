"""Deep inputs do not hit Python's recursion limit: big numerals, long iterations, and
nesting 500 deep (and up to parser.MAX_DEPTH) go through parse, check, evaluate, pretty and
steps; nesting beyond MAX_DEPTH is a clean CajalSyntaxError."""

import pytest

from cajal import (
    CajalError,
    CajalSyntaxError,
    evaluate,
    parse_cell,
    parse_term,
    parse_type,
    pretty,
    steps,
    typecheck,
)
from cajal.parser import MAX_DEPTH
from cajal.syntax import BOOL, NAT, Arrow, BoolLit, Nat
from cajal.values import value_term

DEPTH = 500


def through_everything(src, ty, value, *, trace=True, step_limit=None):
    """Parse, check, evaluate, pretty (both spellings) and reduce step by step."""
    term = parse_term(src)
    assert typecheck(term) == (parse_type(ty) if isinstance(ty, str) else ty)
    result = evaluate(term)
    if value is not None:
        assert result == value
    assert parse_term(pretty(term)) == term
    assert parse_term(pretty(term, ascii=True)) == term
    if trace:
        tr = steps(term, limit=step_limit)
        if step_limit is None:
            assert (tr[-1].term if tr else term) == value_term(result)
    return term, result


# ---------------------------------------------------------------- numerals and iteration


def test_numeral_ten_thousand():
    term, _ = through_everything("10000", "ℕ", 10000)
    assert term == Nat(10000) and pretty(term) == "10000"
    through_everything("succ 10000", "ℕ", 10001)
    through_everything("(λn:ℕ. succ n) 10000", "ℕ", 10001)


def test_numeral_of_ten_thousand_digits():
    digits = "9" * 10000
    term, value = through_everything(digits, "ℕ", None)
    assert value == 10 ** 10000 - 1 and pretty(term) == digits
    assert pretty(evaluate(parse_term("succ " + digits))) == "1" + "0" * 10000


@pytest.mark.slow
def test_iter_count_ten_thousand():
    through_everything("iter{0 | y ↪ succ y}(10000)", "ℕ", 10000)
    through_everything("iter{tt | y ↪ if y then ff else tt}(10000)", "𝟚", True)
    through_everything("iter{tt | y ↪ if y then ff else tt}(10001)", "𝟚", False)
    through_everything("(λn:ℕ. iter{ff | y ↪ if y then ff else tt}(n)) 10000", "𝟚", False)
    assert len(steps(parse_term("iter{0 | y ↪ succ y}(10000)"))) == 20001


def test_iter_building_a_chain_of_ten_thousand_closures():
    """The step composes a function with the one so far: calling the result nests 10,000
    calls deep, which the evaluator must do without Python recursion."""
    src = "iter{λz:ℕ. z | g ↪ λz:ℕ. succ (g z)}(10000) 0"
    assert typecheck(parse_term(src)) == NAT
    assert evaluate(parse_term(src)) == 10000
    src = "(λf:ℕ ⊸ ℕ. iter{λz:ℕ. z | g ↪ λz:ℕ. f (g z)}(10000) 5) (λx:ℕ. succ x)"
    assert evaluate(parse_term(src)) == 10005  # f is captured by the step (Δ₃)
    through_everything("iter{λz:ℕ. z | g ↪ λz:ℕ. succ (g z)}(300) 0", "ℕ", 300)


# ---------------------------------------------------------------- nesting 500 deep


def test_nested_parentheses():
    through_everything("(" * DEPTH + "tt" + ")" * DEPTH, "𝟚", True)
    src = "(" * DEPTH + "λx:𝟚. x" + ")" * DEPTH + " " + "(" * DEPTH + "ff" + ")" * DEPTH
    through_everything(src, "𝟚", False)


def test_nested_if_in_condition():
    src = "if " * DEPTH + "tt" + " then ff else tt" * DEPTH
    through_everything(src, "𝟚", DEPTH % 2 == 0)


def test_nested_if_in_branches():
    through_everything("if tt then " * DEPTH + "5" + " else 0" * DEPTH, "ℕ", 5)
    through_everything("if ff then 0 else " * DEPTH + "5", "ℕ", 5)


@pytest.mark.slow
def test_nested_lambdas_applied_to_many_arguments():
    """λx1. … λx500. x1 + … + x500 (each added by an iter), applied to 500 arguments."""
    params = "".join(f"λx{i}:ℕ. " for i in range(DEPTH))
    body = "0"
    for i in range(DEPTH):
        body = f"iter{{{body} | y ↪ succ y}}(x{i})"
    src = f"({params}{body})" + " 1" * DEPTH
    term, _ = through_everything(src, "ℕ", DEPTH, step_limit=1200)
    fn = parse_term(f"{params}{body}")
    assert typecheck(fn) == parse_type(" ⊸ ".join(["ℕ"] * (DEPTH + 1)))


def test_nested_succ_of_a_variable():
    through_everything("(λx:ℕ. " + "succ " * DEPTH + "x) 3", "ℕ", DEPTH + 3)
    term = parse_term("λx:ℕ. " + "succ " * DEPTH + "x")
    assert pretty(term).count("succ") == DEPTH


@pytest.mark.slow
def test_nested_applications():
    src = "(λx:ℕ. succ x) (" * DEPTH + "0" + ")" * DEPTH
    through_everything(src, "ℕ", DEPTH)
    src = "(λf:𝟚 ⊸ 𝟚. f) (" * DEPTH + "λb:𝟚. b" + ")" * DEPTH + " tt"
    through_everything(src, "𝟚", True)


def test_nested_lets():
    src = "let x0 = 0 in " + "".join(f"let x{i + 1} = succ x{i} in " for i in range(DEPTH)) + f"x{DEPTH}"
    through_everything(src, "ℕ", DEPTH)


@pytest.mark.slow
def test_nested_iters():
    src = "iter{" * DEPTH + "tt" + " | y ↪ y}(1)" * DEPTH
    through_everything(src, "𝟚", True)
    src = "iter{tt | y0 ↪ " + "".join(f"iter{{y{i} | y{i + 1} ↪ " for i in range(DEPTH)) \
        + f"y{DEPTH}" + "}(1)" * (DEPTH + 1)
    through_everything(src, "𝟚", True)
    src = "iter{0 | y ↪ succ y}(" * DEPTH + "1" + ")" * DEPTH
    through_everything(src, "ℕ", 1)


def test_nested_types():
    right = parse_type("𝟚 ⊸ " * DEPTH + "𝟚")
    left = parse_type("(" * DEPTH + "𝟚" + " ⊸ 𝟚)" * DEPTH)
    for ty in (right, left):
        assert parse_type(pretty(ty)) == ty and parse_type(pretty(ty, ascii=True)) == ty
        term = parse_term(f"λf:{pretty(ty)}. f")
        assert typecheck(term) == Arrow(ty, ty)


def test_deep_cell():
    cell = "def f (x : ℕ) : ℕ =\n  " + "succ " * DEPTH + "x\n" + "(" * DEPTH + "f 1" + ")" * DEPTH
    items = parse_cell(cell)
    assert len(items) == 2


# ---------------------------------------------------------------- up to and beyond MAX_DEPTH

NEAR = MAX_DEPTH - 10

NESTINGS = {
    "parentheses": lambda n: "(" * n + "tt" + ")" * n,
    "if in condition": lambda n: "if " * n + "tt" + " then ff else tt" * n,
    "if in branches": lambda n: "if tt then " * n + "tt" + " else ff" * n,
    "λ": lambda n: "".join(f"λx{i}:𝟚. " for i in range(n)) + "tt",
    "succ of a variable": lambda n: "λx:ℕ. " + "succ " * n + "x",
    # each level is two: an argument of an application, and a bracket
    "applications to the right": lambda n: "(λx:ℕ. x) (" * (n // 2) + "0" + ")" * (n // 2),
    "applications to the left": lambda n: "f" + " tt" * n,
    "let": lambda n: "".join(f"let x{i} = tt in " for i in range(n)) + "tt",
    "iter in base": lambda n: "iter{" * n + "tt" + " | y ↪ y}(1)" * n,
}


@pytest.mark.parametrize("kind", NESTINGS)
def test_just_below_max_depth_goes_through_everything(kind):
    """Whatever the parser accepts, the later stages can process without RecursionError."""
    term = parse_term(NESTINGS[kind](NEAR))
    for stage in (typecheck, evaluate, lambda t: steps(t, limit=20)):
        try:
            stage(term)
        except CajalError as err:  # unused variables, the unbound `f`: errors, not crashes
            assert "never used" in err.message or "`f`" in err.message, err.message
    assert parse_term(pretty(term)) == term
    assert parse_term(pretty(term, ascii=True)) == term


@pytest.mark.parametrize("kind", NESTINGS)
def test_beyond_max_depth_is_a_clean_syntax_error(kind):
    with pytest.raises(CajalSyntaxError, match=f"nested more than {MAX_DEPTH} levels deep") as info:
        parse_term(NESTINGS[kind](MAX_DEPTH + 5))
    assert info.value.hint and "def" in info.value.hint
    assert info.value.span is not None


def test_types_beyond_max_depth():
    for src in ("𝟚 ⊸ " * (MAX_DEPTH + 5) + "𝟚", "(" * (MAX_DEPTH + 5) + "𝟚" + ")" * (MAX_DEPTH + 5)):
        with pytest.raises(CajalSyntaxError, match="nested more than"):
            parse_type(src)
    with pytest.raises(CajalSyntaxError, match="nested more than"):
        parse_cell("def f = " + "(" * (MAX_DEPTH + 5) + "tt" + ")" * (MAX_DEPTH + 5))


def test_types_of_deep_values():
    assert evaluate(parse_term("(" * DEPTH + "λx:𝟚. x" + ")" * DEPTH)) == evaluate(parse_term("λx:𝟚. x"))
    assert typecheck(parse_term("(" * DEPTH + "tt" + ")" * DEPTH)) == BOOL
    assert parse_term("(" * DEPTH + "tt" + ")" * DEPTH) == BoolLit(True)
