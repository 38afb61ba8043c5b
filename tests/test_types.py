"""The linear type checker (LANGUAGE.md section 3): generated terms check at their type, and
mutants that break linearity are refused. The error catalogue itself is in test_errors.py."""

from dataclasses import replace

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import closed_terms, typed_terms, types

from cajal import CajalTypeError, check, parse_term, parse_type, typecheck
from cajal.syntax import (
    BOOL,
    NAT,
    App,
    Arrow,
    BoolLit,
    If,
    Iter,
    Lam,
    Let,
    Nat,
    Succ,
    Var,
    arrows,
    children,
    free_vars,
)

# ---------------------------------------------------------------- helpers for mutations

_FIELDS = {Succ: ("arg",), Lam: ("body",), App: ("fn", "arg"), If: ("cond", "then", "else_"),
           Let: ("bound", "body"), Iter: ("base", "step", "count")}


def replace_at(term, path, new):
    """`term` with the sub-term at `path` (child indices, as syntax.children) replaced."""
    if not path:
        return new
    field = _FIELDS[type(term)][path[0]]
    return replace(term, **{field: replace_at(getattr(term, field), path[1:], new)})


def nodes(term, typing, ctx):
    """Every sub-term as (path, node, {name: type} of the variables in scope)."""
    out = []
    stack = [((), term, dict(ctx))]
    while stack:
        path, t, scope = stack.pop()
        out.append((path, t, scope))
        for i, child in enumerate(children(t)):
            inner = scope
            if isinstance(t, Lam):
                inner = {**scope, t.param: t.param_type}
            elif isinstance(t, Let) and i == 1:
                inner = {**scope, t.name: typing.types[id(t.bound)]}
            elif isinstance(t, Iter) and i == 1:
                inner = {**scope, t.var: typing.types[id(t.base)]}
            stack.append((path + (i,), child, inner))
    return out


def closed_value_term(ty):
    """A small closed term of type ty."""
    if ty == BOOL:
        return BoolLit(True)
    if ty == NAT:
        return Nat(1)
    return Lam("fresh_", ty.dom, _use("fresh_", ty.dom, ty.cod))


def _use(name, t, result):
    """A term of type `result` that uses `name : t` exactly once."""
    if t == result:
        return Var(name)
    if t == BOOL:
        return If(Var(name), closed_value_term(result), closed_value_term(result))
    if t == NAT:
        return Iter(closed_value_term(result), "y_", Var("y_"), Var(name))
    return Let(name + "r", App(Var(name), closed_value_term(t.dom)), _use(name + "r", t.cod, result))


LINEARITY = ("used twice", "never used", "use different variables", "does not use its variable")


def assert_linearity_error(term, ctx):
    with pytest.raises(CajalTypeError) as info:
        check(term, ctx)
    assert any(words in info.value.message for words in LINEARITY), info.value.message


# ---------------------------------------------------------------- properties


@given(typed_terms())
def test_generated_terms_check_at_their_type(example):
    term, ty, ctx = example
    typing = check(term, ctx)
    assert typing.type == ty
    assert typing.types[id(term)] == ty
    assert typing.contexts[id(term)] == ctx  # the whole term uses exactly its context
    assert free_vars(term) == set(ctx)


@given(typed_terms())
def test_typing_tables_are_consistent(example):
    """Every sub-term's recorded context is its free variables; an iter's Δ₃ is the step's."""
    term, ty, ctx = example
    typing = check(term, ctx)
    for _, node, scope in nodes(term, typing, ctx):
        assert set(typing.contexts[id(node)]) == free_vars(node)
        assert all(typing.contexts[id(node)][x] == scope[x] for x in free_vars(node))
        if isinstance(node, Var):
            assert typing.types[id(node)] == scope[node.name]
        if isinstance(node, Iter):
            assert typing.captured[id(node)] == frozenset(free_vars(node.step) - {node.var})
            assert typing.types[id(node.base)] == typing.types[id(node)] == typing.types[id(node.step)]
            assert typing.types[id(node.count)] == NAT


