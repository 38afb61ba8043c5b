"""Running a cell and checking it live read the same item pipeline (`cajal.items`), so the live
check reports an error exactly when running raises one, with the same message, hint and span.

Cells are generated valid (definitions, terms, type declarations, directives), then mutated
(characters and tokens deleted, inserted, swapped), and directive-heavy (arguments missing,
wrong, or continued on the next line)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import closed_terms, holed_terms

from cajal import CajalError, diagnostics, pretty
from cajal.errors import Source, Span
from cajal.session import Session

pytestmark = pytest.mark.unit

NAMES = ("f", "g", "not", "n", "x", "A")
DIRECTIVES = (":type", ":eval", ":trace", ":derive", ":defs", ":help", ":set", ":set nat_dim", ":graph",
              ":graph --unroll", ":graph --bogus", ":matrix", ":step", ":equiv", ":bogus", ":hlep")
ARGUMENTS = ("", "tt", "foo", "iter", ":graph", "nat_dim", "nat_dim 6", "nat_dim 0", "nat_dim x", "3", "-- note",
             "λx:𝟚. x", "λx:𝟚. not (not x)", "f tt", "A", "succ 2", "λx:𝟚. x ≡ λy:𝟚. not y", "tt == 3")
TOKENS = ("λ", "x", ":", "𝟚", "ℕ", ".", "(", ")", "tt", "ff", "if", "then", "else", "iter", "{", "|", "↪", "}",
          "succ", "let", "=", "in", "def", "type", ";", "\n", " ", ":set", ":help", "nat_dim", "6", "0", "--",
          "?", "?h")


@st.composite
def valid_items(draw) -> str:
    term, _ = draw(closed_terms(max_depth=3))
    text = pretty(term)
    holed, ty, *_ = draw(holed_terms(ctx={}))  # checks; only running refuses it
    return draw(st.sampled_from((
        pretty(holed),
        f"def h : {pretty(ty)} = {pretty(holed)}",
        f"def {draw(st.sampled_from(NAMES[:3]))} = {text}",
        text,
        "def not (x : 𝟚) : 𝟚 = if x then ff else tt",
        "type A",
        f":{draw(st.sampled_from(('type', 'eval', 'trace', 'derive')))} {text}",
        f":help {draw(st.sampled_from(('iter', 'λ', 'nat_dim', ':graph', 'linearity')))}",
        f":set nat_dim {draw(st.integers(1, 12))}",
        ":defs",
    )))


@st.composite
def directive_items(draw) -> str:
    word, argument = draw(st.sampled_from(DIRECTIVES)), draw(st.sampled_from(ARGUMENTS))
    joiner = draw(st.sampled_from((" ", "\n", "\n  ", " ; ")))  # a value on the next line is its own item
    return f"{word}{joiner}{argument}" if argument else word


def mutate(draw, text: str) -> str:
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(text)))
        match draw(st.sampled_from(("delete", "insert", "swap", "token"))):
            case "delete":
                text = text[:i] + text[i + 1:]
            case "insert":
                text = text[:i] + draw(st.sampled_from("λx:𝟚ℕ.()tf0123 \n;|{}↪-=")) + text[i:]
            case "swap" if i + 1 < len(text):
                text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
            case "token":
                text = text[:i] + " " + draw(st.sampled_from(TOKENS)) + " " + text[i:]
    return text


@st.composite
def cells(draw) -> str:
    lines = draw(st.lists(st.one_of(valid_items(), directive_items()), min_size=1, max_size=4))
    cell = "\n".join(lines)
    return mutate(draw, cell) if draw(st.booleans()) else cell


def _start(source: str) -> Span:
    return Span(1, 1, 1, 2, Source(source, 1))


def _outcome(source: str):
    """Running's error (message, hint, span), or None."""
    try:
        Session().run(source)
    except CajalError as err:
        return err.message, err.hint, err.span or _start(source)
    return None


# Compiling refuses a numeral beyond ℕ's size and a tensor above the memory budget; only
# `:compile`/`:matrix` raise these (the other views draw what compiles). The live check never
# compiles (it stays fast and never loads torch), so these are the one kind of error that only
# running reports (docs/ARCHITECTURE.md, "One pipeline").
COMPILE_REFUSALS = ("the numeral ", "this needs a tensor of ")


@given(cells())
def test_live_check_reports_an_error_exactly_when_running_raises_one(source):
    report = diagnostics.check_cell(Session(), source)
    live = [(d.message, d.hint, d.span) for d in report.diagnostics if d.severity == "error"]
    ran = _outcome(source)
    if ran is not None and ran[0].startswith("the hole "):  # a typed hole checks, so only running refuses it
        holes = [d.span for d in report.diagnostics if d.severity == "info"]
        assert ran[2] in holes
        assert all((s.line, s.col) > (ran[2].line, ran[2].col) for _, _, s in live)  # the live check goes on
        return
    if not live and ran is not None and ran[0].startswith(COMPILE_REFUSALS):
        assert ":matrix" in source or ":compile" in source
        return
    assert live == ([ran] if ran is not None else [])


@pytest.mark.parametrize("source", [":matrix 30", ":set nat_dim 3\n:compile 5"])
def test_only_compiling_refuses_a_numeral_beyond_nat_dim(source):
    assert diagnostics.check_cell(Session(), source).diagnostics == ()
    assert _outcome(source)[0].startswith("the numeral ")


@pytest.mark.parametrize("source, message", [
    (":help foo", "no help on `foo`"),
    (":set nat_dim x", "`x` is not a positive whole number"),
    (":set nat_dim\n6", "`:set` takes a setting and a value"),
    (":graph", "`:graph` needs a term"),
    (":graph --bogus tt", "unknown option `--bogus` for `:graph`"),
    (":set nat_dim 2\n:help itr", "no help on `itr`"),
    (":equiv tt", "`:equiv` compares two terms: write `e₁ ≡ e₂`"),
    (":equiv tt ≡ x", "unbound variable `x`"),
    (":load", "`:load` needs a file"),
])
def test_directive_arguments_are_checked_live_as_running_checks_them(source, message):
    [diagnostic] = diagnostics.check_cell(Session(), source).diagnostics
    assert diagnostic.message == message
    assert _outcome(source)[:1] == (message,)


def test_a_typing_holds_its_term_and_a_definition_builds_its_term_once():
    from cajal.parser import parse_cell
    from cajal.types import check
    [d] = parse_cell("def f (x : 𝟚) (y : 𝟚) = if x then y else y")
    assert d.term is d.term
    assert [id(k) in check(d.term).types for k in [d.term] * 5] == [True] * 5
    typing = check(d.term)
    assert typing.term is d.term and typing.types[id(typing.term)] == typing.type


def test_each_item_of_a_cell_gives_one_record_with_its_scope_change():
    from cajal import items
    session = Session()
    records = list(items.records(session.scope(), "type A\ndef not (x : 𝟚) : 𝟚 = if x then ff else tt\n"
                                                  "not tt\n:set nat_dim 4\n:type not"))
    assert [r.declares for r in records] == ["A", None, None, None, None]
    assert [r.defines for r in records] == [None, "not", None, None, None]
    assert [pretty(r.typing.type) if r.typing else None for r in records] == [None, "𝟚 ⊸ 𝟚", "𝟚", None, "𝟚 ⊸ 𝟚"]
    assert records[3].argument.nat_dim == 4 and records[4].argument.flags == ()
    assert [r.span.line for r in records] == [1, 2, 3, 4, 5]
    assert session.definitions == {} and session.types == set() and session.nat_dim == 10  # reading changes nothing