@given(typed_terms(), st.data())
def test_duplicating_a_variable_is_refused(example, data):
    """Replace one use of a variable y by another variable x in scope, of the same type: x is
    then used twice (and y not at all) on some path."""
    term, ty, ctx = example
    typing = check(term, ctx)
    candidates = [(path, node, x) for path, node, scope in nodes(term, typing, ctx)
                  if isinstance(node, Var) for x, tx in scope.items()
                  if x != node.name and tx == scope[node.name]]
    candidates += [(path, node, x) for path, node, scope in nodes(term, typing, ctx)
                   if isinstance(node, (BoolLit, Nat)) for x, tx in scope.items()
                   if tx == typing.types[id(node)]]
    assume(candidates)
    path, node, x = data.draw(st.sampled_from(candidates))
    assert_linearity_error(replace_at(term, path, Var(x)), ctx)


@given(typed_terms(), st.data())
def test_dropping_a_variable_is_refused(example, data):
    """Replace one use of a variable by a closed term of its type: it is then never used (on
    that path)."""
    term, ty, ctx = example
    typing = check(term, ctx)
    uses = [(path, node) for path, node, _ in nodes(term, typing, ctx) if isinstance(node, Var)]
    assume(uses)
    path, node = data.draw(st.sampled_from(uses))
    assert_linearity_error(replace_at(term, path, closed_value_term(typing.types[id(node)])), ctx)


@given(closed_terms(), types(1))
def test_a_closed_term_with_an_extra_variable_in_context_is_refused(example, extra):
    term, _ = example
    with pytest.raises(CajalTypeError, match="never used"):
        check(term, {"unused_": extra})


@given(typed_terms(max_depth=3))
def test_wrapping_in_a_lambda_gives_the_arrow_type(example):
    """Δ, x:τ₁ ⊢ e : τ₂ ⟹ Δ ⊢ λx:τ₁. e : τ₁ ⊸ τ₂, for any variable of the context."""
    term, ty, ctx = example
    assume(ctx)
    name, t = next(iter(ctx.items()))
    rest = {k: v for k, v in ctx.items() if k != name}
    assert typecheck(Lam(name, t, term), rest) == Arrow(t, ty)


# ---------------------------------------------------------------- examples


def t(src):
    return parse_term(src)


@pytest.mark.parametrize("src, expected", [
    ("tt", "𝟚"), ("false", "𝟚"), ("zero", "ℕ"), ("7", "ℕ"), ("succ 7", "ℕ"),
    ("λx:𝟚. if x then ff else tt", "𝟚 ⊸ 𝟚"),
    ("λx:𝟚. λy:𝟚. if x then y else (if y then ff else ff)", "𝟚 ⊸ 𝟚 ⊸ 𝟚"),
    ("λn:ℕ. iter{tt | y ↪ if y then ff else tt}(n)", "ℕ ⊸ 𝟚"),
    ("λn:ℕ. succ n", "ℕ ⊸ ℕ"),
    ("λf:𝟚 ⊸ 𝟚. λx:𝟚. f x", "(𝟚 ⊸ 𝟚) ⊸ 𝟚 ⊸ 𝟚"),
    ("let x = 3 in succ x", "ℕ"),
    ("λb:𝟚. if b then λx:ℕ. x else λx:ℕ. succ x", "𝟚 ⊸ ℕ ⊸ ℕ"),       # if on functions
    ("λn:ℕ. iter{λx:𝟚. x | g ↪ λx:𝟚. if g x then ff else tt}(n)", "ℕ ⊸ 𝟚 ⊸ 𝟚"),  # iter on functions
    ("iter{0 | y ↪ succ y}(iter{1 | z ↪ succ z}(2))", "ℕ"),
    ("λx:𝟚. if x then tt else tt", "𝟚 ⊸ 𝟚"),
    ("λx:𝟚. λx:ℕ. if tt then x else succ x", None),  # shadowing an unused x: refused
])
def test_examples(src, expected):
    if expected is None:
        with pytest.raises(CajalTypeError, match="never used"):
            typecheck(t(src))
    else:
        assert typecheck(t(src)) == parse_type(expected)


def test_context_may_be_given_as_type_sources():
    assert typecheck(t("f x"), {"f": "𝟚 ⊸ ℕ", "x": "Bool"}) == NAT
    assert typecheck(t("f x"), {"f": arrows(BOOL, NAT), "x": BOOL}) == NAT


def test_definitions_are_constants_usable_any_number_of_times():
    defs = {"not": arrows(BOOL, BOOL)}
    assert typecheck(t("λx:𝟚. not (not (not x))"), defs=defs) == arrows(BOOL, BOOL)
    assert typecheck(t("not"), defs=defs) == arrows(BOOL, BOOL)
    # a variable of the context shadows a definition of the same name, and is linear
    with pytest.raises(CajalTypeError, match="used twice"):
        typecheck(t("if not then not else not"), {"not": BOOL}, defs=defs)


def test_iter_step_captures_are_recorded_as_delta_3():
    term = t("λf:𝟚 ⊸ 𝟚. λb:𝟚. λn:ℕ. iter{b | y ↪ f y}(n)")
    typing = check(term)
    it = term.body.body.body
    assert typing.captured[id(it)] == frozenset({"f"})
    assert not typing.is_linear_in(id(term))          # f: captured by the step
    assert typing.is_linear_in(id(term.body))         # b: the base
    assert typing.is_linear_in(id(term.body.body))    # n: the count
    assert typing.type == parse_type("(𝟚 ⊸ 𝟚) ⊸ 𝟚 ⊸ ℕ ⊸ 𝟚")


def test_captured_free_variable_is_named_in_nonlinear():
    typing = check(t("iter{tt | y ↪ g y}(3)"), {"g": "𝟚 ⊸ 𝟚"})
    assert "g" in typing.nonlinear and not typing.is_linear_in("g")
    typing = check(t("iter{tt | y ↪ y}(n)"), {"n": "ℕ"})
    assert typing.nonlinear == set() and typing.captured
    # a let-bound variable captured by a step is non-linear, by its Let node
    term = t("let g = λx:𝟚. x in iter{tt | y ↪ g y}(2)")
    assert id(term) in check(term).nonlinear


def test_contexts_and_types_of_sub_terms():
    term = t("λx:𝟚. λy:ℕ. if x then y else succ y")
    typing = check(term)
    body = term.body.body
    assert typing.contexts[id(body)] == {"x": BOOL, "y": NAT}
    assert typing.contexts[id(body.cond)] == {"x": BOOL}
    assert typing.contexts[id(body.then)] == {"y": NAT}
    assert typing.types[id(body.else_)] == NAT
    assert typing.contexts[id(term)] == {}


def test_abstract_types():
    term = t("λstep:Image ⊸ Image. λimg:Image. λn:ℕ. iter{img | y ↪ step y}(n)")
    assert typecheck(term, types={"Image"}) == parse_type("(Image ⊸ Image) ⊸ Image ⊸ ℕ ⊸ Image")
    # an abstract type in the context declares itself
    assert typecheck(t("f x"), {"f": "Image ⊸ 𝟚", "x": "Image"}) == BOOL
    with pytest.raises(CajalTypeError, match="unknown type `Image`"):
        typecheck(term)


def test_if_on_both_branches_uses_same_variables():
    assert typecheck(t("λc:𝟚. λx:ℕ. if c then succ x else x")) == parse_type("𝟚 ⊸ ℕ ⊸ ℕ")
    with pytest.raises(CajalTypeError, match="different variables"):
        typecheck(t("λc:𝟚. λx:ℕ. if c then succ x else 0"))
